//! Principal names as compact ids: state keyed per principal holds a `u32`
//! instead of a copy of (or a pointer to) the name.

use crate::FastMap;
use std::sync::Arc;

/// Interned names of one worker's state: `id → name` and `name → id`.
#[derive(Debug, Default)]
pub struct Names {
    ids: FastMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

impl Names {
    /// The id of `name`, giving it the next id if it is new.
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let name: Arc<str> = Arc::from(name);
        self.ids.insert(Arc::clone(&name), id);
        self.names.push(name);
        id
    }

    /// Every name, in id order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| &**n)
    }

    /// The name of `id` (empty for an id this table never gave).
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn a_name_keeps_its_id_and_ids_give_back_names() {
        let mut names = Names::default();
        let alice = names.id("alice");
        let bob = names.id("bob");
        assert_ne!(alice, bob);
        assert_eq!(names.id("alice"), alice);
        assert_eq!(names.name(alice), "alice");
        assert_eq!(names.name(bob), "bob");
        assert_eq!(names.name(7), "");
    }
}
