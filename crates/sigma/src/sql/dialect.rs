//! The SQL dialects: how each spells the functions the compiled rules need
//! (string literals, `LIKE … ESCAPE`, regular expressions, JSON navigation,
//! lists and any-element lambdas).
//!
//! JSON nodes are the dialect's JSON type in DuckDB and Trino and JSON text
//! in Spark (which has no JSON type before its `VARIANT`).

/// A SQL dialect the rules compile to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SqlDialect {
    /// Apache Spark SQL (3.4 or later): EMR, Glue, Databricks, Athena for Spark.
    Spark,
    /// DuckDB (1.1 or later).
    DuckDb,
    /// Trino and Athena (engine version 3).
    Trino,
}

impl SqlDialect {
    /// The name used on the command line (`spark`, `duckdb`, `trino`).
    pub fn as_str(self) -> &'static str {
        match self {
            SqlDialect::Spark => "spark",
            SqlDialect::DuckDb => "duckdb",
            SqlDialect::Trino => "trino",
        }
    }

    /// A string literal holding exactly `s`.
    pub(crate) fn string(self, s: &str) -> String {
        match self {
            // Spark string literals treat backslash as an escape character.
            SqlDialect::Spark => {
                let mut out = String::with_capacity(s.len() + 2);
                out.push('\'');
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// `text LIKE pattern` with `\` escaping `%`, `_` and `\` in `pattern`.
    pub(crate) fn like(self, text: &str, pattern: &str) -> String {
        let lit = self.string(pattern);
        match self {
            // Spark's LIKE escapes with `\` by default.
            SqlDialect::Spark => format!("{text} LIKE {lit}"),
            _ => format!("{text} LIKE {lit} ESCAPE '\\'"),
        }
    }

    /// Whether `text` contains a match of the (already translated) `pattern`.
    pub(crate) fn regex(self, text: &str, pattern: &str) -> String {
        let lit = self.string(pattern);
        match self {
            SqlDialect::Spark => format!("{text} RLIKE {lit}"),
            SqlDialect::DuckDb => format!("regexp_matches({text}, {lit})"),
            SqlDialect::Trino => format!("regexp_like({text}, {lit})"),
        }
    }

    /// Group `group` of the first match of `pattern` in `text` ('' or NULL when none).
    pub(crate) fn regex_group(self, text: &str, pattern: &str, group: u8) -> String {
        format!("regexp_extract({text}, {}, {group})", self.string(pattern))
    }

    /// `text` as a double, NULL when it is not a number.
    pub(crate) fn try_double(self, text: &str) -> String {
        match self {
            SqlDialect::Spark => format!("try_cast({text} AS DOUBLE)"),
            _ => format!("TRY_CAST({text} AS DOUBLE)"),
        }
    }

    /// `text` as a bigint, NULL when it is not one.
    pub(crate) fn try_bigint(self, text: &str) -> String {
        match self {
            SqlDialect::Spark => format!("try_cast({text} AS BIGINT)"),
            _ => format!("TRY_CAST({text} AS BIGINT)"),
        }
    }

    /// The hexadecimal digits `text` as an integer.
    pub(crate) fn hex(self, text: &str) -> String {
        match self {
            SqlDialect::Spark => format!("try_cast(conv({text}, 16, 10) AS BIGINT)"),
            SqlDialect::DuckDb => format!("TRY_CAST('0x' || {text} AS BIGINT)"),
            SqlDialect::Trino => format!("try(from_base({text}, 16))"),
        }
    }

    /// The root JSON node of the raw-text column `raw` (NULL when it is not JSON).
    pub(crate) fn json_root(self, raw: &str) -> String {
        match self {
            SqlDialect::Spark => raw.to_owned(),
            SqlDialect::DuckDb => {
                format!("(CASE WHEN json_valid({raw}) THEN CAST({raw} AS JSON) END)")
            }
            SqlDialect::Trino => format!("try(json_parse({raw}))"),
        }
    }

    /// The scalar text at the object path `path` (dotted, plain keys) of the
    /// JSON text column `raw`, NULL when absent: for display columns only.
    pub(crate) fn json_scalar(self, raw: &str, path: &str) -> String {
        match self {
            SqlDialect::Spark => format!(
                "get_json_object({raw}, {})",
                self.string(&format!("$.{path}"))
            ),
            SqlDialect::DuckDb => format!(
                "json_extract_string({raw}, {})",
                self.string(&format!("$.{path}"))
            ),
            SqlDialect::Trino => format!(
                "json_extract_scalar({raw}, {})",
                self.string(&format!("$.{path}"))
            ),
        }
    }

    /// The member `key` of the JSON object `node` (NULL when absent or not an object).
    pub(crate) fn json_child(self, node: &str, key: &str) -> String {
        match self {
            SqlDialect::Spark => format!(
                "get_json_object({node}, {})",
                self.string(&format!("$.{key}"))
            ),
            SqlDialect::DuckDb => format!(
                "json_extract({node}, {})",
                self.string(&format!("$.\"{key}\""))
            ),
            SqlDialect::Trino => format!(
                "json_extract({node}, {})",
                self.string(&format!("$[\"{key}\"]"))
            ),
        }
    }

    /// Whether the JSON object `node` has the member `key` (even `null`).
    pub(crate) fn json_has_key(self, node: &str, key: &str) -> String {
        let k = self.string(key);
        match self {
            SqlDialect::Spark => {
                format!("coalesce(array_contains(json_object_keys({node}), {k}), false)")
            }
            SqlDialect::DuckDb => format!(
                "coalesce(json_exists({node}, {}), false)",
                self.string(&format!("$.\"{key}\""))
            ),
            SqlDialect::Trino => format!(
                "coalesce(contains(map_keys(TRY_CAST({node} AS MAP(VARCHAR, JSON))), {k}), false)"
            ),
        }
    }

    /// The text of the JSON node `node`: a string's content, a number's or
    /// boolean's JSON text, an object's compact JSON; NULL for `null`.
    pub(crate) fn json_text(self, node: &str) -> String {
        match self {
            SqlDialect::Spark => node.to_owned(),
            SqlDialect::DuckDb => format!("json_extract_string({node}, '$')"),
            SqlDialect::Trino => format!(
                "(CASE WHEN is_json_scalar({node}) THEN json_extract_scalar({node}, '$') ELSE json_format({node}) END)"
            ),
        }
    }

    /// The elements of `node` when it is an array, else `node` alone; empty when NULL.
    pub(crate) fn json_list(self, node: &str) -> String {
        match self {
            SqlDialect::Spark => format!(
                "(CASE WHEN {node} IS NULL THEN CAST(array() AS ARRAY<STRING>) WHEN ltrim({node}) LIKE '[%' THEN coalesce(from_json({node}, 'ARRAY<STRING>'), array({node})) ELSE array({node}) END)"
            ),
            SqlDialect::DuckDb => format!(
                "(CASE WHEN {node} IS NULL THEN CAST([] AS JSON[]) WHEN json_type({node}) = 'ARRAY' THEN CAST({node} AS JSON[]) ELSE [{node}] END)"
            ),
            SqlDialect::Trino => format!(
                "(CASE WHEN {node} IS NULL THEN CAST(ARRAY[] AS ARRAY(JSON)) WHEN json_array_length({node}) IS NOT NULL THEN CAST({node} AS ARRAY(JSON)) ELSE ARRAY[{node}] END)"
            ),
        }
    }

    /// The concatenation of `body` (a list) for each element `var` of `list`.
    pub(crate) fn flat_map(self, list: &str, var: &str, body: &str) -> String {
        match self {
            SqlDialect::DuckDb => format!("flatten(list_transform({list}, lambda {var}: {body}))"),
            _ => format!("flatten(transform({list}, {var} -> {body}))"),
        }
    }

    /// Whether `pred` holds for some element `var` of `list` (never NULL).
    pub(crate) fn any(self, list: &str, var: &str, pred: &str) -> String {
        match self {
            SqlDialect::Spark => format!("exists({list}, {var} -> coalesce({pred}, false))"),
            SqlDialect::DuckDb => {
                format!("(len(list_filter({list}, lambda {var}: coalesce({pred}, false))) > 0)")
            }
            SqlDialect::Trino => format!("any_match({list}, {var} -> coalesce({pred}, false))"),
        }
    }

    /// Whether `list` has elements.
    pub(crate) fn non_empty(self, list: &str) -> String {
        match self {
            SqlDialect::Spark => format!("(size({list}) > 0)"),
            SqlDialect::DuckDb => format!("(len({list}) > 0)"),
            SqlDialect::Trino => format!("(cardinality({list}) > 0)"),
        }
    }

    /// Whether `text` starts with `prefix` (both text expressions).
    pub(crate) fn starts_with(self, text: &str, prefix: &str) -> String {
        format!("(substr({text}, 1, length({prefix})) = {prefix})")
    }

    /// Whether `text` ends with `suffix`.
    pub(crate) fn ends_with(self, text: &str, suffix: &str) -> String {
        format!(
            "(length({text}) >= length({suffix}) AND substr({text}, length({text}) - length({suffix}) + 1) = {suffix})"
        )
    }

    /// Whether `text` contains `needle`.
    pub(crate) fn contains(self, text: &str, needle: &str) -> String {
        match self {
            SqlDialect::Spark => format!("(instr({text}, {needle}) > 0)"),
            _ => format!("(strpos({text}, {needle}) > 0)"),
        }
    }

    /// The part of `text` after the first `sep` (a literal), NULL when absent.
    pub(crate) fn after_first(self, text: &str, sep: &str) -> String {
        let s = self.string(sep);
        let pos = match self {
            SqlDialect::Spark => format!("instr({text}, {s})"),
            _ => format!("strpos({text}, {s})"),
        };
        format!(
            "(CASE WHEN {pos} > 0 THEN substr({text}, {pos} + {}) END)",
            sep.chars().count()
        )
    }
}

impl std::fmt::Display for SqlDialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SqlDialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "spark" => Ok(SqlDialect::Spark),
            "duckdb" => Ok(SqlDialect::DuckDb),
            "trino" | "athena" => Ok(SqlDialect::Trino),
            other => Err(format!(
                "unknown SQL dialect {other:?} (spark, duckdb, trino)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_per_dialect() {
        assert_eq!(SqlDialect::DuckDb.string(r"a'b\c"), r"'a''b\c'");
        assert_eq!(SqlDialect::Trino.string("it's"), "'it''s'");
        assert_eq!(SqlDialect::Spark.string(r"a'b\c"), r"'a\'b\\c'");
    }

    #[test]
    fn like_escapes() {
        assert_eq!(
            SqlDialect::DuckDb.like("t", "a\\%"),
            r"t LIKE 'a\%' ESCAPE '\'"
        );
        assert_eq!(SqlDialect::Spark.like("t", "a\\%"), r"t LIKE 'a\\%'");
    }
}
