//! Remove and rotate from an `aws:iam` inventory snapshot (`cloudcase acquire aws:iam`): who
//! exists, when each key was created and last used, whatever the logs cover.

use cloudcase_event::EventTime;
use cloudcase_inventory::Snapshot;
use cloudcase_model::scope::RecordRef;

use crate::lists::{RemoveItem, RotateItem};

const DAY_MS: i64 = 86_400_000;

/// An inventory snapshot and the file it was read from (its reference in the lists).
#[derive(Debug, Clone)]
pub struct Inventory {
    /// The object's path in the case (or the file given).
    pub file: String,
    /// The snapshot.
    pub snapshot: Snapshot,
}

fn ms(text: Option<&str>) -> Option<i64> {
    text.and_then(|t| EventTime::parse(t).ok())
        .map(EventTime::millis)
}

impl Inventory {
    /// When the snapshot was taken, ms (what "unused for N days" counts back from).
    pub fn taken_ms(&self) -> Option<i64> {
        ms(Some(&self.snapshot.taken))
    }

    fn refs(&self) -> Vec<RecordRef> {
        vec![RecordRef {
            file: self.file.clone(),
            record: 0,
            event_id: None,
        }]
    }

    /// Users whose keys were all unused for `days` (and who are older than that), and active
    /// keys unused for `days`. `last_call_ms` gives a principal's last call in the logs, which
    /// keeps it off the list when more recent than the inventory says.
    pub fn remove(&self, days: i64, last_call_ms: &dyn Fn(&str) -> Option<i64>) -> Vec<RemoveItem> {
        let (Some(iam), Some(taken)) = (&self.snapshot.iam, self.taken_ms()) else {
            return Vec::new();
        };
        let cutoff = taken - days * DAY_MS;
        let mut out = Vec::new();
        for u in &iam.users {
            let key_used = |k: &cloudcase_inventory::AccessKey| {
                ms(k.last_used.as_deref()).is_some_and(|t| t >= cutoff)
            };
            let recent_log = last_call_ms(&u.arn).is_some_and(|t| t >= cutoff);
            let old = ms(u.created.as_deref()).is_some_and(|t| t < cutoff);
            if old
                && !recent_log
                && u.login_profile.is_none()
                && !u.access_keys.iter().any(key_used)
            {
                out.push(RemoveItem {
                    principal: Some(u.arn.clone()),
                    access_key: None,
                    reason: format!("aws:iam inventory ({}): no key used and no call in the last {days} days, no console password", self.snapshot.taken),
                    refs: self.refs(),
                });
            }
            for k in &u.access_keys {
                let active = k.status.as_deref() != Some("Inactive");
                let created_old = ms(k.created.as_deref()).is_some_and(|t| t < cutoff);
                if active && created_old && !key_used(k) {
                    out.push(RemoveItem {
                        principal: None,
                        access_key: Some(k.id.clone()),
                        reason: format!(
                            "aws:iam inventory ({}): active key of {} last used {}, more than {days} days before",
                            self.snapshot.taken,
                            u.name,
                            k.last_used.as_deref().unwrap_or("never")
                        ),
                        refs: self.refs(),
                    });
                }
            }
        }
        out
    }

    /// Active keys whose `CreateDate` is more than `days` before the snapshot.
    pub fn rotate(&self, days: i64) -> Vec<RotateItem> {
        let (Some(iam), Some(taken)) = (&self.snapshot.iam, self.taken_ms()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for u in &iam.users {
            for k in &u.access_keys {
                let Some(created) = ms(k.created.as_deref()) else {
                    continue;
                };
                let age = (taken - created) / DAY_MS;
                if k.status.as_deref() != Some("Inactive") && age > days {
                    out.push(RotateItem {
                        access_key: k.id.clone(),
                        principal: u.arn.clone(),
                        age_days: age,
                        reason: format!(
                            "created {} (aws:iam inventory CreateDate), {age} days before the snapshot",
                            k.created.as_deref().unwrap_or_default()
                        ),
                        refs: self.refs(),
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_inventory::Kind;
    use cloudcase_inventory::{AccessKey, IamInventory, User};

    fn inventory() -> Inventory {
        let mut s = Snapshot::new(Kind::Iam, "2024-12-31T00:00:00Z".into(), None, Vec::new());
        let key = |id: &str, created: &str, used: Option<&str>| AccessKey {
            id: id.into(),
            status: Some("Active".into()),
            created: Some(created.into()),
            last_used: used.map(Into::into),
            ..AccessKey::default()
        };
        s.iam = Some(IamInventory {
            users: vec![
                User {
                    name: "old".into(),
                    arn: "arn:aws:iam::1:user/old".into(),
                    created: Some("2020-01-01T00:00:00Z".into()),
                    access_keys: vec![key(
                        "AKIAOLD",
                        "2020-01-01T00:00:00Z",
                        Some("2021-01-01T00:00:00Z"),
                    )],
                    ..User::default()
                },
                User {
                    name: "busy".into(),
                    arn: "arn:aws:iam::1:user/busy".into(),
                    created: Some("2020-01-01T00:00:00Z".into()),
                    access_keys: vec![key(
                        "AKIABUSY",
                        "2024-12-01T00:00:00Z",
                        Some("2024-12-30T00:00:00Z"),
                    )],
                    ..User::default()
                },
            ],
            ..IamInventory::default()
        });
        Inventory {
            file: "objects/ab".into(),
            snapshot: s,
        }
    }

    #[test]
    fn unused_users_and_keys_and_old_keys() {
        let inv = inventory();
        let r = inv.remove(90, &|_| None);
        let names: Vec<_> = r
            .iter()
            .map(|i| i.principal.clone().or(i.access_key.clone()).unwrap())
            .collect();
        assert_eq!(names, ["arn:aws:iam::1:user/old", "AKIAOLD"]);
        assert_eq!(r[0].refs[0].file, "objects/ab");
        let recent = inv.taken_ms().unwrap();
        assert_eq!(
            inv.remove(90, &|_| Some(recent)).len(),
            1,
            "a recent call in the logs keeps the user"
        );
        let rot = inv.rotate(90);
        assert_eq!(rot.len(), 1);
        assert_eq!(rot[0].access_key, "AKIAOLD");
        assert!(rot[0].age_days > 1800);
    }
}
