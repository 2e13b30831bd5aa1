//! Copies of consumed keys and values, out of librdkafka's messages and into
//! [`RawRecord`](sluice_record::RawRecord)s.
//!
//! A message's payload lives only as long as the message, and a batch outlives its
//! messages (it is kept until its offsets are committed, for reruns and the dead letter
//! queue), so payloads are copied. One allocation per key and per value cost a
//! `malloc` and a `free` each — more than the copy, for 100-byte records
//! (docs/benchmarks.md). Small payloads are therefore copied into shared chunks, each
//! payload a [`Bytes`] slice of its chunk; a chunk is freed when the last record using
//! it is dropped. Large payloads get an allocation of their own: the copy dominates
//! their cost anyway, and a large payload sharing a chunk would keep up to a chunk of
//! other records' memory alive.

use bytes::{Bytes, BytesMut};

/// Bytes of each shared chunk: under glibc's default threshold for serving an
/// allocation with `mmap` (128 KiB), so chunks come from the heap.
const CHUNK: usize = 64 * 1024;

/// Payloads up to this size are copied into a shared chunk.
const SHARED_UP_TO: usize = CHUNK / 16;

/// Where a consumer copies the payloads of the messages it takes.
#[derive(Default)]
pub(crate) struct Payloads {
    chunk: BytesMut,
}

impl Payloads {
    /// A copy of `payload`.
    pub(crate) fn copy(&mut self, payload: &[u8]) -> Bytes {
        if payload.len() > SHARED_UP_TO {
            return Bytes::copy_from_slice(payload);
        }
        if self.chunk.capacity() - self.chunk.len() < payload.len() {
            // The old chunk stays alive through the slices already handed out.
            self.chunk = BytesMut::with_capacity(CHUNK);
        }
        self.chunk.extend_from_slice(payload);
        self.chunk.split().freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_equal_and_small_ones_share_a_chunk() {
        let mut payloads = Payloads::default();
        let a = payloads.copy(b"first");
        let b = payloads.copy(b"second");
        let empty = payloads.copy(b"");
        assert_eq!(
            (&a[..], &b[..], &empty[..]),
            (&b"first"[..], &b"second"[..], &b""[..])
        );
        // Adjacent in one chunk: b starts where a ends.
        assert_eq!(a.as_ptr().wrapping_add(a.len()), b.as_ptr());
        let large = vec![7u8; SHARED_UP_TO + 1];
        assert_eq!(&payloads.copy(&large)[..], &large[..]);
    }

    #[test]
    fn a_full_chunk_is_replaced_and_what_was_in_it_stays_valid() {
        let mut payloads = Payloads::default();
        let record = vec![1u8; SHARED_UP_TO];
        let copies: Vec<Bytes> = (0..40).map(|_| payloads.copy(&record)).collect();
        assert!(copies.iter().all(|c| c[..] == record[..]));
        // 40 payloads of a sixteenth of a chunk take three chunks.
        let starts: std::collections::HashSet<_> = copies
            .windows(2)
            .filter(|w| w[0].as_ptr().wrapping_add(w[0].len()) != w[1].as_ptr())
            .map(|w| w[1].as_ptr())
            .collect();
        assert_eq!(starts.len(), 2);
    }
}
