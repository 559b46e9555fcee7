//! Rows buffered column by column, and written as one Parquet row group.

use std::borrow::Cow;
use std::io::Write;

use bytes::Bytes;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::writer::SerializedFileWriter;

use crate::schema::{Kind, Table};
use crate::ExportError;

/// One leaf value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Text (also timestamps' and integers' callers never use it).
    Str(Cow<'a, str>),
    /// An integer (for `Int32`, `Int64` and `TimeMicros` leaves).
    Int(i64),
    /// A boolean.
    Bool(bool),
}

/// The values of one row, leaf by leaf; list leaves hold one value per element.
#[derive(Debug)]
pub struct Row<'a> {
    values: Vec<Option<Value<'a>>>,
    /// Values of list leaves, by leaf index (few: only lists that are set).
    elements: Vec<(usize, Vec<Option<Value<'a>>>)>,
    lists: Vec<Option<usize>>,
}

impl<'a> Row<'a> {
    /// An empty row of `table`.
    pub fn new(table: &Table) -> Row<'a> {
        Row {
            values: vec![None; table.leaves.len()],
            elements: Vec::new(),
            lists: vec![None; table.lists.len()],
        }
    }

    /// Sets a leaf outside any list.
    pub fn set(&mut self, leaf: usize, value: Option<Value<'a>>) {
        self.values[leaf] = value;
    }

    /// Sets list `list` to `len` elements (all of its leaves then need `len` values).
    pub fn set_list(&mut self, list: usize, len: usize) {
        self.lists[list] = Some(len);
    }

    /// The value of a leaf outside any list.
    pub fn value(&self, leaf: usize) -> Option<&Value<'a>> {
        self.values.get(leaf).and_then(Option::as_ref)
    }

    /// The values of a leaf inside a list, one per element.
    pub fn elements(&self, leaf: usize) -> &[Option<Value<'a>>] {
        self.elements
            .iter()
            .find(|(l, _)| *l == leaf)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// Sets the values of a leaf inside a list, one per element.
    pub fn set_elements(&mut self, leaf: usize, values: Vec<Option<Value<'a>>>) {
        self.elements.retain(|(l, _)| *l != leaf);
        self.elements.push((leaf, values));
    }
}

/// One column's buffered values and levels.
#[derive(Debug)]
enum Values {
    Str { data: Vec<u8>, ends: Vec<usize> },
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Bool(Vec<bool>),
}

#[derive(Debug)]
struct Column {
    values: Values,
    def: Vec<i16>,
    rep: Vec<i16>,
}

/// Rows of one table buffered by column: what one row group will hold.
#[derive(Debug)]
pub struct Columns {
    cols: Vec<Column>,
    rows: usize,
    bytes: usize,
    used: usize,
    present: Vec<bool>,
}

/// Levels written per `write_batch` call.
const BATCH: usize = 8192;

impl Columns {
    /// Empty buffers for `table`.
    pub fn new(table: &Table) -> Columns {
        let cols = table
            .leaves
            .iter()
            .map(|l| Column {
                values: match l.spec.kind {
                    Kind::Str => Values::Str {
                        data: Vec::new(),
                        ends: Vec::new(),
                    },
                    Kind::Int32 => Values::Int32(Vec::new()),
                    Kind::Int64 | Kind::TimeMicros => Values::Int64(Vec::new()),
                    Kind::Bool => Values::Bool(Vec::new()),
                },
                def: Vec::new(),
                rep: Vec::new(),
            })
            .collect();
        Columns {
            cols,
            rows: 0,
            bytes: 0,
            used: 0,
            present: vec![false; table.groups.len()],
        }
    }

    /// Rows buffered.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Bytes allocated for the buffered values and levels (at least the row group's
    /// uncompressed size), so that a memory bound on it bounds what is really allocated.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Bytes of the buffered values and levels (the row group's uncompressed size, roughly).
    pub fn used(&self) -> usize {
        self.used
    }

