//! Best-effort line numbers for YAML keys.
//!
//! `serde_norway` does not keep positions in its `Value`s, and a full event parser would
//! be a second YAML implementation. Pipeline files are small block mappings, so a line
//! scan that tracks indentation finds nearly every key; anything it cannot place
//! confidently (keys inside flow mappings, unusual quoting) falls back to the line of the
//! nearest enclosing key it did find, or to no line at all. A line number is a hint in an
//! error message, never used for meaning.

use std::collections::HashMap;

/// Maps a path of YAML mapping keys (as written, not split at dots) to its 1-based line.
#[derive(Debug, Default)]
pub(crate) struct LineIndex {
    lines: HashMap<Vec<String>, u32>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut lines = HashMap::new();
        let mut stack: Vec<(usize, String)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let content = line.trim_start_matches(' ');
            let indent = line.len() - content.len();
            let Some(key) = block_key(content) else {
                continue;
            };
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            stack.push((indent, key));
            let path: Vec<String> = stack.iter().map(|(_, k)| k.clone()).collect();
            let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
            lines.entry(path).or_insert(line_no);
        }
        LineIndex { lines }
    }

    /// The line of `path`, or of its longest prefix that was found (a key inside a flow
    /// mapping such as `{type: json}` gets the line of the key that opens the mapping).
    pub(crate) fn line_of(&self, path: &[String]) -> Option<u32> {
        (1..=path.len())
            .rev()
            .find_map(|len| self.lines.get(&path[..len]).copied())
    }
}

/// The key of a `key: value` or `key:` line of a block mapping, unquoted.
fn block_key(content: &str) -> Option<String> {
    let first = content.chars().next()?;
    match first {
        '#' | '-' | '{' | '[' | '?' | '|' | '>' | '&' | '*' | '!' | '%' | '@' | '`' => None,
        '"' | '\'' => {
            let (key, rest) = quoted(content, first)?;
            rest.trim_start().starts_with(':').then_some(key)
        }
        _ => {
            let colon = plain_key_end(content)?;
            Some(content[..colon].trim_end().to_owned())
        }
    }
}

/// The position of the `:` that ends a plain key: followed by a space, a tab or the end,
/// and not inside a trailing comment.
fn plain_key_end(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return None;
        }
        if b == b':' && matches!(bytes.get(i + 1), None | Some(b' ') | Some(b'\t')) {
            return Some(i);
        }
    }
    None
}

/// A quoted key and the text after its closing quote. Handles `''` in single quotes and
/// `\"`/`\\` in double quotes, which covers keys people actually write.
fn quoted(content: &str, quote: char) -> Option<(String, &str)> {
    let mut key = String::new();
    let mut chars = content.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            ('\'', '\'') if chars.peek().map(|(_, c)| *c) == Some('\'') => {
                chars.next();
                key.push('\'');
            }
            ('"', '\\') => key.push(chars.next()?.1),
            (q, c) if c == q => return Some((key, &content[i + 1..])),
            (_, c) => key.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn finds_nested_and_dotted_keys() {
        let text = "name: a\n# comment\nvalue.converter:\n  type: json\n  x:\n    b: 1\n  b: 2\n\"q k\": 3\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_of(&path(&["name"])), Some(1));
        assert_eq!(idx.line_of(&path(&["value.converter", "type"])), Some(4));
        assert_eq!(idx.line_of(&path(&["value.converter", "x", "b"])), Some(6));
        assert_eq!(idx.line_of(&path(&["value.converter", "b"])), Some(7));
        assert_eq!(idx.line_of(&path(&["q k"])), Some(8));
    }

    #[test]
    fn keys_in_flow_mappings_get_the_opening_line() {
        let idx = LineIndex::new("a: 1\nvalue.converter: {type: json, schemas.enable: false}\n");
        assert_eq!(
            idx.line_of(&path(&["value.converter", "schemas.enable"])),
            Some(2)
        );
        assert_eq!(idx.line_of(&path(&["missing"])), None);
    }

    #[test]
    fn urls_in_values_do_not_end_keys_early() {
        let idx = LineIndex::new("kinetica.url: http://h:9191\n");
        assert_eq!(idx.line_of(&path(&["kinetica.url"])), Some(1));
    }
}
