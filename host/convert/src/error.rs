//! What a converter reports when it cannot convert.
//!
//! Records may carry personal or secret data, and converter errors end up in logs, REST
//! responses and dead letter queue headers. So an error says *where* (line and column in
//! the JSON, the field path taken from the schema) and *what* was expected and found (as
//! type names), never the offending value itself. Map entries are named by their index,
//! not by their key, because keys of a map are data too. The caller adds the record's
//! coordinates (topic, partition, offset).

use std::fmt;

/// A converter's failure. Every variant's message is free of record contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The bytes are not well-formed JSON.
    #[error("invalid JSON at line {line} column {column}{}: {problem}", in_field(.path))]
    Syntax {
        /// The line of the error in the JSON text, counted from 1.
        line: usize,
        /// The column of the error in its line, counted from 1.
        column: usize,
        /// The field being read when the syntax error was found (empty at top level).
        path: String,
        /// serde_json's description of the syntax error, without its position.
        problem: String,
    },
    /// The data does not match its schema, or is of a kind the converter cannot handle.
    #[error("{}{problem}{}", field_prefix(.path), at(.position))]
    Mismatch {
        /// Dotted field path (`order.lines[2].price`), empty for the value itself.
        path: String,
        /// What was expected and what was found, as type names (never the value).
        problem: String,
        /// Line and column in the JSON, when reading JSON text.
        position: Option<(usize, usize)>,
    },
    /// `schemas.enable=true` but the JSON is not a `{"schema": …, "payload": …}` envelope.
    #[error(
        "{problem}: with schemas.enable=true the JSON converter expects an object with exactly \
         the two fields \"schema\" and \"payload\"; set {prefix}schemas.enable=false if your \
         data has no schema envelope"
    )]
    MissingEnvelope {
        /// What the JSON is instead, e.g. `the JSON is an array, not an object`.
        problem: &'static str,
        /// The property prefix of this converter (`value.converter.`, `key.converter.`).
        prefix: &'static str,
    },
    /// A schema in Kafka Connect's JSON schema format is invalid.
    #[error("invalid schema at {pointer}: {problem}")]
    Schema {
        /// JSON pointer into the schema (`/fields/2/items`); `/` for the schema itself.
        pointer: String,
        /// What is wrong with the schema at `pointer`.
        problem: String,
    },
    /// Text cannot be decoded or encoded in the configured character set.
    #[error("{0}")]
    Encoding(String),
    /// The converter's type name or properties are invalid.
    #[error("{0}")]
    Config(String),
    /// A system the converter depends on (the Schema Registry) cannot be reached or
    /// answers with a server error: retriable, the runtime waits it out.
    #[error("{0}")]
    Unavailable(String),
}

impl ConvertError {
    pub(crate) fn mismatch(path: String, problem: impl Into<String>) -> ConvertError {
        ConvertError::Mismatch {
            path,
            problem: problem.into(),
            position: None,
        }
    }

    pub(crate) fn schema(pointer: &str, problem: impl Into<String>) -> ConvertError {
        ConvertError::Schema {
            pointer: if pointer.is_empty() {
                "/".to_owned()
            } else {
                pointer.to_owned()
            },
            problem: problem.into(),
        }
    }
}

fn in_field(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" (in field {path})")
    }
}

fn field_prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("field {path}: ")
    }
}

fn at(position: &Option<(usize, usize)>) -> String {
    match position {
        Some((line, column)) => format!(" (at line {line} column {column})"),
        None => String::new(),
    }
}

/// One step of a path into a value. Collected innermost-first while an error unwinds,
/// so that the success path never pays for path bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A struct field: its name comes from the schema, not from the record.
    Field(String),
    Index(usize),
    MapKey(usize),
    MapValue(usize),
}

/// Renders segments collected innermost-first as `a.b[2]{value 0}` (the notation of
/// `sluice_record::ValidationError`).
pub(crate) fn render_path(innermost_first: &[Segment]) -> String {
    let mut out = String::new();
    for seg in innermost_first.iter().rev() {
        match seg {
            Segment::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Segment::Index(i) => fmt::Write::write_fmt(&mut out, format_args!("[{i}]")).unwrap(),
            Segment::MapKey(i) => {
                fmt::Write::write_fmt(&mut out, format_args!("{{key {i}}}")).unwrap();
            }
            Segment::MapValue(i) => {
                fmt::Write::write_fmt(&mut out, format_args!("{{value {i}}}")).unwrap();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_record_validation() {
        let segs = [
            Segment::Field("price".into()),
            Segment::Index(2),
            Segment::Field("lines".into()),
            Segment::MapValue(0),
            Segment::Field("order".into()),
        ];
        assert_eq!(render_path(&segs), "order{value 0}.lines[2].price");
        assert_eq!(render_path(&[]), "");
    }

    #[test]
    fn messages_place_path_and_position() {
        let e = ConvertError::Mismatch {
            path: "a.b".into(),
            problem: "expected int32 but found string".into(),
            position: Some((1, 9)),
        };
        assert_eq!(
            e.to_string(),
            "field a.b: expected int32 but found string (at line 1 column 9)"
        );
        let e = ConvertError::Syntax {
            line: 2,
            column: 3,
            path: String::new(),
            problem: "expected value".into(),
        };
        assert_eq!(
            e.to_string(),
            "invalid JSON at line 2 column 3: expected value"
        );
    }
}
