//! A source of one item generated in memory: an inventory snapshot taken
//! before the acquisition starts, stored as one evidence object.

use std::io::Cursor;

use cloudcase_evidence::{ItemMeta, ListEntry, Locator, Opened, Source, SourceError, SourceItem};

/// One in-memory document with the URI and kind the manifest records.
pub struct MemorySource {
    kind: &'static str,
    uri: String,
    content: Vec<u8>,
}

impl MemorySource {
    /// A source whose single item is `content`, recorded as coming from `uri`.
    pub fn new(kind: &'static str, uri: String, content: Vec<u8>) -> Self {
        MemorySource { kind, uri, content }
    }
}

impl Source for MemorySource {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn describe(&self) -> String {
        self.uri.clone()
    }

    fn list(&self) -> Box<dyn Iterator<Item = ListEntry> + '_> {
        Box::new(std::iter::once(ListEntry::Item(SourceItem {
            uri: self.uri.clone(),
            locator: Locator::Key(self.uri.clone()),
            size: Some(self.content.len() as u64),
            mtime: None,
            identity: None,
        })))
    }

    fn open(&self, _item: &SourceItem) -> Result<Opened, SourceError> {
        Ok(Opened {
            reader: Box::new(Cursor::new(self.content.clone())),
            meta: ItemMeta {
                size: Some(self.content.len() as u64),
                ..ItemMeta::default()
            },
        })
    }
}