    /// Appends `row`.
    pub fn push(&mut self, table: &Table, row: &Row<'_>) {
        self.present.iter_mut().for_each(|p| *p = false);
        for (i, leaf) in table.leaves.iter().enumerate() {
            let has = match leaf.list {
                None => row.values[i].is_some(),
                Some(l) => row.lists[l].is_some(),
            };
            if has {
                for g in &leaf.groups {
                    self.present[*g] = true;
                }
            }
        }
        for (i, leaf) in table.leaves.iter().enumerate() {
            let base = leaf.groups.iter().filter(|g| self.present[**g]).count() as i16;
            let col = &mut self.cols[i];
            let before = col.capacity();
            let used = col.used();
            match leaf.list {
                None => {
                    let def = match &row.values[i] {
                        Some(v) => {
                            push_value(&mut col.values, v);
                            leaf.max_def
                        }
                        None => base,
                    };
                    if leaf.max_def > 0 {
                        col.def.push(def);
                    }
                }
                Some(l) => match row.lists[l] {
                    None | Some(0) => {
                        col.def.push(base + i16::from(row.lists[l].is_some()));
                        col.rep.push(0);
                    }
                    Some(n) => {
                        for j in 0..n {
                            let def = match row.elements(i).get(j).and_then(Option::as_ref) {
                                Some(v) => {
                                    push_value(&mut col.values, v);
                                    leaf.max_def
                                }
                                None => leaf.max_def - 1,
                            };
                            col.def.push(def);
                            col.rep.push(i16::from(j > 0));
                        }
                    }
                },
            }
            self.bytes += col.capacity() - before;
            self.used += col.used() - used;
        }
        self.rows += 1;
    }

    /// Writes the buffered rows as one row group of `writer`, then empties the buffers but
    /// keeps their memory for the next row group (no regrowth, no fresh pages to clear).
    pub fn write<W: Write + Send>(
        &mut self,
        table: &Table,
        writer: &mut SerializedFileWriter<W>,
    ) -> Result<(), ExportError> {
        let mut group = writer.next_row_group()?;
        let mut cols = self.cols.iter_mut().zip(&table.leaves);
        while let Some(mut out) = group.next_column()? {
            let Some((col, leaf)) = cols.next() else {
                return Err(ExportError::Schema("more columns than leaves".into()));
            };
            let values = Prepared::of(&mut col.values);
            if leaf.max_def > 0 {
                let mut taken = 0;
                let mut start = 0;
                while start < col.def.len() {
                    let mut end = (start + BATCH).min(col.def.len());
                    // A batch starts at a record boundary: never inside one row's list.
                    while leaf.list.is_some() && end < col.rep.len() && col.rep[end] != 0 {
                        end += 1;
                    }
                    let def = &col.def[start..end];
                    let n = def.iter().filter(|d| **d == leaf.max_def).count();
                    let rep = leaf.list.map(|_| &col.rep[start..end]);
                    values.write(out.untyped(), taken..taken + n, Some(def), rep)?;
                    taken += n;
                    start = end;
                }
            } else {
                let len = values.len();
                for start in (0..len).step_by(BATCH) {
                    values.write(out.untyped(), start..(start + BATCH).min(len), None, None)?;
                }
            }
            out.close()?;
            let text = values.give_back();
            col.values.clear(text);
            col.def.clear();
            col.rep.clear();
        }
        group.close()?;
        self.rows = 0;
        self.used = 0;
        self.bytes = self.cols.iter().map(Column::capacity).sum();
        Ok(())
    }
}

/// Appends one value.
fn push_value(values: &mut Values, v: &Value<'_>) {
    match (values, v) {
        (Values::Str { data, ends }, Value::Str(s)) => {
            data.extend_from_slice(s.as_bytes());
            ends.push(data.len());
        }
        (Values::Int32(out), Value::Int(n)) => out.push(i32::try_from(*n).unwrap_or(i32::MAX)),
        (Values::Int64(out), Value::Int(n)) => out.push(*n),
        (Values::Bool(out), Value::Bool(b)) => out.push(*b),
        // A mapping giving a leaf the wrong type is a bug caught by the tables' tests; the
        // value is dropped rather than written into another column's type.
        _ => {}
    }
}

impl Column {
    /// Bytes allocated for the column's values and levels.
    fn capacity(&self) -> usize {
        let values = match &self.values {
            Values::Str { data, ends } => data.capacity() + ends.capacity() * 8,
            Values::Int32(v) => v.capacity() * 4,
            Values::Int64(v) => v.capacity() * 8,
            Values::Bool(v) => v.capacity(),
        };
        values + (self.def.capacity() + self.rep.capacity()) * 2
    }

    /// Bytes of the column's values and levels.
    fn used(&self) -> usize {
        let values = match &self.values {
            Values::Str { data, ends } => data.len() + ends.len() * 8,
            Values::Int32(v) => v.len() * 4,
            Values::Int64(v) => v.len() * 8,
            Values::Bool(v) => v.len(),
        };
        values + (self.def.len() + self.rep.len()) * 2
    }
}

