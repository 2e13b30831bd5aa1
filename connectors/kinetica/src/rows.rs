//! Row codec: Kinetica rows to and from their Avro binary form, given a
//! [`KineticaType`].
//!
//! Encoding is the hot path of insertion, so rows are written straight into one
//! reusable buffer ([`EncodedRows`]) with no allocation per row or field once the
//! buffer has grown to batch size. `/insert/records` sends each row as its own
//! `bytes` item, so the buffer only needs to remember where each row ends.

use crate::avro::{self, DecodeError, Reader};
use crate::types::{BaseType, Column, KineticaType};
use crate::value::{Value, ValueRef};

/// A value that does not fit its column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column '{column}': {message}")]
pub struct RowError {
    /// Column name (empty when the row as a whole is wrong).
    pub column: String,
    /// What is wrong with the value, e.g. `expected long, got string`.
    pub message: String,
}

impl RowError {
    fn new(col: &Column, message: impl Into<String>) -> Self {
        RowError {
            column: col.name.clone(),
            message: message.into(),
        }
    }
}

/// Encodes one value of column `col` onto `buf`.
///
/// Accepts the column's own base type, null for nullable columns, and the two
/// lossless widenings `Int → long` and `Float → double`.
#[inline]
pub fn encode_value(col: &Column, v: ValueRef<'_>, buf: &mut Vec<u8>) -> Result<(), RowError> {
    if let ValueRef::Null = v {
        if !col.nullable {
            return Err(RowError::new(col, "null value for a non-nullable column"));
        }
        buf.push(2); // union branch 1: "null" is second in [T,"null"]
        return Ok(());
    }
    if col.nullable {
        buf.push(0); // union branch 0: the value
    }
    match (col.base, v) {
        (BaseType::Int, ValueRef::Int(x)) => avro::put_int(buf, x),
        (BaseType::Long, ValueRef::Long(x)) => avro::put_long(buf, x),
        (BaseType::Long, ValueRef::Int(x)) => avro::put_long(buf, i64::from(x)),
        (BaseType::Float, ValueRef::Float(x)) => avro::put_float(buf, x),
        (BaseType::Double, ValueRef::Double(x)) => avro::put_double(buf, x),
        (BaseType::Double, ValueRef::Float(x)) => avro::put_double(buf, f64::from(x)),
        (BaseType::String, ValueRef::Str(x)) => avro::put_str(buf, x),
        (BaseType::Bytes, ValueRef::Bytes(x)) => avro::put_bytes(buf, x),
        (base, v) => {
            if col.nullable {
                buf.pop();
            }
            return Err(RowError::new(
                col,
                format!("expected {base}, got {}", describe(v)),
            ));
        }
    }
    Ok(())
}

fn describe(v: ValueRef<'_>) -> &'static str {
    v.base_type().map_or("null", BaseType::as_str)
}

/// Encodes a whole row onto `buf` (which is not cleared). On error `buf` is
/// restored to its previous length.
pub fn encode_row<'v, I>(ty: &KineticaType, values: I, buf: &mut Vec<u8>) -> Result<(), RowError>
where
    I: IntoIterator<Item = ValueRef<'v>>,
{
    let start = buf.len();
    let result = encode_row_inner(ty, values, buf);
    if result.is_err() {
        buf.truncate(start);
    }
    result
}

fn encode_row_inner<'v, I>(ty: &KineticaType, values: I, buf: &mut Vec<u8>) -> Result<(), RowError>
where
    I: IntoIterator<Item = ValueRef<'v>>,
{
    let cols = ty.columns();
    let mut n = 0;
    for v in values {
        let col = cols.get(n).ok_or_else(|| RowError {
            column: String::new(),
            message: format!("row has more than {} values", cols.len()),
        })?;
        encode_value(col, v, buf)?;
        n += 1;
    }
    if n != cols.len() {
        return Err(RowError {
            column: String::new(),
            message: format!("row has {n} values, type has {} columns", cols.len()),
        });
    }
    Ok(())
}

/// Decodes one value of column `col`, borrowing strings and bytes from the input.
#[inline]
pub fn decode_value<'a>(col: &Column, r: &mut Reader<'a>) -> Result<ValueRef<'a>, DecodeError> {
    if col.nullable {
        match r.long()? {
            0 => {}
            1 => return Ok(ValueRef::Null),
            b => {
                return Err(DecodeError::new(format!(
                    "column '{}': invalid union branch {b}",
                    col.name
                )));
            }
        }
    }
    Ok(match col.base {
        BaseType::Int => ValueRef::Int(r.int()?),
        BaseType::Long => ValueRef::Long(r.long()?),
        BaseType::Float => ValueRef::Float(r.float()?),
        BaseType::Double => ValueRef::Double(r.double()?),
        BaseType::String => ValueRef::Str(r.str()?),
        BaseType::Bytes => ValueRef::Bytes(r.bytes()?),
    })
}

