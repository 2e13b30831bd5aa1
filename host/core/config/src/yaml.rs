//! YAML pipeline files → flat raw properties.
//!
//! Nested mappings and dotted keys are the same thing: `a: {b: 1}` and `a.b: 1` both give
//! the key `a.b`. Sequences give list values (`transforms: [a, b]` ≡ `transforms: a,b`),
//! and `null`/empty values give the empty string, as `key=` does in a `.properties` file.

use serde_norway::Value;

use crate::origin::Origin;
use crate::problem::Problems;
use crate::raw::{RawEntry, RawValue};
use crate::yaml_lines::LineIndex;

/// Parses one YAML document into `(key, entry)` pairs in file order. A syntax error or
/// a document that is not a mapping gives `None`; structural problems inside (a nested
/// list, a tag) are collected and those keys skipped.
pub fn parse(
    text: &str,
    source: &Origin,
    problems: &mut Problems,
) -> Option<Vec<(String, RawEntry)>> {
    let root: Value = match serde_norway::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().and_then(|l| u32::try_from(l.line()).ok());
            problems.error(&source.at_line(line), None, format!("invalid YAML: {e}"));
            return None;
        }
    };
    let mut flattener = Flattener {
        lines: LineIndex::new(text),
        source,
        problems,
        out: Vec::new(),
    };
    match root {
        Value::Null => {}
        Value::Mapping(_) => flattener.value("", &mut Vec::new(), &root),
        _ => {
            let message = "a pipeline file must be a mapping of keys to values";
            flattener.problems.error(source, None, message);
            return None;
        }
    }
    Some(flattener.out)
}

struct Flattener<'a> {
    lines: LineIndex,
    source: &'a Origin,
    problems: &'a mut Problems,
    out: Vec<(String, RawEntry)>,
}

impl Flattener<'_> {
    /// Flattens `value` found at the dotted `key`; `path` is the same position as YAML
    /// keys, for the line index.
    fn value(&mut self, key: &str, path: &mut Vec<String>, value: &Value) {
        let origin = self.source.at_line(self.lines.line_of(path));
        match value {
            Value::Mapping(map) => {
                for (k, v) in map {
                    let Some(k) = scalar_text(k) else {
                        self.problems.error(
                            &origin,
                            Some(key),
                            "keys must be plain strings or numbers",
                        );
                        continue;
                    };
                    let child = if key.is_empty() {
                        k.clone()
                    } else {
                        format!("{key}.{k}")
                    };
                    path.push(k);
                    self.value(&child, path, v);
                    path.pop();
                }
            }
            Value::Sequence(items) => {
                let elements: Option<Vec<String>> = items.iter().map(scalar_text).collect();
                match elements {
                    Some(list) => self.push(key, RawValue::List(list), origin),
                    None => self.problems.error(
                        &origin,
                        Some(key),
                        "list elements must be plain values (strings, numbers or booleans)",
                    ),
                }
            }
            Value::Tagged(_) => {
                self.problems
                    .error(&origin, Some(key), "YAML tags (`!name`) are not supported");
            }
            scalar => {
                let text = scalar_text(scalar).unwrap_or_default();
                self.push(key, RawValue::Scalar(text), origin);
            }
        }
    }

    fn push(&mut self, key: &str, value: RawValue, origin: Origin) {
        self.out
            .push((key.to_owned(), RawEntry::new(value, origin)));
    }
}

/// The text of a scalar as a `.properties` file would have written it; `None` for
/// mappings, sequences and tags.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(text: &str) -> (Vec<(String, String, Option<u32>)>, Problems) {
        let mut problems = Problems::new();
        let entries = parse(text, &Origin::file("p.yaml"), &mut problems).unwrap_or_default();
        let flat = entries
            .into_iter()
            .map(|(k, e)| (k, e.value.joined(), e.origin.line))
            .collect();
        (flat, problems)
    }

    #[test]
    fn nested_keys_equal_dotted_keys() {
        let (nested, p1) = flat("value:\n  converter:\n    schemas.enable: false\n");
        let (dotted, p2) = flat("value.converter.schemas.enable: false\n");
        assert!(p1.is_empty() && p2.is_empty());
        assert_eq!(nested[0].0, "value.converter.schemas.enable");
        assert_eq!(nested[0].0, dotted[0].0);
        assert_eq!(nested[0].1, dotted[0].1);
        assert_eq!(nested[0].2, Some(3));
    }

    #[test]
    fn scalars_keep_their_text_and_null_is_empty() {
        let (f, _) = flat("a: 10\nb: true\nc:\nd: 1.5\ne: 'x'\n");
        let values: Vec<_> = f.iter().map(|(k, v, _)| format!("{k}={v}")).collect();
        assert_eq!(values, ["a=10", "b=true", "c=", "d=1.5", "e=x"]);
    }

    #[test]
    fn sequences_become_lists() {
        let mut problems = Problems::new();
        let entries = parse("transforms: [a, b]\n", &Origin::file("p"), &mut problems).unwrap();
        assert_eq!(
            entries[0].1.value,
            RawValue::List(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn structural_problems_are_all_reported() {
        let (f, problems) = flat("a: [[1]]\nb: !tag x\nc: ok\n");
        assert_eq!(problems.errors().count(), 2);
        assert_eq!(f.len(), 1);
        let first = problems.errors().next().unwrap();
        assert_eq!(first.property.as_deref(), Some("a"));
        assert_eq!(first.origin.line, Some(1));
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let (_, problems) = flat("a: 1\nb: [\n");
        let p = problems.errors().next().expect("syntax error");
        assert!(p.message.starts_with("invalid YAML"), "{}", p.message);
        assert!(p.origin.line.is_some());
    }

    #[test]
    fn same_key_twice_in_one_mapping_is_an_error() {
        let (_, problems) = flat("a: 1\na: 2\n");
        assert!(problems.has_errors());
    }
}
