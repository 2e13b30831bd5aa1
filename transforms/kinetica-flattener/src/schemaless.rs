//! Values without a schema (schemaless JSON): a map with string keys becomes a flat
//! map, one key per column. Nested maps give one key per key, named by their path.

use sluice_sdk::prelude::*;

use crate::render::Tree;
use crate::{Mode, Options, join};

/// The flat map of a schemaless value: `None` if it is not a map (nothing to do),
/// `Err` if two keys give one column name.
pub fn flatten(value: &[Node], options: &Options) -> Option<Result<Data, String>> {
    let Some(Node::Map(entries)) = value.first() else {
        return None;
    };
    let mut flat = Flat {
        value,
        options,
        out: vec![Node::Null],
        entries: Vec::new(),
        names: Vec::new(),
    };
    Some(flat.map(None, entries).map(|()| {
        flat.out[0] = Node::Map(flat.entries);
        Data {
            schema: None,
            value: flat.out,
        }
    }))
}

struct Flat<'a> {
    value: &'a [Node],
    options: &'a Options,
    out: Vec<Node>,
    entries: Vec<(u32, u32)>,
    names: Vec<String>,
}

impl Flat<'_> {
    fn map(&mut self, prefix: Option<&str>, entries: &[(u32, u32)]) -> Result<(), String> {
        let tree = Tree {
            values: self.value,
            schema: None,
        };
        for (k, v) in entries {
            let key = match &self.value[*k as usize] {
                Node::String(s) => s.clone(),
                _ => {
                    let mut text = String::new();
                    tree.render(*k, None, &mut text);
                    text
                }
            };
            let name = join(prefix, &self.options.delimiter, &key);
            self.entry(name, *v)?;
        }
        Ok(())
    }

    /// Adds the columns of value node `v` under `name`.
    fn entry(&mut self, name: String, v: u32) -> Result<(), String> {
        match &self.value[v as usize] {
            Node::Map(entries) => self.map(Some(&name), entries),
            Node::Array(items) => match self.options.mode {
                Mode::TakeFirstValue => match items.first() {
                    Some(first) => self.entry(name, *first),
                    None => self.push(name, Node::Null, &[]),
                },
                Mode::KeepArrays if keepable(self.value, items) => {
                    let items: Vec<Node> = items
                        .iter()
                        .map(|i| self.value[*i as usize].clone())
                        .collect();
                    self.push(name, Node::Null, &items)
                }
                _ => {
                    let node = if items.is_empty() {
                        Node::Null
                    } else {
                        let tree = Tree {
                            values: self.value,
                            schema: None,
                        };
                        let mut text = String::new();
                        for (i, item) in items.iter().enumerate() {
                            if i > 0 {
                                text.push_str(&self.options.separator);
                            }
                            tree.render(*item, None, &mut text);
                        }
                        Node::String(text)
                    };
                    self.push(name, node, &[])
                }
            },
            leaf => self.push(name, leaf.clone(), &[]),
        }
    }

    /// Adds one entry: `node`, or an array of `items` when there are any (then `node`
    /// is ignored).
    fn push(&mut self, name: String, node: Node, items: &[Node]) -> Result<(), String> {
        if self.names.contains(&name) {
            return Err(format!(
                "two keys flatten to the column `{name}`; rename one (e.g. with a \
                 transform) or choose another kinetica.flatten_source.field_name_delimiter"
            ));
        }
        let key = self.out.len() as u32;
        self.out.push(Node::String(name.clone()));
        let at = self.out.len() as u32;
        if items.is_empty() {
            self.out.push(node);
        } else {
            self.out.push(Node::Null);
            let ids = (0..items.len() as u32).map(|i| at + 1 + i).collect();
            self.out.extend(items.iter().cloned());
            self.out[at as usize] = Node::Array(ids);
        }
        self.entries.push((key, at));
        self.names.push(name);
        Ok(())
    }
}

/// Whether `KEEP_ARRAYS` keeps a schemaless array: non-empty, every element a number,
/// boolean or string (nulls allowed), all of one type, as a Kinetica `array(T)` column
/// holds. An empty array has no element type to make a column of, so it converts to
/// null like any array that cannot be kept.
fn keepable(value: &[Node], items: &[u32]) -> bool {
    let mut kind = None;
    for i in items {
        let k = match &value[*i as usize] {
            Node::Null => continue,
            Node::Boolean(_) => 0,
            Node::Int8(_) | Node::Int16(_) | Node::Int32(_) | Node::Int64(_) => 1,
            Node::Float32(_) | Node::Float64(_) => 2,
            Node::String(_) => 3,
            _ => return false,
        };
        if kind.is_some_and(|seen| seen != k) {
            return false;
        }
        kind = Some(k);
    }
    kind.is_some()
}