/// Decodes a row into borrowed values, appending to `out` (cleared first), so a
/// caller scanning many rows can reuse one vector.
pub fn decode_row_refs<'a>(
    ty: &KineticaType,
    row: &'a [u8],
    out: &mut Vec<ValueRef<'a>>,
) -> Result<(), DecodeError> {
    out.clear();
    let mut r = Reader::new(row);
    for col in ty.columns() {
        out.push(decode_value(col, &mut r)?);
    }
    r.finish()
}

/// Decodes a row into owned values.
pub fn decode_row(ty: &KineticaType, row: &[u8]) -> Result<Vec<Value>, DecodeError> {
    let mut refs = Vec::with_capacity(ty.columns().len());
    decode_row_refs(ty, row, &mut refs)?;
    Ok(refs.into_iter().map(ValueRef::to_owned).collect())
}

/// A batch of Avro-encoded rows kept in one contiguous buffer.
///
/// This is the payload of `/insert/records` (`list`) and `/get/records`
/// (`records_binary`). [`EncodedRows::clear`] keeps the capacity, so a sink can
/// reuse one instance per table for every batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EncodedRows {
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl EncodedRows {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty batch with room for `rows` rows of `bytes` bytes in total.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        EncodedRows {
            data: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Total encoded size of all rows.
    pub fn byte_len(&self) -> usize {
        self.data.len()
    }

    /// Removes all rows, keeping the allocation.
    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }

    /// The encoded bytes of row `i`.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.data[start..end])
    }

    /// Iterates over the encoded rows.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|i| self.get(i).expect("index in range"))
    }

    /// Appends an already encoded row (copied as is, not validated).
    pub fn push_encoded(&mut self, row: &[u8]) {
        self.data.extend_from_slice(row);
        self.ends.push(self.data.len());
    }

    /// Encodes and appends a row of owned values.
    pub fn push_row(&mut self, ty: &KineticaType, values: &[Value]) -> Result<(), RowError> {
        self.push_refs(ty, values.iter().map(Value::as_ref))
    }

    /// Encodes and appends a row of borrowed values. On error nothing is appended.
    pub fn push_refs<'v, I>(&mut self, ty: &KineticaType, values: I) -> Result<(), RowError>
    where
        I: IntoIterator<Item = ValueRef<'v>>,
    {
        encode_row(ty, values, &mut self.data)?;
        self.ends.push(self.data.len());
        Ok(())
    }

    /// Starts a row written column by column, for callers that produce values
    /// one at a time (no intermediate `Vec<Value>`).
    pub fn writer<'b>(&'b mut self, ty: &'b KineticaType) -> RowWriter<'b> {
        let start = self.data.len();
        RowWriter {
            rows: self,
            ty,
            start,
            col: 0,
            done: false,
        }
    }

    /// Iterates over the rows decoded as owned values (tests, the emulator).
    pub fn decode_all(&self, ty: &KineticaType) -> Result<Vec<Vec<Value>>, DecodeError> {
        self.iter().map(|r| decode_row(ty, r)).collect()
    }
}

impl<'a> FromIterator<&'a [u8]> for EncodedRows {
    fn from_iter<T: IntoIterator<Item = &'a [u8]>>(iter: T) -> Self {
        let mut rows = EncodedRows::new();
        for r in iter {
            rows.push_encoded(r);
        }
        rows
    }
}

/// Writes one row into an [`EncodedRows`], one column at a time in column order.
///
/// Call [`RowWriter::finish`] after the last column; a writer dropped before that
/// (for example after an error) leaves the batch as it was.
#[derive(Debug)]
pub struct RowWriter<'b> {
    rows: &'b mut EncodedRows,
    ty: &'b KineticaType,
    start: usize,
    col: usize,
    done: bool,
}