/// A column's values ready for parquet's writer: text values slice the column's buffer
/// (taken for the write and given back after it), the others are borrowed.
enum Prepared<'c> {
    Str { values: Vec<ByteArray>, all: Bytes },
    Int32(&'c [i32]),
    Int64(&'c [i64]),
    Bool(&'c [bool]),
}

impl<'c> Prepared<'c> {
    fn of(values: &'c mut Values) -> Prepared<'c> {
        match values {
            Values::Str { data, ends } => {
                let all = Bytes::from(std::mem::take(data));
                let mut start = 0;
                let values = ends
                    .drain(..)
                    .map(|end| {
                        let v = ByteArray::from(all.slice(start..end));
                        start = end;
                        v
                    })
                    .collect();
                Prepared::Str { values, all }
            }
            Values::Int32(v) => Prepared::Int32(v),
            Values::Int64(v) => Prepared::Int64(v),
            Values::Bool(v) => Prepared::Bool(v),
        }
    }

    /// The text buffer back, when the writer kept no slice of it.
    fn give_back(self) -> Option<Vec<u8>> {
        match self {
            Prepared::Str { values, all } => {
                drop(values);
                all.try_into_mut().ok().map(Vec::from)
            }
            _ => None,
        }
    }
}

impl Values {
    /// Empties the values, keeping their memory (and taking `text` back as the text buffer).
    fn clear(&mut self, text: Option<Vec<u8>>) {
        match self {
            Values::Str { data, ends } => {
                if let Some(buf) = text {
                    *data = buf;
                }
                data.clear();
                ends.clear();
            }
            Values::Int32(v) => v.clear(),
            Values::Int64(v) => v.clear(),
            Values::Bool(v) => v.clear(),
        }
    }
}

impl Prepared<'_> {
    fn len(&self) -> usize {
        match self {
            Prepared::Str { values, .. } => values.len(),
            Prepared::Int32(v) => v.len(),
            Prepared::Int64(v) => v.len(),
            Prepared::Bool(v) => v.len(),
        }
    }

    fn write(
        &self,
        out: &mut ColumnWriter<'_>,
        range: std::ops::Range<usize>,
        def: Option<&[i16]>,
        rep: Option<&[i16]>,
    ) -> Result<(), ExportError> {
        match (out, self) {
            (ColumnWriter::ByteArrayColumnWriter(w), Prepared::Str { values: v, .. }) => {
                w.write_batch(&v[range], def, rep)?;
            }
            (ColumnWriter::Int32ColumnWriter(w), Prepared::Int32(v)) => {
                w.write_batch(&v[range], def, rep)?;
            }
            (ColumnWriter::Int64ColumnWriter(w), Prepared::Int64(v)) => {
                w.write_batch(&v[range], def, rep)?;
            }
            (ColumnWriter::BoolColumnWriter(w), Prepared::Bool(v)) => {
                w.write_batch(&v[range], def, rep)?;
            }
            _ => return Err(ExportError::Schema("a column's type changed".into())),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use parquet::file::properties::WriterProperties;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;
    use crate::schema::{leaf, LeafSpec};

    fn s(v: &str) -> Option<Value<'_>> {
        Some(Value::Str(Cow::Borrowed(v)))
    }

    /// Every row of a written file, as parquet's row reader prints it.
    fn rows_of(reader: &SerializedFileReader<Bytes>) -> Vec<String> {
        reader
            .get_row_iter(None)
            .expect("rows")
            .map(|r| r.expect("row").to_string())
            .collect()
    }

    /// Writes `cols` as one file in memory and reads its rows back.
    fn round_trip(cols: &mut Columns, table: &Table) -> Vec<String> {
        let mut buf = Vec::new();
        let props = Arc::new(WriterProperties::builder().build());
        let mut w =
            SerializedFileWriter::new(&mut buf, Arc::clone(&table.schema), props).expect("writer");
        cols.write(table, &mut w).expect("write");
        w.close().expect("close");
        rows_of(&SerializedFileReader::new(Bytes::from(buf)).expect("reader"))
    }

    /// Rows of three list elements: the 8192-level batch boundary falls inside a row, which
    /// parquet refuses ("Write must start at a record boundary") unless batches are cut there.
    #[test]
    fn lists_longer_than_a_batch_are_cut_at_record_boundaries() {
        let table =
            Table::new(&[leaf("id", Kind::Int64), leaf("items[].uid", Kind::Str)]).expect("table");
        let rows = 3000;
        let mut cols = Columns::new(&table);
        for i in 0..rows {
            let mut r = Row::new(&table);
            r.set(0, Some(Value::Int(i)));
            r.set_list(0, 3);
            r.set_elements(1, vec![s("a"), s("b"), s("c")]);
            cols.push(&table, &r);
        }
        let got = round_trip(&mut cols, &table);
        assert_eq!(got.len(), rows as usize);
        assert_eq!(
            got[2730],
            r#"{id: 2730, items: [{uid: "a"}, {uid: "b"}, {uid: "c"}]}"#
        );
    }

    /// A second row group from the same buffers holds only its own rows, and the buffers keep
    /// their memory in between.
    #[test]
    fn buffers_are_emptied_but_kept_between_row_groups() {
        let table = Table::new(&[leaf("id", Kind::Int64), leaf("name", Kind::Str)]).expect("table");
        let mut cols = Columns::new(&table);
        let mut buf = Vec::new();
        let props = Arc::new(WriterProperties::builder().build());
        let mut w =
            SerializedFileWriter::new(&mut buf, Arc::clone(&table.schema), props).expect("writer");
        for group in 0..2 {
            for i in 0..1000 {
                let mut r = Row::new(&table);
                r.set(0, Some(Value::Int(group * 1000 + i)));
                let name = format!("n{group}-{i}");
                r.set(1, s(&name));
                cols.push(&table, &r);
            }
            let held = cols.bytes();
            assert!(cols.used() > 0 && cols.used() <= held);
            cols.write(&table, &mut w).expect("write");
            assert_eq!((cols.rows(), cols.used()), (0, 0));
            assert_eq!(cols.bytes(), held, "memory kept for the next row group");
        }
        w.close().expect("close");
        let reader = SerializedFileReader::new(Bytes::from(buf)).expect("reader");
        assert_eq!(reader.metadata().num_row_groups(), 2);
        let rows = rows_of(&reader);
        assert_eq!(rows.len(), 2000);
        assert_eq!(rows[999], r#"{id: 999, name: "n0-999"}"#);
        assert_eq!(rows[1000], r#"{id: 1000, name: "n1-0"}"#);
    }

    #[test]
    fn nested_values_lists_and_nulls_read_back_as_written() {
        let table = Table::new(&[
            LeafSpec {
                path: "n",
                kind: Kind::Int64,
                required: true,
            },
            leaf("a.b", Kind::Str),
            leaf("a.tags[]", Kind::Str),
            leaf("a.ok", Kind::Bool),
            leaf("items[].uid", Kind::Str),
            leaf("items[].size", Kind::Int32),
        ])
        .expect("table");
        let mut cols = Columns::new(&table);
        // Row 0: everything; row 1: nothing optional; row 2: empty list, an element's null.
        let mut r = Row::new(&table);
        r.set(0, Some(Value::Int(0)));
        r.set(1, s("x"));
        r.set_list(0, 2);
        r.set_elements(2, vec![s("t1"), None]);
        r.set(3, Some(Value::Bool(true)));
        r.set_list(1, 1);
        r.set_elements(4, vec![s("u")]);
        r.set_elements(5, vec![Some(Value::Int(7))]);
        cols.push(&table, &r);
        let mut r = Row::new(&table);
        r.set(0, Some(Value::Int(1)));
        cols.push(&table, &r);
        let mut r = Row::new(&table);
        r.set(0, Some(Value::Int(2)));
        r.set_list(0, 0);
        r.set_list(1, 2);
        r.set_elements(4, vec![None, s("v")]);
        r.set_elements(5, vec![Some(Value::Int(1)), None]);
        cols.push(&table, &r);
        assert_eq!(cols.rows(), 3);
        let rows = round_trip(&mut cols, &table);
        assert_eq!(
            rows,
            [
                r#"{n: 0, a: {b: "x", tags: ["t1", null], ok: true}, items: [{uid: "u", size: 7}]}"#,
                r#"{n: 1, a: null, items: null}"#,
                r#"{n: 2, a: {b: null, tags: [], ok: null}, items: [{uid: null, size: 1}, {uid: "v", size: null}]}"#,
            ]
        );
    }
}
