//! A table's columns as data: leaves named by dotted paths, from which the Parquet schema
//! (nested groups, lists) and each leaf's definition and repetition levels follow.
//!
//! A path segment ending in `[]` is a list: `resources[].uid` is the `uid` of each element of
//! the list `resources`, and `metadata.labels[]` is a list of strings. Every group is optional
//! and present exactly when one of its leaves (or lists) has a value, so a mapping only ever
//! sets leaves.

use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::schema::types::{Type, TypePtr};

use crate::ExportError;

/// The type of a leaf column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// UTF-8 text.
    Str,
    /// A 32-bit integer.
    Int32,
    /// A 64-bit integer.
    Int64,
    /// A boolean.
    Bool,
    /// A UTC timestamp in microseconds.
    TimeMicros,
}

/// One leaf column as a table declares it.
#[derive(Debug, Clone, Copy)]
pub struct LeafSpec {
    /// Dotted path, `[]` marking lists.
    pub path: &'static str,
    /// Value type.
    pub kind: Kind,
    /// Whether every row has a value (outside lists only).
    pub required: bool,
}

/// One leaf column with its place in the nested schema.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The declaration.
    pub spec: LeafSpec,
    /// Indexes (in [`Table::groups`]) of the optional groups above the leaf, outermost first,
    /// not counting a list.
    pub groups: Vec<usize>,
    /// The list (index in [`Table::lists`]) the leaf belongs to.
    pub list: Option<usize>,
    /// The highest definition level.
    pub max_def: i16,
}

/// The columns of a table and its Parquet schema.
#[derive(Debug)]
pub struct Table {
    /// Leaves in declaration order (which is also Parquet's column order).
    pub leaves: Vec<Leaf>,
    /// Group paths (`metadata`, `metadata.product`, …).
    pub groups: Vec<String>,
    /// List paths (`resources`, `metadata.labels`).
    pub lists: Vec<String>,
    /// For each group, the lists below it.
    pub lists_under: Vec<Vec<usize>>,
    /// The Parquet message type.
    pub schema: TypePtr,
}

/// A node of the schema tree while it is built.
enum Node {
    Leaf(usize),
    Group(String, Vec<Node>),
    List(String, Vec<Node>),
}

impl Table {
    /// The table of `specs`. Leaves of one group must be declared next to each other, so that
    /// declaration order is the schema's depth-first order.
    pub fn new(specs: &[LeafSpec]) -> Result<Table, ExportError> {
        let mut root: Vec<Node> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            insert(&mut root, &split(spec.path), i);
        }
        let mut order = Vec::new();
        flatten(&root, &mut order);
        if order != (0..specs.len()).collect::<Vec<_>>() {
            return Err(ExportError::Schema(
                "leaves of one group must be declared together".into(),
            ));
        }
        let mut groups = Vec::new();
        let mut lists = Vec::new();
        let mut leaves = Vec::with_capacity(specs.len());
        for spec in specs {
            leaves.push(place(*spec, &mut groups, &mut lists));
        }
        let mut lists_under = vec![Vec::new(); groups.len()];
        for (li, list) in lists.iter().enumerate() {
            for (gi, group) in groups.iter().enumerate() {
                if list.starts_with(&format!("{group}.")) {
                    lists_under[gi].push(li);
                }
            }
        }
        let fields = root
            .iter()
            .map(|n| build(n, specs))
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(ExportError::from)?;
        Ok(Table {
            leaves,
            groups,
            lists,
            lists_under,
            schema: Arc::new(schema),
        })
    }

    /// The index of the leaf at `path`.
    pub fn leaf(&self, path: &str) -> Option<usize> {
        self.leaves.iter().position(|l| l.spec.path == path)
    }
}

/// `a.b[].c` → `["a", "b[]", "c"]`.
fn split(path: &str) -> Vec<&str> {
    path.split('.').collect()
}

fn insert(nodes: &mut Vec<Node>, segments: &[&str], leaf: usize) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if rest.is_empty() && !first.ends_with("[]") {
        nodes.push(Node::Leaf(leaf));
        return;
    }
    let is_list = first.ends_with("[]");
    let name = first.trim_end_matches("[]").to_owned();
    let found = nodes.iter_mut().rev().find_map(|n| match n {
        Node::Group(g, children) if !is_list && *g == name => Some(children),
        Node::List(g, children) if is_list && *g == name => Some(children),
        _ => None,
    });
    let children = match found {
        Some(children) => children,
        None => {
            nodes.push(if is_list {
                Node::List(name, Vec::new())
            } else {
                Node::Group(name, Vec::new())
            });
            match nodes.last_mut() {
                Some(Node::Group(_, c) | Node::List(_, c)) => c,
                _ => return,
            }
        }
    };
    if rest.is_empty() {
        children.push(Node::Leaf(leaf));
    } else {
        insert(children, rest, leaf);
    }
}

fn flatten(nodes: &[Node], out: &mut Vec<usize>) {
    for n in nodes {
        match n {
            Node::Leaf(i) => out.push(*i),
            Node::Group(_, c) | Node::List(_, c) => flatten(c, out),
        }
    }
}

