//! Dates and times in Kinetica's text forms, from and to Kafka Connect's epoch numbers.
//!
//! Kinetica keeps `date` (`YYYY-MM-DD`), `time` (`HH:MM:SS.mmm`) and `datetime`
//! (`YYYY-MM-DD HH:MM:SS.mmm`) as strings and `timestamp` as epoch milliseconds, all
//! limited to the years 1000–2900. Everything here is UTC and proleptic Gregorian, as
//! Kafka Connect's logical types are; out-of-range input is an error, never clamped (the
//! Java connector clamped silently, docs/reference/kinetica-connector-behaviour.md §8 item 17).

const MS_PER_DAY: i64 = 86_400_000;

/// Kinetica's smallest timestamp, 1000-01-01T00:00:00.000Z, in epoch milliseconds.
pub const MIN_TIMESTAMP_MS: i64 = -30_610_224_000_000;
/// Kinetica's largest timestamp, 2900-12-31T23:59:59.999Z, in epoch milliseconds.
pub const MAX_TIMESTAMP_MS: i64 = 29_379_542_399_999;

/// Why a date or time could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemporalError {
    /// The instant falls outside the years 1000–2900 that Kinetica's temporal
    /// columns store (from [`MIN_TIMESTAMP_MS`] to [`MAX_TIMESTAMP_MS`]).
    #[error("outside Kinetica's date range (years 1000 to 2900)")]
    OutOfRange,
    /// A time-of-day value outside 0..86 400 000 milliseconds past midnight.
    #[error("not a time of day (0 to 86399999 ms)")]
    BadTime,
    /// Text that is not `YYYY-MM-DD[ HH:MM:SS[.fff]]` with an optional `Z` or
    /// `±HH:MM` offset.
    #[error("not a date-time Kinetica accepts (YYYY-MM-DD[ HH:MM:SS[.fff]][Z|±HH:MM])")]
    Unparseable,
}

/// Days since 1970-01-01 → (year, month, day). Howard Hinnant's `civil_from_days`.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) → days since 1970-01-01. Howard Hinnant's `days_from_civil`.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn in_kinetica_years(year: i64) -> Result<(), TemporalError> {
    if (1000..=2900).contains(&year) {
        Ok(())
    } else {
        Err(TemporalError::OutOfRange)
    }
}

/// Checks a timestamp against Kinetica's range.
pub fn check_timestamp(ms: i64) -> Result<i64, TemporalError> {
    if (MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS).contains(&ms) {
        Ok(ms)
    } else {
        Err(TemporalError::OutOfRange)
    }
}

