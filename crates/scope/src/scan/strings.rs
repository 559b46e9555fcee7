//! Interned strings: the values candidate events repeat (event names, services, regions, keys,
//! ARNs, addresses, user agents) kept once per worker and shared, so that the candidates of a
//! long input cost little more than their pointers.

use std::collections::HashSet;
use std::sync::Arc;

/// A set of shared strings.
#[derive(Debug, Default)]
pub struct Strings {
    set: HashSet<Arc<str>, foldhash::fast::RandomState>,
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
