//! A finished image stage as an evidence source: the image (moved into the
//! store, not copied), its block manifest and its metadata, three objects.

use std::fs::File;
use std::path::PathBuf;

use super::stage::{Finished, ImageStage};
use crate::source::{
    ItemMeta, ListEntry, Locator, Opened, Source, SourceError, SourceItem, Staged,
};

/// Item keys.
const IMAGE: &str = "image";
const BLOCKS: &str = "blocks";
const METADATA: &str = "metadata";

/// The three objects of a finished image.
#[derive(Debug)]
pub struct StagedImageSource {
    kind: &'static str,
    uri: String,
    suffix: String,
    finished: Finished,
    image: PathBuf,
    blocks: PathBuf,
    metadata: PathBuf,
}

impl StagedImageSource {
    /// The source of `stage`'s finished image. `uri` names the image (e.g.
    /// `aws:ebs-snapshot/snap-…`), `suffix` is appended to every URI (e.g.
    /// `?region=eu-west-1`); the block manifest and metadata are recorded as
    /// `URI/blocks.jsonl` and `URI/metadata.json`.
    pub fn new(
        kind: &'static str,
        uri: &str,
        suffix: &str,
        stage: &ImageStage,
        finished: Finished,
    ) -> Self {
        Self {
            kind,
            uri: uri.to_owned(),
            suffix: suffix.to_owned(),
            finished,
            image: stage.image_path(),
            blocks: stage.blocks_path(),
            metadata: stage.metadata_path(),
        }
    }

    fn item(&self, key: &str, name: &str, size: u64, sha: &str) -> SourceItem {
        SourceItem {
            uri: format!("{}{name}{}", self.uri, self.suffix),
            locator: Locator::Key(key.to_owned()),
            size: Some(size),
            mtime: None,
            identity: Some(format!("sha256:{sha}")),
        }
    }

    fn path(&self, key: &str) -> &PathBuf {
        match key {
            IMAGE => &self.image,
            BLOCKS => &self.blocks,
            _ => &self.metadata,
        }
    }
}

impl Source for StagedImageSource {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn describe(&self) -> String {
        format!("{}{}", self.uri, self.suffix)
    }

    fn list(&self) -> Box<dyn Iterator<Item = ListEntry> + '_> {
        let f = &self.finished;
        Box::new(
            [
                self.item(IMAGE, "", f.image_size, &f.image_sha256),
                self.item(BLOCKS, "/blocks.jsonl", f.blocks_size, &f.blocks_sha256),
                self.item(
                    METADATA,
                    "/metadata.json",
                    f.metadata_size,
                    &f.metadata_sha256,
                ),
            ]
            .into_iter()
            .map(ListEntry::Item),
        )
    }

    fn open(&self, item: &SourceItem) -> Result<Opened, SourceError> {
        let key = match &item.locator {
            Locator::Key(k) => k.as_str(),
            _ => IMAGE,
        };
        let path = self.path(key);
        let file = File::open(path).map_err(|error| SourceError::Io {
            uri: item.uri.clone(),
            action: "open staged file",
            error,
        })?;
        Ok(Opened {
            reader: Box::new(file),
            meta: ItemMeta {
                size: item.size,
                mtime: None,
                metadata: if key == IMAGE {
                    self.finished.image_metadata.clone()
                } else {
                    Default::default()
                },
            },
        })
    }

    fn staged(&self, item: &SourceItem) -> Option<Staged> {
        (item.locator == Locator::Key(IMAGE.to_owned())).then(|| Staged {
            path: self.image.clone(),
            sha256: self.finished.image_sha256.clone(),
            size: self.finished.image_size,
            metadata: self.finished.image_metadata.clone(),
        })
    }
}
