//! Text for values that become one string column (`CONVERT_TO_STRING` arrays, maps
//! with a schema, and arrays `KEEP_ARRAYS` cannot keep).
//!
//! The format is fixed so the same value always gives the same text (README, "How
//! values are rendered"):
//! * a struct is `{name=value,…}` in field order, leaving out null fields — the shape
//!   of Kafka Connect's `Struct.toString()`, which the Java connector used, without
//!   its `Struct` prefix (and without removing `Struct` from inside the values, as the
//!   Java connector did);
//! * a map is `{key=value,…}` in the order of its entries;
//! * an array inside a struct, map or array is `[value,…]`;
//! * strings are written as they are, numbers in their shortest exact form (`1.0`,
//!   `-71.1`), booleans as `true`/`false`, bytes as base64, null as `null`;
//! * Kafka Connect's logical types as text: a Decimal `123.45`, a Date `2024-01-31`,
//!   a Time `13:45:00.250`, a Timestamp `2024-01-31T13:45:00.250Z`.

use sluice_sdk::prelude::*;

pub const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
pub const DATE: &str = "org.apache.kafka.connect.data.Date";
pub const TIME: &str = "org.apache.kafka.connect.data.Time";
pub const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";

/// A value tree and, when it has one, its schema.
pub struct Tree<'a> {
    pub values: &'a [Node],
    pub schema: Option<&'a [SchemaNode]>,
}

impl Tree<'_> {
    /// The text of value node `v` (schema node `s`, when the tree has a schema).
    pub fn render(&self, v: u32, s: Option<u32>, out: &mut String) {
        let node = self.schema.zip(s).map(|(nodes, s)| &nodes[s as usize]);
        let child = |i: usize| node.map(|n| n.children[i]);
        match &self.values[v as usize] {
            Node::Null => out.push_str("null"),
            Node::Struct(fields) => {
                out.push('{');
                let mut first = true;
                for (i, f) in fields.iter().enumerate() {
                    if matches!(self.values[*f as usize], Node::Null) {
                        continue;
                    }
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    if let Some(name) = node.and_then(|n| n.field_names.get(i)) {
                        out.push_str(name);
                    }
                    out.push('=');
                    self.render(*f, child(i), out);
                }
                out.push('}');
            }
            Node::Map(entries) => {
                out.push('{');
                for (i, (k, val)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.render(*k, child(0), out);
                    out.push('=');
                    self.render(*val, child(1), out);
                }
                out.push('}');
            }
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.render(*item, child(0), out);
                }
                out.push(']');
            }
            leaf => render_leaf(leaf, node, out),
        }
    }
}

/// A primitive value, as text; `schema` tells logical types apart.
pub fn render_leaf(leaf: &Node, schema: Option<&SchemaNode>, out: &mut String) {
    use std::fmt::Write;
    let logical = schema.and_then(|s| s.name.as_deref());
    match (leaf, logical) {
        (Node::Bytes(b), Some(DECIMAL)) => {
            let scale = schema
                .and_then(|s| s.parameters.iter().find(|(k, _)| k == "scale"))
                .and_then(|(_, v)| v.parse::<i32>().ok())
                .unwrap_or(0);
            out.push_str(&decimal(b, scale));
        }
        (Node::Int32(days), Some(DATE)) => out.push_str(&date(i64::from(*days))),
        (Node::Int32(ms), Some(TIME)) => out.push_str(&time(i64::from(*ms))),
        (Node::Int64(ms), Some(TIMESTAMP)) => {
            let (days, ms) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
            let _ = write!(out, "{}T{}Z", date(days), time(ms));
        }
        (Node::Null, _) => out.push_str("null"),
        (Node::Boolean(b), _) => {
            let _ = write!(out, "{b}");
        }
        (Node::Int8(n), _) => {
            let _ = write!(out, "{n}");
        }
        (Node::Int16(n), _) => {
            let _ = write!(out, "{n}");
        }
        (Node::Int32(n), _) => {
            let _ = write!(out, "{n}");
        }
        (Node::Int64(n), _) => {
            let _ = write!(out, "{n}");
        }
        // `{:?}` is the shortest text that reads back as the same number, and keeps
        // the `.0` of whole numbers (`1.0`, as Java prints them).
        (Node::Float32(n), _) => {
            let _ = write!(out, "{n:?}");
        }
        (Node::Float64(n), _) => {
            let _ = write!(out, "{n:?}");
        }
        (Node::String(s), _) => out.push_str(s),
        (Node::Bytes(b), _) => out.push_str(&base64(b)),
        // Containers are rendered by `Tree::render`.
        (Node::Array(_) | Node::Map(_) | Node::Struct(_), _) => {}
    }
}

/// A big-endian two's-complement unscaled integer with `scale` digits after the point.
pub fn decimal(bytes: &[u8], scale: i32) -> String {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    // The magnitude, big-endian: negate a negative number (invert, add one).
    let mut magnitude: Vec<u8> = if negative {
        let mut m: Vec<u8> = bytes.iter().map(|b| !b).collect();
        for b in m.iter_mut().rev() {
            let (sum, carry) = b.overflowing_add(1);
            *b = sum;
            if !carry {
                break;
            }
        }
        m
    } else {
        bytes.to_vec()
    };
    let mut digits = Vec::new();
    while magnitude.iter().any(|b| *b != 0) {
        let mut rem = 0u32;
        for b in magnitude.iter_mut() {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    let scale = scale.max(0) as usize;
    while digits.len() <= scale {
        digits.push(b'0');
    }
    digits.reverse();
    let mut text = String::with_capacity(digits.len() + 2);
    if negative {
        text.push('-');
    }
    let point = digits.len() - scale;
    text.push_str(std::str::from_utf8(&digits[..point]).unwrap_or_default());
    if scale > 0 {
        text.push('.');
        text.push_str(std::str::from_utf8(&digits[point..]).unwrap_or_default());
    }
    text
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (proleptic Gregorian calendar).
pub fn date(days: i64) -> String {
    let (year, month, day) = sluice_sdk::logical::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `HH:MM:SS.mmm` of milliseconds since midnight.
pub fn time(ms: i64) -> String {
    let (s, ms) = (ms / 1000, ms % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s / 60 % 60, s % 60)
}

/// Standard base64 with padding, as Kafka Connect's JSON converter writes bytes.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
