//! Avro binary primitives, for the fixed subset Kinetica's protocol uses.
//!
//! Why hand-written rather than `apache-avro`: every request, response and row in
//! the protocol is a record of `int|long|float|double|boolean|string|bytes`,
//! `array`, `map<string,_>` and `[T,"null"]` unions. For that subset an encoder
//! is a handful of functions that write straight into a caller-owned `Vec<u8>`
//! (the insert hot path must not allocate per field), and a decoder is a cursor
//! over a borrowed slice that hands out `&str`/`&[u8]` without copying.
//! `apache-avro` goes through its generic `Value` tree, which allocates for every
//! field and would dominate the cost of an insert.

use std::collections::BTreeMap;

/// A malformed or truncated Avro datum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("avro decode error: {0}")]
pub struct DecodeError(pub String);

impl DecodeError {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        DecodeError(msg.into())
    }
}

/// Appends a zig-zag varint `long` (also the wire form of `int`).
#[inline]
pub fn put_long(buf: &mut Vec<u8>, v: i64) {
    let mut n = ((v << 1) ^ (v >> 63)) as u64;
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

/// Appends an Avro `int` (same wire form as `long`).
#[inline]
pub fn put_int(buf: &mut Vec<u8>, v: i32) {
    put_long(buf, i64::from(v));
}

/// Appends a `float` (4 bytes little-endian).
#[inline]
pub fn put_float(buf: &mut Vec<u8>, v: f32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// Appends a `double` (8 bytes little-endian).
#[inline]
pub fn put_double(buf: &mut Vec<u8>, v: f64) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// Appends a `boolean` (one byte).
#[inline]
pub fn put_bool(buf: &mut Vec<u8>, v: bool) {
    buf.push(u8::from(v));
}

/// Appends `bytes`: a `long` length and the raw bytes.
#[inline]
pub fn put_bytes(buf: &mut Vec<u8>, v: &[u8]) {
    put_long(buf, v.len() as i64);
    buf.extend_from_slice(v);
}

/// Appends a `string` (UTF-8 `bytes`).
#[inline]
pub fn put_str(buf: &mut Vec<u8>, v: &str) {
    put_bytes(buf, v.as_bytes());
}

/// Appends an `array<string>` as one block.
pub fn put_str_array<S: AsRef<str>>(buf: &mut Vec<u8>, items: &[S]) {
    put_array(buf, items, |b, s| put_str(b, s.as_ref()));
}

/// Appends an array as a single positive-count block followed by the `0` end marker
/// (an empty array is the single byte `00`).
pub fn put_array<T>(buf: &mut Vec<u8>, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
    if !items.is_empty() {
        put_long(buf, items.len() as i64);
        for item in items {
            each(buf, item);
        }
    }
    buf.push(0);
}

/// Appends a `map<string,T>` as one block.
pub fn put_map<T>(
    buf: &mut Vec<u8>,
    map: &BTreeMap<String, T>,
    mut each: impl FnMut(&mut Vec<u8>, &T),
) {
    if !map.is_empty() {
        put_long(buf, map.len() as i64);
        for (k, v) in map {
            put_str(buf, k);
            each(buf, v);
        }
    }
    buf.push(0);
}

/// Appends a `map<string,string>` (every `options` and `info` field).
pub fn put_str_map(buf: &mut Vec<u8>, map: &BTreeMap<String, String>) {
    put_map(buf, map, |b, v| put_str(b, v));
}

/// A cursor over one Avro datum. Borrowed results (`str`, `bytes`) point into the
/// input, so reading a record allocates nothing until the caller decides to own it.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes not yet consumed.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Current offset into the input.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Fails unless every byte has been consumed (trailing garbage means the datum
    /// was decoded with the wrong schema).
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(DecodeError::new(format!(
                "{} trailing bytes after datum",
                self.remaining()
            )))
        }
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::new(format!(
                "unexpected end of data: need {n} bytes at offset {}, have {}",
                self.pos,
                self.remaining()
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Reads a zig-zag varint `long`.
    #[inline]
    pub fn long(&mut self) -> Result<i64, DecodeError> {
        let mut n: u64 = 0;
        let mut shift = 0u32;
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(DecodeError::new("unexpected end of data in varint"));
            };
            self.pos += 1;
            if shift >= 64 {
                return Err(DecodeError::new("varint longer than 10 bytes"));
            }
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    /// Reads an `int`, rejecting values outside `i32`.
    #[inline]
    pub fn int(&mut self) -> Result<i32, DecodeError> {
        let v = self.long()?;
        i32::try_from(v).map_err(|_| DecodeError::new(format!("int out of range: {v}")))
    }

    /// Reads a `float`.
    #[inline]
    pub fn float(&mut self) -> Result<f32, DecodeError> {
        let b = self.take(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a `double`.
    #[inline]
    pub fn double(&mut self) -> Result<f64, DecodeError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(f64::from_le_bytes(a))
    }

    /// Reads a `boolean`.
    #[inline]
    pub fn boolean(&mut self) -> Result<bool, DecodeError> {
        match self.take(1)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(DecodeError::new(format!("invalid boolean byte {b}"))),
        }
    }

    /// Reads `bytes`, borrowed from the input.
    #[inline]
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.long()?;
        let len =
            usize::try_from(len).map_err(|_| DecodeError::new(format!("negative length {len}")))?;
        self.take(len)
    }

    /// Reads a `string`, borrowed from the input.
    #[inline]
    pub fn str(&mut self) -> Result<&'a str, DecodeError> {
        let b = self.bytes()?;
        std::str::from_utf8(b).map_err(|e| DecodeError::new(format!("invalid UTF-8 string: {e}")))
    }

    /// Reads a `string` into an owned `String`.
    pub fn string(&mut self) -> Result<String, DecodeError> {
        self.str().map(str::to_owned)
    }

    /// Reads the block structure shared by arrays and maps, calling `item` once per
    /// element. Accepts several blocks and negative counts (followed by a byte size),
    /// as the Avro spec allows, although Kinetica itself writes one block.
    pub fn blocks(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        loop {
            let mut count = self.long()?;
            if count == 0 {
                return Ok(());
            }
            if count < 0 {
                count = count
                    .checked_neg()
                    .ok_or_else(|| DecodeError::new("invalid block count"))?;
                let _byte_size = self.long()?;
            }
            // A count larger than the remaining input cannot be honest; checking it
            // keeps a corrupt body from driving a huge loop.
            if count as u64 > self.remaining() as u64 {
                return Err(DecodeError::new(format!(
                    "block count {count} exceeds remaining {} bytes",
                    self.remaining()
                )));
            }
            for _ in 0..count {
                item(self)?;
            }
        }
    }

    /// Reads an array, decoding each item with `item`.
    pub fn array<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let mut out = Vec::new();
        self.blocks(|r| {
            out.push(item(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Reads a `map<string,T>`.
    pub fn map<T>(
        &mut self,
        mut value: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<BTreeMap<String, T>, DecodeError> {
        let mut out = BTreeMap::new();
        self.blocks(|r| {
            let k = r.string()?;
            let v = value(r)?;
            out.insert(k, v);
            Ok(())
        })?;
        Ok(out)
    }

    /// Reads a `map<string,string>`.
    pub fn str_map(&mut self) -> Result<BTreeMap<String, String>, DecodeError> {
        self.map(Reader::string)
    }

    /// Reads an `array<string>`.
    pub fn str_array(&mut self) -> Result<Vec<String>, DecodeError> {
        self.array(Reader::string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn zigzag_varints_round_trip() {
        for v in [
            0i64,
            -1,
            1,
            -64,
            63,
            64,
            -65,
            i64::MAX,
            i64::MIN,
            1_700_000_001_000,
        ] {
            let mut b = Vec::new();
            put_long(&mut b, v);
            let mut r = Reader::new(&b);
            assert_eq!(r.long().unwrap(), v);
            r.finish().unwrap();
        }
        let mut b = Vec::new();
        put_long(&mut b, 1_700_000_001_000);
        assert_eq!(hex(&b), "d0afabfef962");
    }

    #[test]
    fn maps_match_protocol_examples() {
        let mut b = Vec::new();
        put_str(&mut b, "t1");
        put_str_map(&mut b, &BTreeMap::from([("a".into(), "b".into())]));
        assert_eq!(hex(&b), "0474310202610262".to_string() + "00");
    }

    #[test]
    fn reader_accepts_negative_counts_and_several_blocks() {
        // block of -2 items (byte size 4), then a block of 1, then end.
        let mut b = Vec::new();
        put_long(&mut b, -2);
        put_long(&mut b, 4);
        put_str(&mut b, "a");
        put_str(&mut b, "b");
        put_long(&mut b, 1);
        put_str(&mut b, "c");
        b.push(0);
        let mut r = Reader::new(&b);
        assert_eq!(r.str_array().unwrap(), vec!["a", "b", "c"]);
    }

    #[test]
    fn truncated_input_is_an_error() {
        let mut r = Reader::new(&[0x08, b'a']);
        assert!(r.str().is_err());
        let mut r = Reader::new(&[0x80]);
        assert!(r.long().is_err());
    }
}
