//! Shard keys: the bytes Kinetica hashes to place a record, and the routing
//! arithmetic (docs/reference/kinetica-rest-protocol.md §8.2–8.4).
//!
//! Key columns (shard key, else primary key, in declaration order) each append a
//! fixed-width little-endian value to a buffer; the routing hash is the signed
//! first half of MurmurHash3_x64_128(buffer, seed 10), and the shard is
//! `|hash| mod number_of_shards`.

use crate::avro::{DecodeError, Reader};
use crate::murmur::murmur3_x64_128;
use crate::rows::decode_value;
use crate::types::{BaseType, Column, ColumnKind, KineticaType};
use crate::value::ValueRef;

/// The MurmurHash3 seed Kinetica uses for keys and for hashing string columns.
pub const SHARD_SEED: u32 = 10;

/// The signed routing hash of already built key bytes.
#[inline]
pub fn hash_key_bytes(key: &[u8]) -> i64 {
    murmur3_x64_128(key, SHARD_SEED).0 as i64
}

/// The shard index for a routing hash. Uses `unsigned_abs` because
/// `i64::MIN.abs()` would overflow.
#[inline]
pub fn shard_index(hash: i64, num_shards: usize) -> usize {
    (hash.unsigned_abs() % num_shards as u64) as usize
}

/// How a type's records are keyed for routing.
#[derive(Debug, Clone)]
pub struct ShardKey {
    /// Columns up to and including the last key column: decoding an encoded row
    /// can stop there.
    prefix: Vec<Column>,
    is_key: Vec<bool>,
    key_indexes: Vec<usize>,
}

impl ShardKey {
    /// The key of `ty`, or `None` when it has neither shard key nor primary key
    /// (such records go to random ranks).
    pub fn new(ty: &KineticaType) -> Option<Self> {
        let keys = ty.key_columns();
        let last = *keys.last()?;
        let prefix = ty.columns()[..=last].to_vec();
        let is_key = (0..=last).map(|i| keys.contains(&i)).collect();
        Some(ShardKey {
            prefix,
            is_key,
            key_indexes: keys.to_vec(),
        })
    }

