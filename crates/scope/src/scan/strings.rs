//! Interned strings: the values candidate events repeat (event names, services, regions, keys,
//! ARNs, addresses, user agents) kept once per worker and shared, so that the candidates of a
//! long input cost little more than their pointers.

use std::collections::HashSet;
use std::sync::Arc;

use cloudcase_event::Identity;

use super::candidate::CallerIdentity;
use super::FastMap;

/// A set of shared strings, and of the caller identities made of them.
#[derive(Debug, Default)]
pub struct Strings {
    set: HashSet<Arc<str>, foldhash::fast::RandomState>,
    /// Caller identities by the addresses of their shared strings: equal strings are one
    /// allocation here, so equal addresses are equal identities.
    callers: FastMap<[usize; 6], Arc<CallerIdentity>>,
}

/// The address of a shared string (0 for none): its identity within one [`Strings`].
fn address(s: &Option<Arc<str>>) -> usize {
    s.as_ref()
        .map_or(0, |a| Arc::as_ptr(a).cast::<u8>() as usize)
}

impl Strings {
    /// The shared copy of `s`, made the first time it is asked for.
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(found) = self.set.get(s) {
            return found.clone();
        }
        let new: Arc<str> = s.into();
        self.set.insert(new.clone());
        new
    }

    /// [`Strings::get`] for an optional value.
    pub fn opt(&mut self, s: Option<&str>) -> Option<Arc<str>> {
        s.map(|s| self.get(s))
    }

    /// The shared caller identity of `id`, made the first time it is asked for.
    pub fn caller(&mut self, id: &Identity) -> Arc<CallerIdentity> {
        let caller = CallerIdentity {
            key: self.opt(id.access_key_id.as_deref()),
            arn: self.opt(id.arn.as_deref()),
            kind: self.opt(id.kind.as_deref()),
            user: self.opt(id.user_name.as_deref()),
            issuer: self.opt(id.session_issuer_name.as_deref()),
            account: self.opt(id.account_id.as_deref()),
        };
        let fields = [
            &caller.key,
            &caller.arn,
            &caller.kind,
            &caller.user,
            &caller.issuer,
            &caller.account,
        ];
        let addresses = fields.map(address);
        Arc::clone(
            self.callers
                .entry(addresses)
                .or_insert_with(|| Arc::new(caller)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_copy() {
        let mut s = Strings::default();
        let a = s.get("ListBuckets");
        let b = s.get(&String::from("ListBuckets"));
        let c = s.get("GetObject");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*c, "GetObject");
        assert_eq!(s.opt(None), None);
        let d = s.opt(Some("GetObject")).unwrap();
        assert!(Arc::ptr_eq(&d, &c));
    }
}
