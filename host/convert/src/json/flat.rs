//! Flat schemaless objects read without serde: the JSON converter's fast path.
//!
//! Most schemaless records are one object of strings, numbers, booleans and nulls.
//! serde_json reads it through its generic `Deserializer`, which took 3 800 instructions
//! for the 100-byte record of `sluice bench` (callgrind; jiter, a JSON iterator built for
//! speed, counted the same), most of it bookkeeping per key and value, and scans a long
//! string eight bytes a step. This reader does such an object in one tight pass: 2 600
//! instructions for that record, and half of serde_json's for a 50 KB one, whose long
//! string it hands to `memchr`'s vector search (docs/benchmarks.md, "Flat objects read
//! without serde").
//!
//! It only ever *accepts*: anything it does not read exactly as serde_json would — an
//! escape in a string, a nested object or array, an integer of more than 19 digits or
//! below i64, `-0`, a double out of range, or invalid JSON of any kind — makes it return
//! `None`, and the caller reads the document with serde_json, which gives the value or
//! the error with its usual wording. The tests hold it to serde_json on generated
//! documents.

use sluice_record::{CompactString, Value};

use super::decode::OBJECT_ENTRIES;

/// The value of `text` if it is a JSON object of scalars that this reader takes; `None`
/// to have serde_json read it.
pub(crate) fn object(text: &str) -> Option<Value> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    reader.skip_whitespace();
    reader.expect(b'{')?;
    let mut entries = Vec::with_capacity(OBJECT_ENTRIES);
    reader.skip_whitespace();
    if !reader.take(b'}') {
        loop {
            reader.expect(b'"')?;
            let key = CompactString::from(reader.string_body()?);
            reader.skip_whitespace();
            reader.expect(b':')?;
            reader.skip_whitespace();
            let value = reader.scalar()?;
            entries.push((Value::String(key), value));
            reader.skip_whitespace();
            match reader.next()? {
                b',' => reader.skip_whitespace(),
                b'}' => break,
                _ => return None,
            }
        }
    }
    reader.skip_whitespace();
    (reader.at == text.len()).then_some(Value::Map(entries))
}

/// The helpers that read a value are inlined into [`object`] whatever the compiler would
/// choose (`#[inline(always)]`): 7 % fewer instructions for the bench record, counted.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn take(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.take(byte).then_some(())
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// After a string's opening quote: its text, which must have no escape; the reader
    /// moves past the closing quote.
    #[inline(always)]
    fn string_body(&mut self) -> Option<&'a str> {
        let start = self.at;
        let end = start + plain_run(&self.bytes[start..])?;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // Both ends are next to a `"`, an ASCII byte, so on character boundaries.
        self.text.get(start..end)
    }

    #[inline(always)]
    fn scalar(&mut self) -> Option<Value> {
        Some(match self.next()? {
            b'"' => Value::String(CompactString::from(self.string_body()?)),
            b't' => self.rest_of(b"rue", Value::Boolean(true))?,
            b'f' => self.rest_of(b"alse", Value::Boolean(false))?,
            b'n' => self.rest_of(b"ull", Value::Null)?,
            b'-' => self.number(self.at - 1, true)?,
            b'0'..=b'9' => {
                self.at -= 1;
                self.number(self.at, false)?
            }
            _ => return None,
        })
    }

    fn rest_of(&mut self, word: &[u8], value: Value) -> Option<Value> {
        self.bytes[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// The digits from here: how many, and their value (continuing `value`; wrapping,
    /// so only meaningful up to 19 digits in all).
    #[inline(always)]
    fn digits(&mut self, mut value: u64) -> (usize, u64) {
        let start = self.at;
        while let Some(digit) = self.peek().map(|b| b.wrapping_sub(b'0'))
            && digit <= 9
        {
            value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
            self.at += 1;
        }
        (self.at - start, value)
    }

    /// A number by JSON's grammar, from `start` (its sign, if `negative`), the reader
    /// being just past the sign.
    #[inline(always)]
    fn number(&mut self, start: usize, negative: bool) -> Option<Value> {
        let (whole, mut mantissa) = self.digits(0);
        // No leading zero before another digit.
        if whole == 0 || (whole > 1 && self.bytes[self.at - whole] == b'0') {
            return None;
        }
        let mut fraction = 0;
        if self.take(b'.') {
            (fraction, mantissa) = self.digits(mantissa);
            (fraction > 0).then_some(())?;
        }
        let mut exponent = None;
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            let minus = !self.take(b'+') && self.take(b'-');
            let (count, value) = self.digits(0);
            (count > 0).then_some(())?;
            exponent = Some((minus, count, value));
        }
        if fraction == 0 && exponent.is_none() {
            // Nineteen digits cannot overflow a u64. As the serde path does, a whole
            // number beyond i64 is a double; serde_json reads a negative one beyond it,
            // and `-0`, as doubles of its own: both are left to it.
            if whole > 19 || (negative && mantissa == 0) {
                return None;
            }
            return if negative {
                0i64.checked_sub_unsigned(mantissa).map(Value::Int64)
            } else {
                Some(i64::try_from(mantissa).map_or(Value::Float64(mantissa as f64), Value::Int64))
            };
        }
        let value = match exponent {
            None => exact_double(mantissa, whole + fraction, fraction as i64, negative),
            Some((minus, count, value)) if count <= 4 => {
                let value = value as i64;
                let scale = fraction as i64 - if minus { -value } else { value };
                exact_double(mantissa, whole + fraction, scale, negative)
            }
            Some(_) => None,
        };
        let value = match value {
            Some(value) => value,
            // The general case, correctly rounded as serde_json's `float_roundtrip` is.
            None => self.text.get(start..self.at)?.parse().ok()?,
        };
        value.is_finite().then_some(Value::Float64(value))
    }
}

