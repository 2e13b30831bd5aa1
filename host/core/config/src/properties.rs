//! Java `.properties` files → flat raw properties, as `java.util.Properties.load` reads
//! them, so the connector files users already have keep working.
//!
//! Comments start with `#` or `!`; a key ends at the first unescaped `=`, `:` or
//! whitespace; a line ending in an odd number of backslashes continues on the next line
//! (whose leading whitespace is dropped); `\t \n \r \f \uXXXX` are escapes and a
//! backslash before any other character keeps that character.

use crate::origin::Origin;
use crate::problem::Problems;
use crate::raw::{RawEntry, RawValue};

/// Parses a whole file into `(key, entry)` pairs in file order. Malformed `\u` escapes
/// are reported and the line is skipped.
pub fn parse(text: &str, source: &Origin, problems: &mut Problems) -> Vec<(String, RawEntry)> {
    let mut out = Vec::new();
    for (line_no, logical) in logical_lines(text) {
        let origin = source.at_line(Some(line_no));
        let (raw_key, raw_value) = split_key_value(&logical);
        match (unescape(raw_key), unescape(raw_value)) {
            (Ok(key), Ok(value)) => out.push((key, RawEntry::new(RawValue::Scalar(value), origin))),
            (Err(e), _) | (_, Err(e)) => problems.error(&origin, None, e),
        }
    }
    out
}

/// Joins continued lines and drops blanks and comments; yields each logical line with
/// the 1-based number of its first physical line.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (n, physical) in text.lines().enumerate() {
        let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let trimmed = physical.trim_start_matches([' ', '\t', '\x0c']);
        let (start, mut buf) = match current.take() {
            Some(cont) => cont,
            None if trimmed.is_empty() || trimmed.starts_with(['#', '!']) => continue,
            None => (line_no, String::new()),
        };
        if ends_with_odd_backslashes(trimmed) {
            buf.push_str(&trimmed[..trimmed.len() - 1]);
            current = Some((start, buf));
        } else {
            buf.push_str(trimmed);
            out.push((start, buf));
        }
    }
    // A continuation on the last line of the file simply ends there.
    out.extend(current);
    out
}

fn ends_with_odd_backslashes(line: &str) -> bool {
    line.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Splits at the first unescaped separator: `=`, `:` or whitespace, where whitespace may
/// be followed by one `=` or `:`. Both halves are still escaped.
fn split_key_value(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'=' | b':' | b' ' | b'\t' | b'\x0c' => break,
            _ => i += 1,
        }
    }
    let key_end = i.min(bytes.len());
    let is_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\x0c');
    let mut j = key_end;
    while j < bytes.len() && is_ws(bytes[j]) {
        j += 1;
    }
    if j < bytes.len() && matches!(bytes[j], b'=' | b':') {
        j += 1;
        while j < bytes.len() && is_ws(bytes[j]) {
            j += 1;
        }
    }
    (&line[..key_end], &line[j..])
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .ok_or_else(|| "malformed \\uXXXX escape".to_owned())?;
                // Lone surrogates cannot be a Rust char; Java would keep them as UTF-16.
                out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String, u32)> {
        let mut problems = Problems::new();
        let out = parse(text, &Origin::file("c.properties"), &mut problems);
        assert!(problems.is_empty(), "{problems}");
        out.into_iter()
            .map(|(k, e)| (k, e.value.joined(), e.origin.line.unwrap()))
            .collect()
    }

    fn kv(text: &str) -> Vec<(String, String)> {
        pairs(text).into_iter().map(|(k, v, _)| (k, v)).collect()
    }

    fn own(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn separators_and_comments() {
        let text = "# comment\n! also\n\na=1\nb : 2\nc 3\n  d=  4  \ne\n f:=x\n";
        assert_eq!(
            kv(text),
            own(&[
                ("a", "1"),
                ("b", "2"),
                ("c", "3"),
                ("d", "4  "),
                ("e", ""),
                ("f", "=x")
            ])
        );
    }

    #[test]
    fn continuation_lines_join_and_keep_the_first_line_number() {
        let text = "x=1\ntopics=a,\\\n     b,\\\n  c\ny=2\n";
        let p = pairs(text);
        assert_eq!(
            (p[1].0.as_str(), p[1].1.as_str(), p[1].2),
            ("topics", "a,b,c", 2)
        );
        assert_eq!(p[2].2, 5);
    }

    #[test]
    fn escaped_backslash_at_end_does_not_continue() {
        assert_eq!(kv("a=c:\\\\\nb=2\n"), own(&[("a", "c:\\"), ("b", "2")]));
    }

    #[test]
    fn escapes_in_keys_and_values() {
        assert_eq!(
            kv("my\\ key\\=x = tab\\there\\u0041\\q\n"),
            own(&[("my key=x", "tab\there\u{41}q")])
        );
    }

    #[test]
    fn malformed_unicode_escape_is_reported() {
        let mut problems = Problems::new();
        let out = parse("a=\\u12\nb=1\n", &Origin::file("c"), &mut problems);
        assert_eq!(out.len(), 1);
        assert_eq!(problems.errors().next().unwrap().origin.line, Some(1));
    }

    #[test]
    fn comment_lines_are_never_continued() {
        assert_eq!(kv("# note \\\na=1\n"), own(&[("a", "1")]));
    }
}
