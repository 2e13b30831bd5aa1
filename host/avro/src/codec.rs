//! Avro's binary encoding, straight between bytes and Sluice's [`Value`]s.
//!
//! apache-avro parses and validates every schema, and the tests hold this codec to its
//! encoder and decoder. The hot path does not go through apache-avro's generic
//! `Value`, because its datum reader resolves the schema's names each time it is
//! built (it borrows the schema, so it cannot be kept next to it) and its values are a
//! second tree to allocate and convert: decoding into Sluice's values directly, with a
//! plan made once per writer schema ([`Decode`]), does one pass and one allocation
//! per value.

use sluice_record::logical;
use sluice_record::{CompactString, Struct, Value};

use crate::schema::{Decode, IntWidth, UNION};
use crate::types::{AvroType, Temporal};

/// Why bytes do not decode, or a value does not encode, with a schema. Names the
/// field path and the types involved, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", if path.is_empty() { String::new() } else { format!("field {path}: ") })]
pub struct CodecError {
    /// Dotted path of the field (`order.lines[2]`), empty for the value itself.
    pub path: String,
    /// What is wrong.
    pub problem: String,
}

impl CodecError {
    fn new(problem: impl Into<String>) -> CodecError {
        CodecError {
            path: String::new(),
            problem: problem.into(),
        }
    }

    /// Prefixes the path with a field name, `[index]` or `{value i}`, as the error
    /// unwinds (`lines`, then `[2]`, then `price` give `lines[2].price`).
    fn within(mut self, segment: &str) -> CodecError {
        self.path = if self.path.is_empty() {
            segment.to_owned()
        } else if self.path.starts_with(['[', '{']) {
            format!("{segment}{}", self.path)
        } else {
            format!("{segment}.{}", self.path)
        };
        self
    }
}