/// `±mantissa × 10^-scale` when it is exactly computed by one IEEE operation (Clinger's
/// fast path: both operands exact doubles, so the one rounding is the correct one); `None`
/// otherwise.
fn exact_double(mantissa: u64, digits: usize, scale: i64, negative: bool) -> Option<f64> {
    /// Powers of ten that doubles hold exactly.
    const POWERS: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    // Fifteen digits are below 2^53, so the mantissa converts exactly.
    if digits > 15 {
        return None;
    }
    let power = *POWERS.get(scale.unsigned_abs() as usize)?;
    let magnitude = mantissa as f64;
    let value = if scale >= 0 {
        magnitude / power
    } else {
        magnitude * power
    };
    Some(if negative { -value } else { value })
}

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each byte of `word` that is below `n` (n ≤ 128); a byte after a marked
/// one may be marked as well, so only the first mark (the lowest, bytes read
/// little-endian) is to be relied on.
fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// Strings longer than this go to `memchr`.
const LONG_STRING: usize = 64;

/// The length of the plain run at the start of a string's body `rest`: up to its first
/// quote, backslash or control character (which JSON forbids unescaped); `None` if the
/// text ends first.
#[inline(always)]
fn plain_run(rest: &[u8]) -> Option<usize> {
    // Eight bytes a step, then one by one; past the first 64 bytes (a record's payload,
    // a document) `memchr`'s vector search is faster still.
    let mut at = 0;
    while let Some(chunk) = rest.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let stops = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if stops != 0 {
            return Some(at + (stops.trailing_zeros() / 8) as usize);
        }
        at += 8;
        if at == LONG_STRING {
            return long_run(rest, at);
        }
    }
    let stop = |&b: &u8| b == b'"' || b == b'\\' || b < 0x20;
    rest[at..].iter().position(stop).map(|end| at + end)
}

