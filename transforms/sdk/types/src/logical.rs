//! Kafka Connect's logical types as the WIT carries them (physical form: a Date is an
//! `int32` of days since the epoch, a Time an `int32` of milliseconds since midnight, a
//! Timestamp an `int64` of milliseconds since the epoch, a Decimal the big-endian
//! two's-complement unscaled integer with its `scale` parameter), and the text Connect
//! renders them as (`Values.dateFormatFor`: `yyyy-MM-dd`, `HH:mm:ss.SSS`,
//! `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`, in UTC).

pub const DATE: &str = "org.apache.kafka.connect.data.Date";
pub const TIME: &str = "org.apache.kafka.connect.data.Time";
pub const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
pub const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";

/// Whether `name` is one of Connect's logical types.
pub fn is_logical(name: &str) -> bool {
    [DATE, TIME, TIMESTAMP, DECIMAL].contains(&name)
}

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm, in 400-year eras.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The day count since 1970-01-01 of a (year, month, day); months and days outside
/// their range roll over, as Java's lenient calendar does.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = year + (month - 1).div_euclid(12);
    let m = (month - 1).rem_euclid(12) + 1;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + (day - 1)
}

/// `yyyy-MM-dd` of a day count since the epoch.
pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:mm:ss.SSS` of milliseconds since midnight (taken modulo a day).
pub fn format_time(millis: i64) -> String {
    let ms = millis.rem_euclid(86_400_000);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` of milliseconds since the epoch.
pub fn format_timestamp(millis: i64) -> String {
    format!(
        "{}T{}Z",
        format_date(millis.div_euclid(86_400_000)),
        format_time(millis)
    )
}

/// The unscaled value of a Decimal's bytes, if it fits 128 bits.
pub fn decimal_unscaled(bytes: &[u8]) -> Option<i128> {
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut buf = [fill; 16];
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    Some(i128::from_be_bytes(buf))
}

/// A Decimal's unscaled value as bytes: big-endian two's complement, as few as hold it,
/// as Java's `BigInteger.toByteArray` (and so Connect's `Decimal.fromLogical`) writes
/// them. Zero is one zero byte (no bytes is no Decimal: [`decimal_unscaled`]).
pub fn decimal_bytes(unscaled: i128) -> Vec<u8> {
    let bytes = unscaled.to_be_bytes();
    // A leading byte is redundant when it only repeats the sign of the next one.
    let redundant = bytes
        .windows(2)
        .take_while(|w| (w[0] == 0 && w[1] & 0x80 == 0) || (w[0] == 0xff && w[1] & 0x80 != 0))
        .count();
    bytes[redundant..].to_vec()
}

/// The unscaled value, at `scale`, of a plain decimal number (`42`, `-12.5`, `.5`): fewer
/// fractional digits than the scale are padded with zeros; more are refused unless they
/// are zeros, as they would be lost. `None` if the text is no such number or the value
/// does not fit 128 bits.
pub fn parse_decimal(text: &str, scale: i32) -> Option<i128> {
    let (negative, digits) = match text.trim().as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    let digits = std::str::from_utf8(digits).ok()?;
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac_digits = i32::try_from(frac.len()).ok()?;
    let mut n: i128 = format!("{int}{frac}").parse().ok()?;
    if scale >= frac_digits {
        n = n.checked_mul(10i128.checked_pow((scale - frac_digits) as u32)?)?;
    } else {
        let divisor = 10i128.checked_pow((frac_digits - scale) as u32)?;
        if n % divisor != 0 {
            return None;
        }
        n /= divisor;
    }
    Some(if negative { -n } else { n })
}

/// A Decimal as text, as Java's `BigDecimal.toPlainString` writes it (`-12.50`).
pub fn format_decimal(unscaled: i128, scale: i32) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale <= 0 {
        return format!(
            "{sign}{digits}{}",
            "0".repeat(scale.unsigned_abs() as usize)
        );
    }
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_render_as_connect_does() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(19_723), "2024-01-01");
        assert_eq!(format_date(-1), "1969-12-31");
        assert_eq!(format_time(45_296_789), "12:34:56.789");
        assert_eq!(
            format_timestamp(1_700_000_000_000),
            "2023-11-14T22:13:20.000Z"
        );
        assert_eq!(format_timestamp(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn days_and_civil_dates_round_trip() {
        for days in [-800_000, -1, 0, 59, 19_723, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
        assert_eq!(days_from_civil(2023, 13, 1), days_from_civil(2024, 1, 1));
    }

    #[test]
    fn decimals_render_plainly() {
        assert_eq!(decimal_unscaled(&[0x04, 0xe2]), Some(1250));
        assert_eq!(decimal_unscaled(&[0xff]), Some(-1));
        assert_eq!(format_decimal(1250, 2), "12.50");
        assert_eq!(format_decimal(-5, 3), "-0.005");
        assert_eq!(format_decimal(12, -2), "1200");
    }

    #[test]
    fn decimals_parse_at_a_scale_and_encode_as_java_does() {
        assert_eq!(parse_decimal("42", 2), Some(4200));
        assert_eq!(parse_decimal("-12.5", 2), Some(-1250));
        assert_eq!(parse_decimal(".5", 1), Some(5));
        assert_eq!(parse_decimal("1.230", 2), Some(123));
        assert_eq!(parse_decimal("1.234", 2), None);
        assert_eq!(parse_decimal("1200", -2), Some(12));
        for bad in ["", ".", "1e3", "abc", "1.2.3", "--1"] {
            assert_eq!(parse_decimal(bad, 2), None, "{bad:?}");
        }
        assert_eq!(decimal_bytes(0), [0]);
        assert_eq!(decimal_bytes(1250), [0x04, 0xe2]);
        assert_eq!(decimal_bytes(128), [0x00, 0x80]);
        assert_eq!(decimal_bytes(-1), [0xff]);
        assert_eq!(decimal_bytes(-129), [0xff, 0x7f]);
        for n in [0, 1, -1, 127, 128, -128, -129, i128::MAX, i128::MIN] {
            assert_eq!(decimal_unscaled(&decimal_bytes(n)), Some(n), "{n}");
        }
    }
}