/// A Connect `Date` (days since the epoch) as `YYYY-MM-DD`.
pub fn format_date(days: i64) -> Result<String, TemporalError> {
    let (y, m, d) = civil_from_days(days);
    in_kinetica_years(y)?;
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// A Connect `Time` (milliseconds since midnight) as `HH:MM:SS.mmm`.
pub fn format_time(ms: i64) -> Result<String, TemporalError> {
    if !(0..MS_PER_DAY).contains(&ms) {
        return Err(TemporalError::BadTime);
    }
    Ok(time_of_day(ms))
}

fn time_of_day(ms: i64) -> String {
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{h:02}:{m:02}:{s:02}.{milli:03}")
}

/// Epoch milliseconds as `YYYY-MM-DD HH:MM:SS.mmm`.
pub fn format_datetime(ms: i64) -> Result<String, TemporalError> {
    let ms = check_timestamp(ms)?;
    let (days, in_day) = (ms.div_euclid(MS_PER_DAY), ms.rem_euclid(MS_PER_DAY));
    Ok(format!("{} {}", format_date(days)?, time_of_day(in_day)))
}

/// The date part of epoch milliseconds, as `YYYY-MM-DD`.
pub fn format_date_of(ms: i64) -> Result<String, TemporalError> {
    format_date(check_timestamp(ms)?.div_euclid(MS_PER_DAY))
}

/// The time-of-day part of epoch milliseconds, as `HH:MM:SS.mmm`.
pub fn format_time_of(ms: i64) -> Result<String, TemporalError> {
    Ok(time_of_day(check_timestamp(ms)?.rem_euclid(MS_PER_DAY)))
}

/// Parses `YYYY-MM-DD`, optionally followed by ` ` or `T`, `HH:MM[:SS[.fraction]]` and
/// a zone (`Z` or `±HH:MM`; none means UTC), into epoch milliseconds. Fractions beyond
/// milliseconds are truncated (the Java connector read `.421000000` as 421000000 ms).
pub fn parse_timestamp(text: &str) -> Result<i64, TemporalError> {
    let text = text.trim();
    let bad = || TemporalError::Unparseable;
    let cut = text.len().min(10);
    let (date, rest) = (text.get(..cut).ok_or_else(bad)?, &text[cut..]);
    let mut parts = date.splitn(3, '-');
    let year: i64 = digits(parts.next(), 4).ok_or_else(bad)?;
    let month = digits(parts.next(), 2).ok_or_else(bad)? as u32;
    let day = digits(parts.next(), 2).ok_or_else(bad)? as u32;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(bad());
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if !rest.is_empty() {
        let rest = rest.strip_prefix([' ', 'T']).ok_or_else(bad)?;
        let (clock, offset_ms) = split_zone(rest).ok_or_else(bad)?;
        ms += parse_clock(clock).ok_or_else(bad)? - offset_ms;
    }
    in_kinetica_years(year)?;
    check_timestamp(ms)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Exactly `len` ASCII digits.
fn digits(part: Option<&str>, len: usize) -> Option<i64> {
    let part = part?;
    (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
        .then(|| part.parse().ok())
        .flatten()
}

/// Splits a trailing `Z` or `±HH:MM` off a clock; returns the zone's offset in ms.
fn split_zone(text: &str) -> Option<(&str, i64)> {
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    if let Some(at) = text.rfind(['+', '-'])
        && at >= 5
    {
        let (clock, zone) = text.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (h, m) = zone[1..].split_once(':')?;
        let (h, m) = (digits(Some(h), 2)?, digits(Some(m), 2)?);
        if h > 23 || m > 59 {
            return None;
        }
        return Some((clock, sign * (h * 3_600_000 + m * 60_000)));
    }
    Some((text, 0))
}

/// `HH:MM[:SS[.fraction]]` → milliseconds since midnight.
fn parse_clock(clock: &str) -> Option<i64> {
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, f),
        Some(_) => return None,
        None => (clock, ""),
    };
    let mut parts = hms.split(':');
    let h = digits(parts.next(), 2)?;
    let m = digits(parts.next(), 2)?;
    let s = match parts.next() {
        Some(s) => digits(Some(s), 2)?,
        None if fraction.is_empty() => 0,
        None => return None,
    };
    if parts.next().is_some() || h > 23 || m > 59 || s > 59 {
        return None;
    }
    let milli: i64 = format!("{fraction:0<3}")[..3].parse().ok()?;
    Some(((h * 60 + m) * 60 + s) * 1000 + milli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-719_468, -30_000, -1, 0, 1, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn dates_and_times_format_like_kinetica() {
        assert_eq!(format_date(19_782).unwrap(), "2024-02-29");
        assert_eq!(format_date(-1).unwrap(), "1969-12-31");
        assert_eq!(format_time(0).unwrap(), "00:00:00.000");
        assert_eq!(format_time(86_399_999).unwrap(), "23:59:59.999");
        assert_eq!(format_time(86_400_000), Err(TemporalError::BadTime));
        assert_eq!(format_time(-1), Err(TemporalError::BadTime));
        assert_eq!(
            format_datetime(1_700_000_000_123).unwrap(),
            "2023-11-14 22:13:20.123"
        );
        assert_eq!(format_datetime(-1).unwrap(), "1969-12-31 23:59:59.999");
        assert_eq!(format_date_of(-1).unwrap(), "1969-12-31");
        assert_eq!(format_time_of(-1).unwrap(), "23:59:59.999");
    }

    #[test]
    fn the_range_is_kineticas() {
        assert_eq!(
            format_datetime(MIN_TIMESTAMP_MS).unwrap(),
            "1000-01-01 00:00:00.000"
        );
        assert_eq!(
            format_datetime(MAX_TIMESTAMP_MS).unwrap(),
            "2900-12-31 23:59:59.999"
        );
        assert_eq!(
            format_datetime(MAX_TIMESTAMP_MS + 1),
            Err(TemporalError::OutOfRange)
        );
        assert_eq!(
            check_timestamp(MIN_TIMESTAMP_MS - 1),
            Err(TemporalError::OutOfRange)
        );
        assert_eq!(
            format_date(days_from_civil(999, 12, 31)),
            Err(TemporalError::OutOfRange)
        );
        assert!(format_date(days_from_civil(2900, 12, 31)).is_ok());
    }

    #[test]
    fn timestamps_parse_in_utc() {
        let ok = |t: &str| parse_timestamp(t).unwrap();
        assert_eq!(ok("2023-11-14 22:13:20.123"), 1_700_000_000_123);
        assert_eq!(ok("2023-11-14T22:13:20.123Z"), 1_700_000_000_123);
        assert_eq!(ok("2023-11-14T23:13:20.123+01:00"), 1_700_000_000_123);
        assert_eq!(ok("2023-11-14T21:13:20.123-01:00"), 1_700_000_000_123);
        assert_eq!(ok("2023-11-14 22:13:20"), 1_700_000_000_000);
        assert_eq!(ok("2023-11-14 22:13"), 1_699_999_980_000);
        assert_eq!(ok("1970-01-01"), 0);
        // Nanosecond fractions are truncated to milliseconds, not read as milliseconds.
        assert_eq!(ok("2019-01-15 21:07:49.421000000"), 1_547_586_469_421);
        assert_eq!(ok("2019-01-15 21:07:49.4"), 1_547_586_469_400);
        for bad in [
            "",
            "2023-13-01",
            "2023-02-30",
            "2023-1-1",
            "2023-11-14X22:13",
            "2023-11-14 24:00:00",
            "2023-11-14 22:13:20.",
            "2023-11-14 22:13:20.12a",
            "2023-11-14 22:13:20+1:00",
            "1547587673240",
            "2023-11-1é 22:13",
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(TemporalError::Unparseable),
                "{bad}"
            );
        }
        assert_eq!(
            parse_timestamp("0999-12-31"),
            Err(TemporalError::OutOfRange)
        );
    }
}
