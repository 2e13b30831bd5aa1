//! MurmurHash3 x64 128-bit, as Kinetica uses it for shard routing.
//!
//! Own implementation rather than a crate: the candidates either hash through
//! `std::io::Read` and return `io::Result<u128>` (`murmur3`, an awkward fit for a
//! per-row hot path over a byte slice), or are unmaintained 0.1 releases (`mur3`).
//! The algorithm is 40 lines of public-domain reference code, and the test
//! vectors (docs/reference/kinetica-rest-protocol.md §8.4, `kinetica-shard-key-vectors.jsonl`) pin it down.

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

#[inline]
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// MurmurHash3_x64_128 of `data` with `seed`; returns `(h1, h2)`.
pub fn murmur3_x64_128(data: &[u8], seed: u32) -> (u64, u64) {
    let mut h1 = u64::from(seed);
    let mut h2 = u64::from(seed);
    let mut blocks = data.chunks_exact(16);
    for block in &mut blocks {
        let mut k1 = u64::from_le_bytes(block[..8].try_into().expect("8 bytes"));
        let mut k2 = u64::from_le_bytes(block[8..].try_into().expect("8 bytes"));
        k1 = k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 ^= k1;
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        k2 = k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 ^= k2;
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let tail = blocks.remainder();
    if tail.len() > 8 {
        let mut k2 = 0u64;
        for (i, &b) in tail[8..].iter().enumerate() {
            k2 ^= u64::from(b) << (8 * i);
        }
        h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
    }
    if !tail.is_empty() {
        let mut k1 = 0u64;
        for (i, &b) in tail[..tail.len().min(8)].iter().enumerate() {
            k1 ^= u64::from(b) << (8 * i);
        }
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (h1, h2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_values() {
        // Well-known MurmurHash3_x64_128 outputs (seed 0), as produced by the
        // reference C++ implementation and Python's mmh3.
        assert_eq!(murmur3_x64_128(b"", 0), (0, 0));
        let (h1, h2) = murmur3_x64_128(b"hello", 0);
        assert_eq!((h1, h2), (0xcbd8a7b341bd9b02, 0x5b1e906a48ae1d19));
        // Seed 10 of "hello" is the key-bytes vector of docs/reference/kinetica-rest-protocol.md §8.4.
        let (h1, _) = murmur3_x64_128(b"hello", 10);
        assert_eq!(
            h1.to_le_bytes(),
            [0x2f, 0x1e, 0x98, 0x6a, 0xa5, 0xdb, 0x1e, 0x38]
        );
    }

    #[test]
    fn every_tail_length_is_handled() {
        let data: Vec<u8> = (0..40).collect();
        let mut seen = std::collections::HashSet::new();
        for n in 0..=40 {
            assert!(seen.insert(murmur3_x64_128(&data[..n], 10)));
        }
    }
}