/// Decodes one datum; every byte must be used.
pub fn decode(plan: &Decode, bytes: &[u8]) -> Result<Value, CodecError> {
    let mut r = Reader { bytes, at: 0 };
    let value = r.value(plan)?;
    if r.at != bytes.len() {
        return Err(CodecError::new(format!(
            "{} bytes left over after the Avro datum: the data was not written with this \
             schema",
            bytes.len() - r.at
        )));
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// The most items an array of zero-byte items (empty records) may claim.
const MAX_EMPTY_ITEMS: usize = 1 << 20;

fn truncated() -> CodecError {
    CodecError::new("the Avro data ends early (truncated or not written with this schema)")
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CodecError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(truncated)?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn long(&mut self) -> Result<i64, CodecError> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or_else(truncated)?;
            self.at += 1;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok((n >> 1) as i64 ^ -((n & 1) as i64));
            }
        }
        Err(CodecError::new("an Avro varint is longer than 10 bytes"))
    }

    fn int(&mut self) -> Result<i32, CodecError> {
        i32::try_from(self.long()?).map_err(|_| CodecError::new("an Avro int is out of range"))
    }

    fn len(&mut self) -> Result<usize, CodecError> {
        let n = self.long()?;
        let n = usize::try_from(n).map_err(|_| CodecError::new("a negative Avro length"))?;
        // A length can never exceed what is left: refuse before allocating.
        if n > self.bytes.len() - self.at {
            return Err(truncated());
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Result<Vec<u8>, CodecError> {
        let n = self.len()?;
        Ok(self.take(n)?.to_vec())
    }

    fn string(&mut self) -> Result<CompactString, CodecError> {
        let n = self.len()?;
        let raw = self.take(n)?;
        std::str::from_utf8(raw)
            .map(CompactString::from)
            .map_err(|_| CodecError::new("an Avro string is not UTF-8"))
    }

    /// The item count of the next block (0 at the end); a negative count is followed
    /// by the block's size in bytes, which is not needed here.
    fn block(&mut self) -> Result<usize, CodecError> {
        let n = self.long()?;
        if n < 0 {
            self.long()?;
        }
        usize::try_from(n.unsigned_abs()).map_err(|_| truncated())
    }

    /// A map's blocks of entries, each read by `entry` (given its index).
    fn map(
        &mut self,
        mut entry: impl FnMut(&mut Self, usize) -> Result<(Value, Value), CodecError>,
    ) -> Result<Value, CodecError> {
        let mut out = Vec::new();
        loop {
            let n = self.block()?;
            if n == 0 {
                return Ok(Value::Map(out));
            }
            for _ in 0..n {
                let e = entry(self, out.len())?;
                out.push(e);
            }
        }
    }

    fn value(&mut self, plan: &Decode) -> Result<Value, CodecError> {
        Ok(match plan {
            Decode::Null => Value::Null,
            Decode::Boolean => match self.take(1)?[0] {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                _ => return Err(CodecError::new("an Avro boolean is neither 0 nor 1")),
            },
            Decode::Int(width) => {
                let n = self.int()?;
                let narrow = || CodecError::new("an int is out of range of its connect.type");
                match width {
                    IntWidth::I8 => Value::Int8(i8::try_from(n).map_err(|_| narrow())?),
                    IntWidth::I16 => Value::Int16(i16::try_from(n).map_err(|_| narrow())?),
                    IntWidth::I32 => Value::Int32(n),
                }
            }
            Decode::Long => Value::Int64(self.long()?),
            Decode::TimeMicros => {
                let micros = self.long()?;
                Value::Int32(
                    i32::try_from(micros.div_euclid(1000))
                        .map_err(|_| CodecError::new("a time-micros is out of range"))?,
                )
            }
            Decode::TimestampMicros => Value::Int64(self.long()?.div_euclid(1000)),
            Decode::Float => {
                Value::Float32(f32::from_le_bytes(self.take(4)?.try_into().expect("4")))
            }
            Decode::Double => {
                Value::Float64(f64::from_le_bytes(self.take(8)?.try_into().expect("8")))
            }
            Decode::Bytes => Value::Bytes(self.bytes()?),
            Decode::String => Value::String(self.string()?),
            Decode::Fixed(size) => Value::Bytes(self.take(*size)?.to_vec()),
            Decode::Enum(symbols) => {
                let i = self.int()?;
                let symbol = usize::try_from(i).ok().and_then(|i| symbols.get(i));
                Value::String(
                    symbol
                        .ok_or_else(|| CodecError::new(format!("enum index {i} is out of range")))?
                        .as_str()
                        .into(),
                )
            }
            Decode::Array(items) => {
                let mut out = Vec::new();
                let mut index = 0;
                loop {
                    let n = self.block()?;
                    if n == 0 {
                        break;
                    }
                    // A count is the writer's word, not a length the data proves:
                    // every item takes a byte at least, but for items that take none
                    // (empty records), which a hostile count could make endless.
                    let left = self.bytes.len() - self.at;
                    let zero_sized = match items.as_ref() {
                        Decode::Null => true,
                        Decode::Record(_, fields) => fields.is_empty(),
                        _ => false,
                    };
                    if zero_sized && out.len() + n > MAX_EMPTY_ITEMS {
                        return Err(CodecError::new(format!(
                            "an array of empty items claims more than {MAX_EMPTY_ITEMS}"
                        )));
                    }
                    if !zero_sized && n > left {
                        return Err(truncated());
                    }
                    out.reserve(n);
                    for _ in 0..n {
                        out.push(
                            self.value(items)
                                .map_err(|e| e.within(&format!("[{index}]")))?,
                        );
                        index += 1;
                    }
                }
                Value::Array(out)
            }
            Decode::Map(values) => self.map(|r, index| {
                let key = r.string()?;
                let value = r
                    .value(values)
                    .map_err(|e| e.within(&format!("{{value {index}}}")))?;
                Ok((Value::String(key), value))
            })?,
            Decode::MapEntries(key, value) => self.map(|r, index| {
                let k = r
                    .value(key)
                    .map_err(|e| e.within(&format!("{{key {index}}}")))?;
                let v = r
                    .value(value)
                    .map_err(|e| e.within(&format!("{{value {index}}}")))?;
                Ok((k, v))
            })?,
            Decode::Record(schema, fields) => {
                let mut values = Vec::with_capacity(fields.len());
                for (plan, field) in fields.iter().zip(schema.fields()) {
                    values.push(self.value(plan).map_err(|e| e.within(&field.name))?);
                }
                Value::Struct(Struct::from_values(schema.clone(), values).expect("one per field"))
            }
            Decode::Nullable(null_index, inner) => {
                let branch = self.long()?;
                if branch == *null_index as i64 {
                    Value::Null
                } else if branch == 1 - *null_index as i64 {
                    self.value(inner)?
                } else {
                    return Err(CodecError::new(format!(
                        "union branch {branch} is out of range"
                    )));
                }
            }
            Decode::Union(schema, branches) => {
                let branch = self.long()?;
                let plan = usize::try_from(branch).ok().and_then(|b| branches.get(b));
                let Some(plan) = plan else {
                    return Err(CodecError::new(format!(
                        "union branch {branch} is out of range"
                    )));
                };
                let Some(plan) = plan else {
                    return Ok(Value::Null);
                };
                let value = self.value(plan)?;
                // Confluent's union struct: the branch's field set, the others null.
                let field = branches[..branch as usize].iter().flatten().count();
                let mut values = vec![Value::Null; schema.fields().len()];
                values[field] = value;
                Value::Struct(Struct::from_values(schema.clone(), values).expect("one per field"))
            }
        })
    }
}

/// Encodes one value as a datum of `ty`, appending to `out`. Record fields are matched
/// by name, so a value written with an older or newer Connect schema encodes with the
/// registry's schema (`use.latest.version`): a field the value lacks takes its Avro
/// default.
pub fn encode(ty: &AvroType, value: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
    match (ty, value) {
        (AvroType::Union(branches), v) => {
            let index = union_branch(branches, v)?;
            write_long(out, index as i64);
            let v = match v {
                Value::Struct(s) if s.schema().name.as_deref() == Some(UNION) => s
                    .values()
                    .iter()
                    .find(|v| !v.is_null())
                    .unwrap_or(&Value::Null),
                v => v,
            };
            encode(&branches[index], v, out)
        }
        (AvroType::Null, Value::Null) => Ok(()),
        (AvroType::Boolean, Value::Boolean(b)) => {
            out.push(u8::from(*b));
            Ok(())
        }
        (AvroType::Int { .. } | AvroType::Temporal(Temporal::Date | Temporal::TimeMillis), v) => {
            let n = v.as_i64().ok_or_else(|| mismatch("int", v))?;
            let n = i32::try_from(n).map_err(|_| CodecError::new("out of range of an Avro int"))?;
            write_long(out, n.into());
            Ok(())
        }
        (AvroType::Temporal(Temporal::TimeMicros), v) => {
            let ms = v.as_i64().ok_or_else(|| mismatch("time", v))?;
            write_long(out, ms * 1000);
            Ok(())
        }
        (AvroType::Temporal(Temporal::TimestampMicros), v) => {
            let ms = v.as_i64().ok_or_else(|| mismatch("timestamp", v))?;
            let micros = ms
                .checked_mul(1000)
                .ok_or_else(|| CodecError::new("out of range of timestamp-micros"))?;
            write_long(out, micros);
            Ok(())
        }
        (AvroType::Long | AvroType::Temporal(Temporal::TimestampMillis), v) => {
            write_long(out, v.as_i64().ok_or_else(|| mismatch("long", v))?);
            Ok(())
        }
        (AvroType::Float, Value::Float32(f)) => {
            out.extend_from_slice(&f.to_le_bytes());
            Ok(())
        }
        (AvroType::Double, Value::Float64(f)) => {
            out.extend_from_slice(&f.to_le_bytes());
            Ok(())
        }
        (AvroType::Double, Value::Float32(f)) => {
            out.extend_from_slice(&f64::from(*f).to_le_bytes());
            Ok(())
        }
        (AvroType::Bytes | AvroType::Decimal { fixed: None, .. }, Value::Bytes(b)) => {
            write_bytes(out, b);
            Ok(())
        }
        (AvroType::String, Value::String(s)) => {
            write_bytes(out, s.as_bytes());
            Ok(())
        }
        (AvroType::Fixed(f), Value::Bytes(b)) if b.len() == f.size => {
            out.extend_from_slice(b);
            Ok(())
        }
        (AvroType::Decimal { fixed: Some(f), .. }, Value::Bytes(b)) => {
            let unscaled = logical::decimal_from_bytes(b)
                .ok_or_else(|| CodecError::new("a decimal's bytes are not an unscaled integer"))?;
            let full = unscaled.to_be_bytes();
            let keep = full.len().checked_sub(f.size);
            match keep {
                Some(skip) if sign_extends(&full[..skip], unscaled < 0) => {
                    out.extend_from_slice(&full[skip..]);
                }
                None => {
                    let fill = if unscaled < 0 { 0xff } else { 0 };
                    out.extend(std::iter::repeat_n(fill, f.size - full.len()));
                    out.extend_from_slice(&full);
                }
                Some(_) => {
                    return Err(CodecError::new(format!(
                        "the decimal does not fit the fixed type {} of {} bytes",
                        f.named.full_name, f.size
                    )));
                }
            }
            Ok(())
        }
        (AvroType::Enum(e), Value::String(s)) => {
            let i = e.symbols.iter().position(|x| x == s).ok_or_else(|| {
                CodecError::new(format!("not a symbol of the enum {}", e.named.full_name))
            })?;
            write_long(out, i as i64);
            Ok(())
        }
        (AvroType::Array(items), Value::Array(values)) => {
            if !values.is_empty() {
                write_long(out, values.len() as i64);
                for (i, v) in values.iter().enumerate() {
                    encode(items, v, out).map_err(|e| e.within(&format!("[{i}]")))?;
                }
            }
            write_long(out, 0);
            Ok(())
        }
        // A map with non-string keys: Confluent's array of MapEntry records.
        (AvroType::Array(items), Value::Map(entries)) => {
            let AvroType::Record(entry) = items.as_ref() else {
                return Err(mismatch("array", value));
            };
            if !entries.is_empty() {
                write_long(out, entries.len() as i64);
                for (i, (k, v)) in entries.iter().enumerate() {
                    encode(&entry.fields[0].ty, k, out)
                        .map_err(|e| e.within(&format!("{{key {i}}}")))?;
                    encode(&entry.fields[1].ty, v, out)
                        .map_err(|e| e.within(&format!("{{value {i}}}")))?;
                }
            }
            write_long(out, 0);
            Ok(())
        }
        (AvroType::Map(values), Value::Map(entries)) => {
            if !entries.is_empty() {
                write_long(out, entries.len() as i64);
                for (i, (k, v)) in entries.iter().enumerate() {
                    let Value::String(k) = k else {
                        return Err(CodecError::new(format!(
                            "map key {i} is {}, an Avro map's keys are strings",
                            k.type_name()
                        )));
                    };
                    write_bytes(out, k.as_bytes());
                    encode(values, v, out).map_err(|e| e.within(&format!("{{value {i}}}")))?;
                }
            }
            write_long(out, 0);
            Ok(())
        }
        (AvroType::Record(r), v @ (Value::Struct(_) | Value::Map(_))) => {
            for f in &r.fields {
                let fv = v.get(&f.name);
                match (fv, &f.default) {
                    (Some(fv), _) => encode(&f.ty, fv, out).map_err(|e| e.within(&f.name))?,
                    (None, Some(default)) => {
                        encode_default(&f.ty, default, out).map_err(|e| e.within(&f.name))?;
                    }
                    (None, None) => {
                        return Err(CodecError::new(
                            "the record has no such field and the Avro schema gives no default",
                        )
                        .within(&f.name));
                    }
                }
            }
            Ok(())
        }
        (ty, v) => Err(mismatch(&ty.branch_name(), v)),
    }
}

/// Whether the dropped leading bytes of a big-endian integer are only its sign.
fn sign_extends(dropped: &[u8], negative: bool) -> bool {
    let fill = if negative { 0xff } else { 0 };
    dropped.iter().all(|&b| b == fill)
}

/// The branch a value goes to: null to the null branch, Confluent's union struct by
/// its set field, anything else to the first branch it encodes as.
fn union_branch(branches: &[AvroType], v: &Value) -> Result<usize, CodecError> {
    if v.is_null() {
        return branches
            .iter()
            .position(|b| *b == AvroType::Null)
            .ok_or_else(|| CodecError::new("null, and the Avro union has no null branch"));
    }
    if let Value::Struct(s) = v
        && s.schema().name.as_deref() == Some(UNION)
    {
        let set = s.values().iter().position(|v| !v.is_null());
        let name = set.map(|i| s.schema().fields()[i].name.as_str());
        return match name.and_then(|n| branches.iter().position(|b| b.branch_name() == n)) {
            Some(i) => Ok(i),
            None if name.is_none() => union_branch(branches, &Value::Null),
            None => Err(CodecError::new(format!(
                "the union has no branch {}",
                name.unwrap_or_default()
            ))),
        };
    }
    branches
        .iter()
        .position(|b| *b != AvroType::Null && encode(b, v, &mut Vec::new()).is_ok())
        .ok_or_else(|| mismatch("union", v))
}

fn encode_default(
    ty: &AvroType,
    default: &serde_json::Value,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    use serde_json::Value as Json;
    // A union's default is of its first branch.
    if let AvroType::Union(branches) = ty {
        write_long(out, 0);
        return encode_default(&branches[0], default, out);
    }
    let value = match (ty, default) {
        (AvroType::Null, Json::Null) => Value::Null,
        (AvroType::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (AvroType::Float, Json::Number(n)) => Value::Float32(n.as_f64().unwrap_or(0.0) as f32),
        (AvroType::Double, Json::Number(n)) => Value::Float64(n.as_f64().unwrap_or(0.0)),
        (_, Json::Number(n)) if n.is_i64() => Value::Int64(n.as_i64().expect("i64")),
        (AvroType::Bytes | AvroType::Fixed(_), Json::String(s)) => {
            Value::Bytes(s.chars().map(|c| c as u32 as u8).collect())
        }
        (_, Json::String(s)) => Value::String(s.as_str().into()),
        (AvroType::Array(_), Json::Array(a)) if a.is_empty() => Value::Array(Vec::new()),
        (AvroType::Map(_), Json::Object(o)) if o.is_empty() => Value::Map(Vec::new()),
        _ => {
            return Err(CodecError::new(
                "the field's Avro default is of a kind Sluice cannot write (a record, or a \
                 non-empty array or map)",
            ));
        }
    };
    encode(ty, &value, out)
}

fn mismatch(expected: &str, v: &Value) -> CodecError {
    CodecError::new(format!(
        "expected a value for Avro type {expected}, found {}",
        v.type_name()
    ))
}

fn write_long(out: &mut Vec<u8>, n: i64) {
    let mut z = ((n << 1) ^ (n >> 63)) as u64;
    loop {
        let b = (z & 0x7f) as u8;
        z >>= 7;
        if z == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_long(out, b.len() as i64);
    out.extend_from_slice(b);
}