/// The leaf's groups, list and levels; registers groups and lists as first met.
fn place(spec: LeafSpec, groups: &mut Vec<String>, lists: &mut Vec<String>) -> Leaf {
    let segments = split(spec.path);
    let mut prefix = String::new();
    let mut leaf = Leaf {
        spec,
        groups: Vec::new(),
        list: None,
        max_def: 0,
    };
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(seg.trim_end_matches("[]"));
        if seg.ends_with("[]") {
            let idx = index_of(lists, &prefix);
            leaf.list = Some(idx);
            // The optional list and its repeated group; a list of scalars' optional element.
            leaf.max_def += if i == last { 3 } else { 2 };
        } else if i < last {
            if leaf.list.is_none() {
                leaf.groups.push(index_of(groups, &prefix));
            }
            leaf.max_def += i16::from(leaf.list.is_none());
        } else if !spec.required {
            leaf.max_def += 1;
        }
    }
    leaf
}

fn index_of(names: &mut Vec<String>, name: &str) -> usize {
    match names.iter().position(|n| n == name) {
        Some(i) => i,
        None => {
            names.push(name.to_owned());
            names.len() - 1
        }
    }
}

fn build(node: &Node, specs: &[LeafSpec]) -> Result<TypePtr, ExportError> {
    Ok(Arc::new(match node {
        Node::Leaf(i) => {
            let spec = specs[*i];
            let name = spec.path.rsplit('.').next().unwrap_or(spec.path);
            let rep = if spec.required {
                Repetition::REQUIRED
            } else {
                Repetition::OPTIONAL
            };
            primitive(name.trim_end_matches("[]"), spec.kind, rep)?
        }
        Node::Group(name, children) => Type::group_type_builder(name)
            .with_repetition(Repetition::OPTIONAL)
            .with_fields(fields(children, specs)?)
            .build()?,
        Node::List(name, children) => list(name, children, specs)?,
    }))
}

/// The Parquet types of a group's children, in order.
fn fields(children: &[Node], specs: &[LeafSpec]) -> Result<Vec<Arc<Type>>, ExportError> {
    children.iter().map(|c| build(c, specs)).collect()
}

/// `optional group NAME (LIST) { repeated group list { ELEMENT } }`, where the element is
/// the one leaf itself (a list of scalars) or a required group of the leaves.
fn list(name: &str, children: &[Node], specs: &[LeafSpec]) -> Result<Type, ExportError> {
    let element = match children {
        [Node::Leaf(i)] if specs[*i].path.ends_with("[]") => {
            Arc::new(primitive("element", specs[*i].kind, Repetition::OPTIONAL)?)
        }
        _ => Arc::new(
            Type::group_type_builder("element")
                .with_repetition(Repetition::REQUIRED)
                .with_fields(fields(children, specs)?)
                .build()?,
        ),
    };
    let repeated = Type::group_type_builder("list")
        .with_repetition(Repetition::REPEATED)
        .with_fields(vec![element])
        .build()?;
    Ok(Type::group_type_builder(name)
        .with_repetition(Repetition::OPTIONAL)
        .with_logical_type(Some(LogicalType::List))
        .with_fields(vec![Arc::new(repeated)])
        .build()?)
}

fn primitive(name: &str, kind: Kind, rep: Repetition) -> Result<Type, ExportError> {
    let (physical, logical) = match kind {
        Kind::Str => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        Kind::Int32 => (Physical::INT32, None),
        Kind::Int64 => (Physical::INT64, None),
        Kind::Bool => (Physical::BOOLEAN, None),
        Kind::TimeMicros => (
            Physical::INT64,
            Some(LogicalType::Timestamp {
                is_adjusted_to_u_t_c: true,
                unit: TimeUnit::MICROS,
            }),
        ),
    };
    Ok(Type::primitive_type_builder(name, physical)
        .with_repetition(rep)
        .with_logical_type(logical)
        .build()?)
}

/// An optional leaf, for tests of this crate.
#[cfg(test)]
pub(crate) const fn leaf(path: &'static str, kind: Kind) -> LeafSpec {
    LeafSpec {
        path,
        kind,
        required: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_groups_and_lists_get_their_levels() {
        let t = Table::new(&[
            LeafSpec {
                path: "time",
                kind: Kind::TimeMicros,
                required: true,
            },
            leaf("metadata.product.name", Kind::Str),
            leaf("metadata.labels[]", Kind::Str),
            leaf("resources[].uid", Kind::Str),
            leaf("resources[].type", Kind::Str),
        ])
        .expect("table");
        let defs: Vec<i16> = t.leaves.iter().map(|l| l.max_def).collect();
        assert_eq!(defs, [0, 3, 4, 3, 3]);
        assert_eq!(t.groups, ["metadata", "metadata.product"]);
        assert_eq!(t.lists, ["metadata.labels", "resources"]);
        assert_eq!(t.lists_under[0], [0]);
        assert_eq!(t.leaves[2].groups, [0]);
        let descr = parquet::schema::types::SchemaDescriptor::new(t.schema.clone());
        let paths: Vec<String> = descr.columns().iter().map(|c| c.path().string()).collect();
        assert_eq!(
            paths,
            [
                "time",
                "metadata.product.name",
                "metadata.labels.list.element",
                "resources.list.element.uid",
                "resources.list.element.type"
            ]
        );
        for (c, l) in descr.columns().iter().zip(&t.leaves) {
            assert_eq!(c.max_def_level(), l.max_def, "{}", l.spec.path);
        }
    }

    #[test]
    fn scattered_group_members_are_refused() {
        let err = Table::new(&[
            leaf("a.x", Kind::Str),
            leaf("b", Kind::Str),
            leaf("a.y", Kind::Str),
        ]);
        assert!(err.is_err());
    }
}