impl RowWriter<'_> {
    /// Writes the next column's value.
    #[inline]
    pub fn value(&mut self, v: ValueRef<'_>) -> Result<&mut Self, RowError> {
        let col = self.ty.columns().get(self.col).ok_or_else(|| RowError {
            column: String::new(),
            message: format!("row has more than {} values", self.ty.columns().len()),
        })?;
        encode_value(col, v, &mut self.rows.data)?;
        self.col += 1;
        Ok(self)
    }

    /// Writes null.
    pub fn null(&mut self) -> Result<&mut Self, RowError> {
        self.value(ValueRef::Null)
    }
    /// Writes an `int`.
    pub fn int(&mut self, v: i32) -> Result<&mut Self, RowError> {
        self.value(ValueRef::Int(v))
    }
    /// Writes a `long`.
    pub fn long(&mut self, v: i64) -> Result<&mut Self, RowError> {
        self.value(ValueRef::Long(v))
    }
    /// Writes a `float`.
    pub fn float(&mut self, v: f32) -> Result<&mut Self, RowError> {
        self.value(ValueRef::Float(v))
    }
    /// Writes a `double`.
    pub fn double(&mut self, v: f64) -> Result<&mut Self, RowError> {
        self.value(ValueRef::Double(v))
    }
    /// Writes a `string`.
    pub fn str(&mut self, v: &str) -> Result<&mut Self, RowError> {
        self.value(ValueRef::Str(v))
    }
    /// Writes `bytes`.
    pub fn bytes(&mut self, v: &[u8]) -> Result<&mut Self, RowError> {
        self.value(ValueRef::Bytes(v))
    }

    /// Completes the row; fails if columns are missing.
    pub fn finish(mut self) -> Result<(), RowError> {
        let n = self.ty.columns().len();
        if self.col != n {
            return Err(RowError {
                column: String::new(),
                message: format!("row has {} values, type has {n} columns", self.col),
            });
        }
        self.rows.ends.push(self.rows.data.len());
        self.done = true;
        Ok(())
    }
}

impl Drop for RowWriter<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.rows.data.truncate(self.start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn ty() -> KineticaType {
        KineticaType::from_column_list(&[
            vec!["id", "int"],
            vec!["name", "string"],
            vec!["score", "double", "nullable"],
        ])
        .unwrap()
    }

    #[test]
    fn matches_protocol_worked_examples() {
        let t = ty();
        let mut rows = EncodedRows::new();
        rows.push_row(&t, &[1.into(), "ab".into(), Value::Null])
            .unwrap();
        rows.push_row(&t, &[(-2).into(), "".into(), 1.0f64.into()])
            .unwrap();
        assert_eq!(hex(rows.get(0).unwrap()), "0204616202");
        assert_eq!(hex(rows.get(1).unwrap()), "030000000000000000f03f");
        assert_eq!(
            rows.decode_all(&t).unwrap(),
            vec![
                vec![Value::Int(1), "ab".into(), Value::Null],
                vec![Value::Int(-2), "".into(), Value::Double(1.0)]
            ]
        );

        let t2 = KineticaType::from_column_list(&[
            vec!["id", "int"],
            vec!["name", "string"],
            vec!["score", "double", "nullable"],
            vec!["ts", "long", "timestamp"],
        ])
        .unwrap();
        let mut buf = Vec::new();
        encode_row(
            &t2,
            [
                ValueRef::Int(2),
                ValueRef::Str("bob"),
                ValueRef::Null,
                ValueRef::Long(1_700_000_001_000),
            ],
            &mut buf,
        )
        .unwrap();
        assert_eq!(hex(&buf), "0406626f6202d0afabfef962");
    }

    #[test]
    fn errors_leave_the_batch_unchanged() {
        let t = ty();
        let mut rows = EncodedRows::new();
        rows.push_row(&t, &[1.into(), "a".into(), Value::Null])
            .unwrap();
        let before = rows.clone();
        let err = rows
            .push_row(&t, &[Value::Null, "a".into(), Value::Null])
            .unwrap_err();
        assert_eq!(err.column, "id");
        assert!(
            rows.push_row(&t, &[1.into(), 2.into(), Value::Null])
                .is_err()
        );
        assert!(rows.push_row(&t, &[1.into(), "x".into()]).is_err());
        {
            let mut w = rows.writer(&t);
            w.int(5).unwrap().str("half").unwrap();
            // dropped without finish
        }
        assert_eq!(rows, before);
    }

    #[test]
    fn writer_builds_rows_column_by_column() {
        let t = ty();
        let mut rows = EncodedRows::new();
        let mut w = rows.writer(&t);
        w.int(1).unwrap().str("ab").unwrap().null().unwrap();
        w.finish().unwrap();
        assert_eq!(hex(rows.get(0).unwrap()), "0204616202");
    }
}