    /// Appends the key bytes of a row given as values (all columns, in order)
    /// to `buf`.
    pub fn key_bytes(&self, row: &[ValueRef<'_>], buf: &mut Vec<u8>) {
        for &i in &self.key_indexes {
            append_key(
                &self.prefix[i],
                row.get(i).copied().unwrap_or(ValueRef::Null),
                buf,
            );
        }
    }

    /// The routing hash of a row given as values. `buf` is scratch space.
    pub fn hash_values(&self, row: &[ValueRef<'_>], buf: &mut Vec<u8>) -> i64 {
        buf.clear();
        self.key_bytes(row, buf);
        hash_key_bytes(buf)
    }

    /// The routing hash of an Avro-encoded row, decoding only the columns up to
    /// the last key column. `buf` is scratch space, reused across rows.
    pub fn hash_encoded(&self, row: &[u8], buf: &mut Vec<u8>) -> Result<i64, DecodeError> {
        buf.clear();
        let mut r = Reader::new(row);
        for (col, &is_key) in self.prefix.iter().zip(&self.is_key) {
            let v = decode_value(col, &mut r)?;
            if is_key {
                append_key(col, v, buf);
            }
        }
        Ok(hash_key_bytes(buf))
    }
}

/// The fixed width of a column's key bytes.
fn key_width(col: &Column) -> usize {
    match col.kind() {
        ColumnKind::Int8 | ColumnKind::Boolean => 1,
        ColumnKind::Int16 => 2,
        ColumnKind::Char(n) => usize::from(n),
        ColumnKind::Date | ColumnKind::Time | ColumnKind::Ipv4 => 4,
        ColumnKind::DateTime | ColumnKind::Timestamp | ColumnKind::Ulong => 8,
        ColumnKind::Uuid => 16,
        ColumnKind::Decimal { precision, .. } => {
            if precision <= 18 {
                8
            } else {
                12
            }
        }
        ColumnKind::Plain => match col.base {
            BaseType::Int | BaseType::Float => 4,
            BaseType::Long | BaseType::Double | BaseType::String | BaseType::Bytes => 8,
        },
    }
}

/// Appends one column's key bytes. Null, and values that do not parse as their
/// declared kind, append zeros of the column's width: the server rejects such
/// rows itself, and a client does not fail routing over them (docs/reference/kinetica-rest-protocol.md §8.3).
fn append_key(col: &Column, v: ValueRef<'_>, buf: &mut Vec<u8>) {
    let start = buf.len();
    if !encode_key(col, v, buf) {
        buf.truncate(start);
        buf.resize(start + key_width(col), 0);
    }
}

fn encode_key(col: &Column, v: ValueRef<'_>, buf: &mut Vec<u8>) -> bool {
    use ColumnKind as K;
    use ValueRef as V;
    match (col.kind(), v) {
        (_, V::Null) => return false,
        (K::Int8 | K::Boolean, V::Int(x)) => buf.push(x as i8 as u8),
        (K::Int16, V::Int(x)) => buf.extend_from_slice(&(x as i16).to_le_bytes()),
        (K::Timestamp, V::Long(ms)) => {
            buf.extend_from_slice(&timestamp_key(ms).to_le_bytes());
        }
        (K::Char(n), V::Str(s)) => char_key(s, usize::from(n), buf),
        (K::Date, V::Str(s)) => match date_key(s) {
            Some(k) => buf.extend_from_slice(&k.to_le_bytes()),
            None => return false,
        },
        (K::Time, V::Str(s)) => match time_key(s) {
            Some(k) => buf.extend_from_slice(&k.to_le_bytes()),
            None => return false,
        },
        (K::DateTime, V::Str(s)) => match datetime_key(s) {
            Some(k) => buf.extend_from_slice(&k.to_le_bytes()),
            None => return false,
        },
        (K::Ipv4, V::Str(s)) => match ipv4_key(s) {
            Some(k) => buf.extend_from_slice(&k.to_le_bytes()),
            None => return false,
        },
        (K::Ulong, V::Str(s)) => match s.trim().parse::<u64>() {
            Ok(k) => buf.extend_from_slice(&k.to_le_bytes()),
            Err(_) => return false,
        },
        (K::Uuid, V::Str(s)) => match uuid_key(s) {
            Some(k) => buf.extend_from_slice(&k),
            None => return false,
        },
        (K::Decimal { precision, scale }, V::Str(s)) => match decimal_scaled(s, scale) {
            Some(k) if precision <= 18 => buf.extend_from_slice(&(k as i64).to_le_bytes()),
            Some(k) => {
                // 96-bit two's complement: low u64, then high u32.
                buf.extend_from_slice(&(k as u64).to_le_bytes());
                buf.extend_from_slice(&((k >> 64) as u32).to_le_bytes());
            }
            None => return false,
        },
        // No type-changing property (or one that does not apply to the value):
        // the base type decides.
        (_, V::Int(x)) => buf.extend_from_slice(&x.to_le_bytes()),
        (_, V::Long(x)) => buf.extend_from_slice(&x.to_le_bytes()),
        (_, V::Float(x)) => buf.extend_from_slice(&canonical_f32(x).to_le_bytes()),
        (_, V::Double(x)) => buf.extend_from_slice(&canonical_f64(x).to_le_bytes()),
        (_, V::Str(s)) => buf.extend_from_slice(&hash_key_bytes_str(s.as_bytes()).to_le_bytes()),
        // Kinetica has no documented key encoding for `bytes`; hash them like a
        // string, the only variable-length rule it has.
        (_, V::Bytes(b)) => buf.extend_from_slice(&hash_key_bytes_str(b).to_le_bytes()),
    }
    true
}

/// A `string` key column contributes the h1 of its own MurmurHash3 (seed 10).
fn hash_key_bytes_str(b: &[u8]) -> i64 {
    murmur3_x64_128(b, SHARD_SEED).0 as i64
}

/// −0.0 becomes +0.0, any NaN the canonical quiet NaN.
fn canonical_f32(x: f32) -> f32 {
    if x.is_nan() {
        f32::NAN
    } else if x == 0.0 {
        0.0
    } else {
        x
    }
}

fn canonical_f64(x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x == 0.0 {
        0.0
    } else {
        x
    }
}

/// `charN`: (N − len) zero bytes, then the characters reversed, UTF-8 encoded.
/// A value longer than N bytes keeps its first characters that fit (the server
/// truncates or rejects it anyway).
fn char_key(s: &str, n: usize, buf: &mut Vec<u8>) {
    let mut len = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if len + c.len_utf8() > n {
            break;
        }
        len += c.len_utf8();
        end = i + c.len_utf8();
    }
    buf.resize(buf.len() + (n - len), 0);
    let mut tmp = [0u8; 4];
    for c in s[..end].chars().rev() {
        buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Calendar fields Kinetica packs into date, datetime and timestamp keys.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    /// 1-based day of the year.
    yday: i64,
    /// Sunday = 1 … Saturday = 7.
    dow: i64,
}

fn civil(y: i64, m: u32, d: u32) -> Option<Civil> {
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    Some(Civil {
        year: y,
        month: m,
        day: d,
        yday: days - days_from_civil(y, 1, 1) + 1,
        // 1970-01-01 was a Thursday (5 when Sunday is 1).
        dow: (days + 4).rem_euclid(7) + 1,
    })
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn pack_datetime(c: &Civil, h: i64, mi: i64, s: i64, ms: i64) -> i64 {
    ((c.year - 1900) << 53)
        + (i64::from(c.month) << 49)
        + (i64::from(c.day) << 44)
        + (h << 39)
        + (mi << 33)
        + (s << 27)
        + (ms << 17)
        + (c.yday << 8)
        + (c.dow << 5)
}

/// `timestamp` keys are the UTC calendar breakdown packed like `datetime`.
fn timestamp_key(ms: i64) -> i64 {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let c = civil(y, m, d).expect("valid civil date");
    pack_datetime(
        &c,
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    )
}

fn parse_num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_date(s: &str) -> Option<Civil> {
    let mut it = s.trim().splitn(3, '-');
    let y = parse_num(it.next()?)?;
    let m = u32::try_from(parse_num(it.next()?)?).ok()?;
    let d = u32::try_from(parse_num(it.next()?)?).ok()?;
    civil(y, m, d)
}

/// `HH:MM:SS[.mmm]` → (h, m, s, ms).
fn parse_time(s: &str) -> Option<(i64, i64, i64, i64)> {
    let (hms, frac) = match s.trim().split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s.trim(), None),
    };
    let mut it = hms.splitn(3, ':');
    let h = parse_num(it.next()?)?;
    let m = parse_num(it.next()?)?;
    let sec = parse_num(it.next().unwrap_or("0"))?;
    let ms = match frac {
        // Milliseconds: ".5" is 500 ms, extra digits are dropped.
        Some(f) => {
            let digits: String = f.chars().chain("000".chars()).take(3).collect();
            parse_num(&digits)?
        }
        None => 0,
    };
    (h < 24 && m < 60 && sec < 60).then_some((h, m, sec, ms))
}

fn date_key(s: &str) -> Option<i32> {
    let c = parse_date(s)?;
    Some(
        (((c.year - 1900) << 21)
            | (i64::from(c.month) << 17)
            | (i64::from(c.day) << 12)
            | (c.yday << 3)
            | c.dow) as i32,
    )
}

fn time_key(s: &str) -> Option<i32> {
    let (h, m, sec, ms) = parse_time(s)?;
    Some(((h << 26) | (m << 20) | (sec << 14) | (ms << 4)) as i32)
}

fn datetime_key(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let c = parse_date(date)?;
    let (h, m, sec, ms) = match time {
        Some(t) => parse_time(t)?,
        None => (0, 0, 0, 0),
    };
    Some(pack_datetime(&c, h, m, sec, ms))
}

fn ipv4_key(s: &str) -> Option<u32> {
    let mut out = 0u32;
    let mut n = 0;
    for part in s.trim().split('.') {
        let b: u8 = part.parse().ok()?;
        out = (out << 8) | u32::from(b);
        n += 1;
    }
    (n == 4).then_some(out)
}

fn uuid_key(s: &str) -> Option<[u8; 16]> {
    let hex: Vec<u8> = s.bytes().filter(|&b| b != b'-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        out[15 - i] = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

/// A decimal text as an integer scaled by 10^scale (extra digits truncated).
fn decimal_scaled(s: &str, scale: u8) -> Option<i128> {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v: i128 = 0;
    for b in int.bytes() {
        v = v.checked_mul(10)?.checked_add(i128::from(digit(b)?))?;
    }
    let mut fb = frac.bytes();
    for _ in 0..scale {
        let d = match fb.next() {
            Some(b) => digit(b)?,
            None => 0,
        };
        v = v.checked_mul(10)?.checked_add(i128::from(d))?;
    }
    if !fb.all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn digit(b: u8) -> Option<u8> {
    b.is_ascii_digit().then(|| b - b'0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::EncodedRows;
    use crate::value::{Value, value_from_json};

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// The routing table the vectors were computed with (docs/reference/kinetica-rest-protocol.md §8.4).
    const RANKS: [i32; 16] = [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1];

    #[test]
    fn official_shard_key_vectors() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/reference/kinetica-shard-key-vectors.jsonl");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "shard-key test vectors are missing: cannot read {}: {e}",
                path.display()
            )
        });
        let mut checked = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let cols: Vec<Vec<String>> = serde_json::from_value(v["columns"].clone()).unwrap();
            let ty = KineticaType::from_column_list(&cols).unwrap();
            let values: Vec<Value> = ty
                .columns()
                .iter()
                .zip(v["record"].as_array().unwrap())
                .map(|(c, j)| value_from_json(c, j).unwrap())
                .collect();
            let refs: Vec<ValueRef> = values.iter().map(Value::as_ref).collect();
            let key = ShardKey::new(&ty).expect("vector types have keys");
            let mut buf = Vec::new();
            key.key_bytes(&refs, &mut buf);
            assert_eq!(hex(&buf), v["key_bytes_hex"].as_str().unwrap(), "{line}");
            let h = key.hash_values(&refs, &mut buf);
            assert_eq!(
                h,
                v["murmur3_x64_128_seed10_h1_signed"].as_i64().unwrap(),
                "{line}"
            );
            let idx = shard_index(h, RANKS.len());
            assert_eq!(idx as u64, v["abs_h1_mod_16"].as_u64().unwrap(), "{line}");
            assert_eq!(i64::from(RANKS[idx]), v["rank"].as_i64().unwrap(), "{line}");
            // The same hash straight from the encoded row.
            let mut rows = EncodedRows::new();
            rows.push_row(&ty, &values).unwrap();
            assert_eq!(key.hash_encoded(rows.get(0).unwrap(), &mut buf).unwrap(), h);
            checked += 1;
        }
        assert_eq!(checked, 15, "expected 15 vectors in {}", path.display());
    }

