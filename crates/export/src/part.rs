//! One part file: written under a hidden temporary name, renamed to `part-<n>.parquet` only
//! once its footer is written, so an interrupted export never leaves a half file named as a
//! part (engines skip names starting with `.`).

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

use crate::columns::Columns;
use crate::schema::Table;
use crate::ExportError;

/// An open part file.
pub struct PartWriter {
    writer: Option<SerializedFileWriter<BufWriter<File>>>,
    tmp: PathBuf,
    path: PathBuf,
}

impl PartWriter {
    /// Creates part `n` in `dir` (creating `dir`).
    pub fn create(
        dir: &Path,
        n: u64,
        table: &Table,
        props: &Arc<WriterProperties>,
    ) -> Result<PartWriter, ExportError> {
        fs::create_dir_all(dir).map_err(|e| ExportError::io(dir, e))?;
        let path = dir.join(format!("part-{n}.parquet"));
        let tmp = dir.join(format!(".part-{n}.parquet.partial"));
        let file = File::create_new(&tmp).map_err(|e| ExportError::io(&tmp, e))?;
        let writer = SerializedFileWriter::new(
            BufWriter::with_capacity(1 << 20, file),
            Arc::clone(&table.schema),
            Arc::clone(props),
        )?;
        Ok(PartWriter {
            writer: Some(writer),
            tmp,
            path,
        })
    }

    /// Appends `columns` as one row group (emptying them).
    pub fn write(&mut self, table: &Table, columns: &mut Columns) -> Result<(), ExportError> {
        match self.writer.as_mut() {
            Some(w) => columns.write(table, w),
            None => Err(ExportError::Schema("part file already closed".into())),
        }
    }

    /// Writes the footer, closes the file and gives it its part name.
    pub fn finish(mut self) -> Result<PathBuf, ExportError> {
        if let Some(w) = self.writer.take() {
            w.close()?;
        }
        fs::rename(&self.tmp, &self.path).map_err(|e| ExportError::io(&self.path, e))?;
        Ok(self.path.clone())
    }
}

impl Drop for PartWriter {
    /// A part never finished (an error elsewhere) leaves no temporary file behind.
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
