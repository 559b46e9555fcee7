//! Records rendered ahead of time (the incident's and the scenarios'),
//! which the planner places into the delivery file of their region and time.

/// A record rendered ahead of time (incident and scenario events), placed
/// into the delivery file of its region and time by the planner.
#[derive(Clone, Debug)]
pub(crate) struct Scripted {
    pub t: i64,
    pub region: usize,
    /// eventName (for the summary's counts).
    pub name: &'static str,
    /// The record's eventID.
    pub event_id: String,
    /// The record as compact JSON.
    pub json: Vec<u8>,
}

impl Scripted {
    /// Wraps a rendered record, reading its eventID back.
    pub(crate) fn new(t: i64, region: usize, name: &'static str, json: Vec<u8>) -> Scripted {
        const KEY: &[u8] = b"\"eventID\":\"";
        let event_id = json
            .windows(KEY.len())
            .position(|w| w == KEY)
            .and_then(|p| json.get(p + KEY.len()..p + KEY.len() + 36))
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        Scripted {
            t,
            region,
            name,
            event_id,
            json,
        }
    }
}