    #[test]
    fn timestamp_keys_are_packed_calendar_fields() {
        assert_eq!(
            hex(&timestamp_key(1_700_000_000_000).to_le_bytes()),
            "603e01a01aeb760f"
        );
        // A timestamp at midnight packs like the matching datetime text.
        assert_eq!(
            timestamp_key(1_709_164_800_000),
            datetime_key("2024-02-29 00:00:00").unwrap()
        );
        assert_eq!(
            timestamp_key(-1),
            datetime_key("1969-12-31 23:59:59.999").unwrap()
        );
    }

    #[test]
    fn other_kinds() {
        assert_eq!(
            hex(&date_key("2024-02-29").unwrap().to_le_bytes()),
            "e5d1850f"
        );
        assert!(date_key("2023-02-29").is_none());
        assert_eq!(
            time_key("01:02:03.004").unwrap(),
            (1 << 26) | (2 << 20) | (3 << 14) | (4 << 4)
        );
        assert_eq!(time_key("01:02:03.5").unwrap() >> 4 & 0x3ff, 500);
        assert_eq!(
            hex(&uuid_key("00112233-4455-6677-8899-aabbccddeeff").unwrap()),
            "ffeeddccbbaa99887766554433221100"
        );
        assert_eq!(decimal_scaled("123.45", 4), Some(1_234_500));
        assert_eq!(decimal_scaled("-0.00019", 4), Some(-1));
        assert_eq!(decimal_scaled("x", 4), None);
        let mut b = Vec::new();
        char_key("ab", 4, &mut b);
        assert_eq!(b, vec![0, 0, b'b', b'a']);
        b.clear();
        char_key("abcdef", 4, &mut b);
        assert_eq!(b, b"dcba");
        assert_eq!(shard_index(i64::MIN, 16), 0);
        assert_eq!(shard_index(-17, 16), 1);
    }

    #[test]
    fn nulls_and_bad_values_hash_as_zeros() {
        let ty =
            KineticaType::from_column_list(&[["d", "string", "date", "shard_key", "nullable"]])
                .unwrap();
        let key = ShardKey::new(&ty).unwrap();
        let mut b = Vec::new();
        key.key_bytes(&[ValueRef::Null], &mut b);
        assert_eq!(b, vec![0; 4]);
        b.clear();
        key.key_bytes(&[ValueRef::Str("not a date")], &mut b);
        assert_eq!(b, vec![0; 4]);
    }

    #[test]
    fn keyless_types_have_no_shard_key() {
        let ty = KineticaType::from_column_list(&[["a", "int"]]).unwrap();
        assert!(ShardKey::new(&ty).is_none());
    }
}