/// [`plain_run`] for a string whose first `checked` bytes are plain.
fn long_run(rest: &[u8], checked: usize) -> Option<usize> {
    let end = checked + memchr::memchr2(b'"', b'\\', &rest[checked..])?;
    // Without an early exit, so that the compiler checks many bytes per instruction.
    let control = rest[checked..end]
        .iter()
        .fold(false, |control, &b| control | (b < 0x20));
    if control {
        rest[checked..]
            .iter()
            .position(|&b| b < 0x20)
            .map(|c| checked + c)
    } else {
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::de::DeserializeSeed;

    use super::*;
    use crate::json::decode::Schemaless;

    /// What serde_json makes of `text`, the reference; `Debug` text, so that -0.0 and
    /// 0.0 differ.
    fn by_serde(text: &str) -> Option<String> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Schemaless.deserialize(&mut de).ok()?;
        de.end().ok()?;
        Some(format!("{value:?}"))
    }

    /// Holds the reader to serde_json on `text`: it may decline, but what it accepts
    /// serde_json reads as the same value.
    fn agrees(text: &str) -> bool {
        let ours = object(text).map(|v| format!("{v:?}"));
        match &ours {
            Some(_) => ours == by_serde(text),
            None => true,
        }
    }

    #[test]
    fn a_bench_record_is_read_as_serde_json_reads_it() {
        let text = r#"{"id":123456,"symbol":"S042","price":52.07,"size":300,"ts":1547587673240,"pad":"xxxxxxxxxxxxxxxxx"}"#;
        assert!(object(text).is_some());
        assert!(agrees(text));
    }

    #[test]
    fn every_scalar_and_whitespace_is_taken() {
        let text = " {\n\t\"a\" : true , \"b\":false,\"c\":null,\"d\":-12,\"e\":0,\"f\":1.5e3,\
                    \"g\":-0.25,\"h\":\"é ☃\",\"\":\"\",\"a\":2E-2 }\r\n";
        assert_eq!(
            object(text),
            Some(Value::Map(vec![
                (Value::from("a"), Value::Boolean(true)),
                (Value::from("b"), Value::Boolean(false)),
                (Value::from("c"), Value::Null),
                (Value::from("d"), Value::Int64(-12)),
                (Value::from("e"), Value::Int64(0)),
                (Value::from("f"), Value::Float64(1500.0)),
                (Value::from("g"), Value::Float64(-0.25)),
                (Value::from("h"), Value::from("é ☃")),
                (Value::from(""), Value::from("")),
                (Value::from("a"), Value::Float64(0.02)),
            ]))
        );
        assert!(agrees(text));
        assert_eq!(object("{}"), Some(Value::Map(vec![])));
    }

    #[test]
    fn what_serde_json_reads_differently_or_refuses_is_left_to_it() {
        for text in [
            r#"{"a":"line\nbreak"}"#,        // an escape
            r#"{"a\"b":1}"#,                 // an escaped key
            r#"{"a":{"b":1}}"#,              // nested
            r#"{"a":[1]}"#,                  // an array
            r#"{"a":-0}"#,                   // serde_json: the double -0.0
            r#"{"a":-9223372036854775809}"#, // below i64
            r#"{"a":18446744073709551616}"#, // 20 digits
            r#"{"a":1e400}"#,                // out of range
            r#"{"a":01}"#,                   // a leading zero
            r#"{"a":1.}"#,                   // no fraction digit
            r#"{"a":.5}"#,                   // no whole digit
            r#"{"a":1e}"#,                   // no exponent digit
            r#"{"a":+1}"#,                   // a plus sign
            r#"{"a":tru}"#,                  // a broken literal
            r#"{"a":1,}"#,                   // a trailing comma
            r#"{"a":1} x"#,                  // trailing text
            r#"{"a" 1}"#,                    // no colon
            "{\"a\":\"tab\tinside\"}",       // a raw control character
            r#"{"a":"unterminated"#,         // the end of the text
            r#"[1,2]"#,                      // not an object
            r#""text""#,                     // not an object
            "",
        ] {
            assert_eq!(object(text), None, "{text}");
        }
    }

    #[test]
    fn long_strings_are_searched_to_their_end() {
        for len in [0, 7, 8, 9, 63, 64, 65, 200, 50_000] {
            let body = "x".repeat(len);
            let text = format!(r#"{{"pad":"{body}","n":1}}"#);
            assert_eq!(
                object(&text),
                Some(Value::Map(vec![
                    (Value::from("pad"), Value::from(body.as_str())),
                    (Value::from("n"), Value::Int64(1)),
                ])),
                "{len} bytes"
            );
            // An escape or a control character anywhere in it is seen.
            for at in [0, len / 2, len.saturating_sub(1)]
                .into_iter()
                .filter(|_| len > 0)
            {
                for odd in ['\\', '\u{1f}'] {
                    let mut odd_body = body.clone();
                    odd_body.replace_range(at..at + 1, &odd.to_string());
                    let text = format!(r#"{{"pad":"{odd_body}","n":1}}"#);
                    assert_eq!(object(&text), None, "{len} bytes, {odd:?} at {at}");
                }
            }
        }
    }

    /// Pieces of JSON, valid and not, that generated documents are made of.
    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just(",".to_owned()),
            Just(":".to_owned()),
            Just(" ".to_owned()),
            Just("[".to_owned()),
            Just("true".to_owned()),
            Just("nul".to_owned()),
            "\"[a-z\\\\\"\u{1}é]{0,12}\"",
            "-?[0-9]{1,22}(\\.[0-9]{0,20})?([eE][-+]?[0-9]{0,4})?",
            any::<f64>().prop_map(|f| f.to_string()),
            any::<i64>().prop_map(|i| i.to_string()),
        ]
    }

    /// Flat objects whose members are mostly well-formed, so that most are taken.
    fn flat_object() -> impl Strategy<Value = String> {
        let value = prop_oneof![
            any::<i64>().prop_map(|i| i.to_string()),
            any::<u64>().prop_map(|u| u.to_string()),
            any::<f64>().prop_map(|f| serde_json::to_string(&f).unwrap()),
            "-?(0|[1-9][0-9]{0,7})\\.[0-9]{1,9}([eE][-+]?[0-9]{1,3})?",
            "[-+]?(0|[1-9][0-9]{0,17})[eE][-+]?[0-9]{1,5}",
            "\"[ !#-\\[\\]-~é☃]{0,80}\"", // printable, without `"` and `\`
            Just("true".to_owned()),
            Just("null".to_owned()),
        ];
        proptest::collection::vec(("\"[a-z_]{0,10}\"", value), 0..8).prop_map(|members| {
            let members: Vec<String> = members.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("{{{}}}", members.join(","))
        })
    }

    #[test]
    fn most_generated_objects_are_taken_so_the_agreement_is_not_vacuous() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = flat_object();
        let texts: Vec<String> = (0..1000)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect();
        let taken = texts.iter().filter(|t| object(t).is_some()).count();
        // 675 with this seed; the rest hold 20-digit or out-of-range numbers, or a `+`.
        assert!(taken > 600, "only {taken} of 1000 taken");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn what_it_accepts_serde_json_reads_the_same(text in flat_object()) {
            prop_assert!(agrees(&text), "{text}");
        }

        #[test]
        fn on_arbitrary_tokens_it_never_disagrees(tokens in proptest::collection::vec(token(), 0..16)) {
            let text = format!("{{{}}}", tokens.concat());
            prop_assert!(agrees(&text), "{text}");
            prop_assert!(agrees(&tokens.concat()));
        }
    }
}
