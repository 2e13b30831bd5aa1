//! Confluent's Schema Registry wire format: a zero magic byte, the schema id as four
//! big-endian bytes, then the Avro binary datum.

/// The first byte of every framed message.
pub const MAGIC: u8 = 0;

/// The header's length: the magic byte and the id.
pub const HEADER: usize = 5;

/// Why bytes are not a framed message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Shorter than the header.
    #[error(
        "{0} bytes, shorter than the 5-byte Schema Registry header: not written by an \
         Avro serializer that uses a Schema Registry"
    )]
    Short(usize),
    /// The first byte is not the magic byte.
    #[error(
        "the first byte is {0}, not the Schema Registry magic byte 0: not written by an \
         Avro serializer that uses a Schema Registry (plain JSON or a string starts with \
         another byte)"
    )]
    Magic(u8),
}

/// The schema id and the datum of a framed message.
pub fn split(bytes: &[u8]) -> Result<(u32, &[u8]), FrameError> {
    if bytes.len() < HEADER {
        return Err(FrameError::Short(bytes.len()));
    }
    if bytes[0] != MAGIC {
        return Err(FrameError::Magic(bytes[0]));
    }
    let id = u32::from_be_bytes(bytes[1..HEADER].try_into().expect("4 bytes"));
    Ok((id, &bytes[HEADER..]))
}

/// Starts a framed message for schema `id`; the datum is appended after it.
pub fn header(id: u32, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + capacity);
    out.push(MAGIC);
    out.extend_from_slice(&id.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_split_agree_and_bad_frames_say_why() {
        let mut framed = header(0x0102_0304, 1);
        framed.push(42);
        assert_eq!(&framed[..5], &[0, 1, 2, 3, 4]);
        assert_eq!(split(&framed), Ok((0x0102_0304, &[42u8][..])));
        assert_eq!(split(&[0, 1]), Err(FrameError::Short(2)));
        assert_eq!(split(b"{\"a\":1}"), Err(FrameError::Magic(b'{')));
    }
}
