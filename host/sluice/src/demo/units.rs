//! Numbers as people read them in the demo's and benchmark's output.

use std::time::Duration;

/// `1234567` → `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` per second over `elapsed` (0 when no time passed).
pub fn per_second(n: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { n as f64 / secs } else { 0.0 }
}

/// Records per second, rounded: `45,310 records/s`.
pub fn records_per_second(records: u64, elapsed: Duration) -> String {
    format!(
        "{} records/s",
        count(per_second(records, elapsed).round() as u64)
    )
}

/// Decimal megabytes (10^6 bytes), as network and disk throughput is quoted: `12.3 MB`.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// `56.8 MB/s`.
pub fn megabytes_per_second(bytes: u64, elapsed: Duration) -> String {
    format!("{:.1} MB/s", per_second(bytes, elapsed) / 1e6)
}

/// `2.21 s`.
pub fn seconds(elapsed: Duration) -> String {
    format!("{:.2} s", elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn rates_survive_a_zero_duration() {
        assert_eq!(records_per_second(10, Duration::ZERO), "0 records/s");
        assert_eq!(
            records_per_second(90_621, Duration::from_secs(2)),
            "45,311 records/s"
        );
        assert_eq!(
            megabytes_per_second(5_000_000, Duration::from_millis(500)),
            "10.0 MB/s"
        );
        assert_eq!(megabytes(12_345_678), "12.3 MB");
        assert_eq!(seconds(Duration::from_millis(2214)), "2.21 s");
    }
}
