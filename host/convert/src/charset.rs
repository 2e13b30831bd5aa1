//! The character sets the string converter supports, decoded and encoded as Java does:
//! never failing, with U+FFFD for bytes that are not valid and `?` for characters that
//! cannot be represented.

use sluice_record::CompactString;

/// A character set for `converter.encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8 (`converter.encoding`'s default); invalid sequences read as U+FFFD.
    Utf8,
    /// Reads a byte order mark (big-endian without one); writes big-endian with one.
    Utf16,
    /// UTF-16, big-endian, no byte order mark.
    Utf16Be,
    /// UTF-16, little-endian, no byte order mark.
    Utf16Le,
    /// ISO-8859-1: every byte is the code point of the same value.
    Latin1,
    /// US-ASCII: bytes above 127 read as U+FFFD, characters beyond ASCII write as `?`.
    Ascii,
}

impl Charset {
    /// Parses a Java charset name or common alias (`UTF-8`, `utf8`, `ISO-8859-1`, `latin1`).
    pub fn from_name(name: &str) -> Option<Charset> {
        let key: String = name
            .chars()
            .filter(|c| !matches!(c, '-' | '_'))
            .collect::<String>()
            .to_ascii_uppercase();
        Some(match key.as_str() {
            "UTF8" => Charset::Utf8,
            "UTF16" => Charset::Utf16,
            "UTF16BE" => Charset::Utf16Be,
            "UTF16LE" => Charset::Utf16Le,
            "ISO88591" | "ISO8859.1" | "LATIN1" | "L1" => Charset::Latin1,
            "USASCII" | "ASCII" => Charset::Ascii,
            _ => return None,
        })
    }

    /// Reads `bytes` as text in this character set, as Java's `new String(bytes, charset)`:
    /// never fails, malformed input becomes U+FFFD.
    pub fn decode(self, bytes: &[u8]) -> CompactString {
        match self {
            Charset::Utf8 => CompactString::from_utf8_lossy(bytes),
            Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            Charset::Ascii => bytes
                .iter()
                .map(|&b| {
                    if b.is_ascii() {
                        char::from(b)
                    } else {
                        '\u{FFFD}'
                    }
                })
                .collect(),
            Charset::Utf16Be => utf16(bytes, u16::from_be_bytes),
            Charset::Utf16Le => utf16(bytes, u16::from_le_bytes),
            Charset::Utf16 => match bytes {
                [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
                [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
                _ => utf16(bytes, u16::from_be_bytes),
            },
        }
    }

    /// Writes `text` in this character set, as Java's `String.getBytes(charset)`: never
    /// fails, a character the set cannot represent becomes `?`.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => text.as_bytes().to_vec(),
            Charset::Latin1 => text
                .chars()
                .map(|c| u8::try_from(c).unwrap_or(b'?'))
                .collect(),
            Charset::Ascii => text
                .chars()
                .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                .collect(),
            Charset::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            Charset::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Charset::Utf16 => [0xFE, 0xFF]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> CompactString {
    let chunks = bytes.chunks_exact(2);
    let odd = !chunks.remainder().is_empty();
    let mut out: CompactString = char::decode_utf16(chunks.map(|c| unit([c[0], c[1]])))
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect();
    if odd {
        out.push('\u{FFFD}');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(Charset::from_name("UTF-8"), Some(Charset::Utf8));
        assert_eq!(Charset::from_name("utf8"), Some(Charset::Utf8));
        assert_eq!(Charset::from_name("ISO-8859-1"), Some(Charset::Latin1));
        assert_eq!(Charset::from_name("US-ASCII"), Some(Charset::Ascii));
        assert_eq!(Charset::from_name("UTF-16LE"), Some(Charset::Utf16Le));
        assert_eq!(Charset::from_name("EBCDIC"), None);
    }

    #[test]
    fn lossy_like_java() {
        assert_eq!(Charset::Utf8.decode(b"a\xffb"), "a\u{FFFD}b");
        assert_eq!(Charset::Ascii.decode(b"a\xe9"), "a\u{FFFD}");
        assert_eq!(Charset::Latin1.decode(b"caf\xe9"), "café");
        assert_eq!(Charset::Latin1.encode("café €"), b"caf\xe9 ?");
        assert_eq!(Charset::Ascii.encode("é"), b"?");
        assert_eq!(Charset::Utf16Be.decode(b"\x00a\x00"), "a\u{FFFD}");
    }

    #[test]
    fn utf16_byte_order_marks() {
        let text = "h€llo 𝄞";
        for cs in [
            Charset::Utf16,
            Charset::Utf16Be,
            Charset::Utf16Le,
            Charset::Utf8,
        ] {
            assert_eq!(cs.decode(&cs.encode(text)), text, "{cs:?}");
        }
        assert_eq!(Charset::Utf16.encode("a"), [0xFE, 0xFF, 0x00, b'a']);
        assert_eq!(Charset::Utf16.decode(&[0xFF, 0xFE, b'a', 0x00]), "a");
        assert_eq!(Charset::Utf16.decode(&[0x00, b'a']), "a");
    }
}
