//! Arrays of primitives as Kinetica array columns: a `string` column with an
//! `array(int|long|float|double|boolean|string)` property, whose value is the array as
//! JSON text (`"[1,2,3]"`, docs/reference/kinetica-rest-protocol.md §7.2). What the
//! `kinetica-flattener`'s `KEEP_ARRAYS` mode leaves in records. Arrays of anything
//! else (structs, maps, arrays, bytes, logical types) are still refused as nested.

use std::fmt::Write;

use sluice_record::{Schema, SchemaKind, Value};

/// The column property for arrays of `items`, if Kinetica has an array type for them.
pub fn property_for_items(items: &Schema) -> Option<&'static str> {
    if items.logical().is_some() {
        return None;
    }
    Some(match items.kind {
        SchemaKind::Int8 | SchemaKind::Int16 | SchemaKind::Int32 => "array(int)",
        SchemaKind::Int64 => "array(long)",
        SchemaKind::Float32 => "array(float)",
        SchemaKind::Float64 => "array(double)",
        SchemaKind::Boolean => "array(boolean)",
        SchemaKind::String => "array(string)",
        _ => return None,
    })
}

/// The column property for a schemaless array: from its first non-null element,
/// when every non-null element has that element's type.
pub fn property_for_values(items: &[Value]) -> Option<&'static str> {
    let kind = |v: &Value| -> Option<&'static str> {
        Some(match v {
            Value::Int8(_) | Value::Int16(_) | Value::Int32(_) => "array(int)",
            Value::Int64(_) => "array(long)",
            Value::Float32(_) => "array(float)",
            Value::Float64(_) => "array(double)",
            Value::Boolean(_) => "array(boolean)",
            Value::String(_) => "array(string)",
            _ => return None,
        })
    };
    let mut found = None;
    for v in items.iter().filter(|v| !v.is_null()) {
        let k = kind(v)?;
        if found.is_some_and(|f| f != k) {
            return None;
        }
        found = Some(k);
    }
    found
}

/// An array of primitives as JSON text; `None` if an element is not a primitive or is
/// a number JSON cannot write (NaN, infinity).
pub fn text(items: &[Value]) -> Option<String> {
    let mut out = String::from("[");
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match v {
            Value::Null => out.push_str("null"),
            Value::Boolean(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Int8(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Int16(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Int32(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Int64(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Float32(n) if n.is_finite() => {
                let _ = write!(out, "{n:?}");
            }
            Value::Float64(n) if n.is_finite() => {
                let _ = write!(out, "{n:?}");
            }
            Value::String(s) => json_string(s, &mut out),
            _ => return None,
        }
    }
    out.push(']');
    Some(out)
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_record::SchemaBuilder;

    #[test]
    fn primitive_items_have_array_types_and_others_none() {
        assert_eq!(
            property_for_items(&SchemaBuilder::int32().build()),
            Some("array(int)")
        );
        assert_eq!(
            property_for_items(&SchemaBuilder::string().build()),
            Some("array(string)")
        );
        assert_eq!(property_for_items(&SchemaBuilder::bytes().build()), None);
        assert_eq!(
            property_for_values(&[Value::Null, Value::Float64(1.5)]),
            Some("array(double)")
        );
        assert_eq!(
            property_for_values(&[Value::Int64(1), Value::from("a")]),
            None
        );
        assert_eq!(property_for_values(&[]), None);
    }

    #[test]
    fn arrays_are_written_as_json_text() {
        assert_eq!(
            text(&[Value::from("a\"b"), Value::Null, Value::from("c")]).unwrap(),
            r#"["a\"b",null,"c"]"#
        );
        assert_eq!(
            text(&[Value::Float64(1.0), Value::Float64(-2.5)]).unwrap(),
            "[1.0,-2.5]"
        );
        assert_eq!(text(&[]).unwrap(), "[]");
        assert_eq!(text(&[Value::Float64(f64::NAN)]), None);
        assert_eq!(text(&[Value::Array(vec![])]), None);
    }
}
