//! SplitMix64: the generated records' randomness — tiny, fast, seeded, and good enough
//! for made-up data (not for anything else). Each record draws from a generator of its
//! own ([`SplitMix64::for_record`]), so record `i` of a seed is the same whatever was
//! generated before it: runs and tests are reproducible.

pub struct SplitMix64(u64);

impl SplitMix64 {
    /// The generator of record `index` of `seed`.
    pub fn for_record(seed: u64, index: u64) -> SplitMix64 {
        SplitMix64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n` > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
