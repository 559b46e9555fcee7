//! Facts about the acting process recorded with every act: tool version, host,
//! time (UTC), command line.

use std::time::SystemTime;

use jiff::Timestamp;

/// Tool name and version recorded in case, manifest and custody records.
pub const TOOL: &str = concat!("cloudcase ", env!("CARGO_PKG_VERSION"));

/// The current time, UTC, as RFC 3339 (`2024-05-01T12:00:00.123456789Z`).
pub(crate) fn now_utc() -> String {
    Timestamp::now().to_string()
}

/// A file time as RFC 3339 UTC, if representable.
pub(crate) fn system_time_utc(t: SystemTime) -> Option<String> {
    Timestamp::try_from(t).ok().map(|ts| ts.to_string())
}

/// The process's command line, arguments converted lossily to UTF-8.
pub(crate) fn process_command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// The host name, or `"unknown"` when the system does not tell.
pub(crate) fn host_name() -> String {
    os_host_name()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(unix)]
fn os_host_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is a valid, writable buffer of the length passed; gethostname
    // writes at most that many bytes and does not retain the pointer.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(String::from_utf8_lossy(&buf[..end]).into_owned())
}

#[cfg(not(unix))]
fn os_host_name() -> Option<String> {
    None
}

/// A short, unique (not secret) identifier: 32 hex digits derived from the
/// time, process, host and the given salt.
pub(crate) fn unique_id(salt: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!("{nanos}|{}|{}|{salt}", std::process::id(), host_name());
    crate::hash::sha256_hex(seed.as_bytes())[..32].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_rfc3339() {
        let now = now_utc();
        assert!(now.ends_with('Z'), "{now}");
        assert!(now.parse::<Timestamp>().is_ok());
        let epoch = system_time_utc(SystemTime::UNIX_EPOCH).expect("epoch is representable");
        assert_eq!(epoch, "1970-01-01T00:00:00Z");
    }

    #[test]
    fn host_and_ids_are_nonempty() {
        assert!(!host_name().is_empty());
        let (a, b) = (unique_id("x"), unique_id("y"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
