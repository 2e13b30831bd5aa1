//! Timestamps formatted with, and read from text in, a `java.text.SimpleDateFormat`
//! pattern, in UTC: Kafka Connect's `TimestampRouter` (`timestamp.format`) and
//! `TimestampConverter` (`format`) take such patterns. Formatting shows zones as UTC;
//! reading applies a zone in the text (`Z`, `UTC`, `GMT`, `±HH[:]MM`).
//!
//! Supported letters: `y` `M` `d` `D` `E` `a` `H` `k` `K` `h` `m` `s` `S` `z` `Z` `X`,
//! with Java's meaning of repeated letters (`yy` two digits, `MMM` a short month name,
//! `MMMM` a full one…); `'quoted'` text and `''` for a quote; any other non-letter is
//! literal. Other letters (`G`, `w`, `u`…) are refused when the pattern is parsed, so a
//! component can report them at `configure`.

use sluice_sdk_types::logical::{civil_from_days, days_from_civil};

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Literal(String),
    Field(char, usize),
}

const SUPPORTED: &str = "yMdDEaHkKhmsSzZX";
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl DateFormat {
    /// Parses `pattern`; the error names the first letter it cannot format.
    pub fn parse(pattern: &str) -> Result<DateFormat, String> {
        let mut items = Vec::new();
        let mut literal = String::new();
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                // Quoted text; `''` inside it is a quote too.
                i += 1;
                loop {
                    match (chars.get(i), chars.get(i + 1)) {
                        (Some('\''), Some('\'')) => {
                            literal.push('\'');
                            i += 2;
                        }
                        (Some('\''), _) => break,
                        (Some(&c), _) => {
                            literal.push(c);
                            i += 1;
                        }
                        (None, _) => return Err(format!("unterminated quote in `{pattern}`")),
                    }
                }
                i += 1;
            } else if c.is_ascii_alphabetic() {
                if !SUPPORTED.contains(c) {
                    return Err(format!(
                        "pattern letter `{c}` is not supported (supported: {SUPPORTED})"
                    ));
                }
                let count = chars[i..].iter().take_while(|&&x| x == c).count();
                if !literal.is_empty() {
                    items.push(Item::Literal(std::mem::take(&mut literal)));
                }
                items.push(Item::Field(c, count));
                i += count;
            } else {
                literal.push(c);
                i += 1;
            }
        }
        if !literal.is_empty() {
            items.push(Item::Literal(literal));
        }
        Ok(DateFormat { items })
    }

    /// Formats `millis` since the Unix epoch, in UTC.
    pub fn format(&self, millis: i64) -> String {
        let days = millis.div_euclid(86_400_000);
        let ms_of_day = millis.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let (month, day) = (i64::from(month), i64::from(day));
        let (hour, minute, second, milli) = (
            ms_of_day / 3_600_000,
            ms_of_day / 60_000 % 60,
            ms_of_day / 1000 % 60,
            ms_of_day % 1000,
        );
        let mut out = String::new();
        let num = |out: &mut String, v: i64, width: usize| out.push_str(&format!("{v:0width$}"));
        for item in &self.items {
            match item {
                Item::Literal(s) => out.push_str(s),
                Item::Field(c, n) => {
                    let n = *n;
                    match c {
                        'y' if n == 2 => num(&mut out, year.rem_euclid(100), 2),
                        'y' => num(&mut out, year, n),
                        'M' if n >= 4 => out.push_str(MONTHS[month as usize - 1]),
                        'M' if n == 3 => out.push_str(&MONTHS[month as usize - 1][..3]),
                        'M' => num(&mut out, month, n),
                        'd' => num(&mut out, day, n),
                        'D' => num(&mut out, days - days_from_civil(year, 1, 1) + 1, n),
                        // 1970-01-01 was a Thursday (index 3 from Monday).
                        'E' => {
                            let name = DAYS[(days + 3).rem_euclid(7) as usize];
                            out.push_str(if n >= 4 { name } else { &name[..3] });
                        }
                        'a' => out.push_str(if hour < 12 { "AM" } else { "PM" }),
                        'H' => num(&mut out, hour, n),
                        'k' => num(&mut out, if hour == 0 { 24 } else { hour }, n),
                        'K' => num(&mut out, hour % 12, n),
                        'h' => num(&mut out, if hour % 12 == 0 { 12 } else { hour % 12 }, n),
                        'm' => num(&mut out, minute, n),
                        's' => num(&mut out, second, n),
                        'S' => num(&mut out, milli, n),
                        'z' if n >= 4 => out.push_str("Coordinated Universal Time"),
                        'z' => out.push_str("UTC"),
                        'Z' => out.push_str("+0000"),
                        'X' => out.push('Z'),
                        _ => unreachable!("letters are checked by `parse`"),
                    }
                }
            }
        }
        out
    }

    /// Text in this pattern as milliseconds since the epoch (UTC unless the text has a
    /// zone offset). As `DateFormat.parse`, text after the pattern is ignored, and
    /// fields out of range roll over.
    pub fn read(&self, text: &str) -> Result<i64, String> {
        let bad = |why: &str| format!("could not parse timestamp `{text}`: {why}");
        let (mut year, mut month, mut day) = (1970i64, 1i64, 1i64);
        let (mut hour, mut minute, mut second, mut milli) = (0i64, 0i64, 0i64, 0i64);
        let (mut pm, mut offset_ms, mut day_of_year) = (None, 0i64, None);
        let mut rest = text;
        for (k, t) in self.items.iter().enumerate() {
            // A number followed directly by another numeric field has its pattern's width
            // (`yyyyMMdd`), as SimpleDateFormat reads abutting fields.
            let abutting = matches!(self.items.get(k + 1), Some(Item::Field(c, _)) if "yMdDHkKhmsS".contains(*c));
            let number = |rest: &mut &str, n: usize| -> Result<i64, String> {
                let (sign, digits_from) = match rest.strip_prefix('-') {
                    Some(r) => (-1, r),
                    None => (1, *rest),
                };
                let max = if abutting { n } else { usize::MAX };
                let len = digits_from
                    .bytes()
                    .take(max)
                    .take_while(u8::is_ascii_digit)
                    .count();
                if len == 0 {
                    return Err(bad("a number was expected"));
                }
                let v: i64 = digits_from[..len]
                    .parse()
                    .map_err(|_| bad("number too large"))?;
                *rest = &digits_from[len..];
                Ok(sign * v)
            };
            match t {
                Item::Literal(s) => {
                    rest = rest
                        .strip_prefix(s.as_str())
                        .ok_or_else(|| bad(&format!("`{s}` was expected")))?;
                }
                Item::Field('y', n) => {
                    let before = rest.len();
                    year = number(&mut rest, *n)?;
                    // Two digits for `yy` name a year of this century (SimpleDateFormat
                    // picks the century around the current date; a sandbox has no clock).
                    if *n <= 2 && before - rest.len() == 2 {
                        year += 2000;
                    }
                }
                Item::Field('M', n) if *n >= 3 => {
                    let (i, len) =
                        name_at(rest, &MONTHS).ok_or_else(|| bad("a month name was expected"))?;
                    month = i as i64 + 1;
                    rest = &rest[len..];
                }
                Item::Field('M', n) => month = number(&mut rest, *n)?,
                Item::Field('d', n) => day = number(&mut rest, *n)?,
                Item::Field('H' | 'h' | 'K', n) => hour = number(&mut rest, *n)?,
                Item::Field('k', n) => hour = number(&mut rest, *n)? % 24,
                Item::Field('D', n) => day_of_year = Some(number(&mut rest, *n)?),
                Item::Field('m', n) => minute = number(&mut rest, *n)?,
                Item::Field('s', n) => second = number(&mut rest, *n)?,
                Item::Field('S', n) => milli = number(&mut rest, *n)?,
                Item::Field('a', _) => {
                    let upper = rest.get(..2).map(str::to_ascii_uppercase);
                    pm = Some(match upper.as_deref() {
                        Some("AM") => false,
                        Some("PM") => true,
                        _ => return Err(bad("AM or PM was expected")),
                    });
                    rest = &rest[2..];
                }
                Item::Field('E', _) => {
                    let (_, len) =
                        name_at(rest, &DAYS).ok_or_else(|| bad("a day name was expected"))?;
                    rest = &rest[len..];
                }
                Item::Field(_, _) => {
                    let (offset, len) = zone_at(rest).ok_or_else(|| bad("a zone was expected"))?;
                    offset_ms = offset;
                    rest = &rest[len..];
                }
            }
        }
        if let Some(pm) = pm {
            hour = hour % 12 + if pm { 12 } else { 0 };
        }
        let days = match day_of_year {
            Some(d) => days_from_civil(year, 1, 1) + d - 1,
            None => days_from_civil(year, month, day),
        };
        Ok(
            days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli
                - offset_ms,
        )
    }
}

/// The index and length of the (full or three-letter) name `text` starts with.
fn name_at(text: &str, names: &[&str]) -> Option<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    names.iter().enumerate().find_map(|(i, n)| {
        let n = n.to_ascii_lowercase();
        if lower.starts_with(&n) {
            Some((i, n.len()))
        } else if lower.starts_with(&n[..3]) {
            Some((i, 3))
        } else {
            None
        }
    })
}

/// A zone at the start of `text`: `Z`, `UTC`, `GMT` or `±HH[:]MM`, as (offset in ms,
/// length).
fn zone_at(text: &str) -> Option<(i64, usize)> {
    for (name, len) in [("Z", 1), ("UTC", 3), ("GMT", 3)] {
        if text.starts_with(name) {
            return Some((0, len));
        }
    }
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let b = text.as_bytes();
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| i64::from(c - b'0'))
    };
    let hours = digit(1)? * 10 + digit(2)?;
    let colon = usize::from(b.get(3) == Some(&b':'));
    let minutes = match (digit(3 + colon), digit(4 + colon)) {
        (Some(a), Some(b)) => a * 10 + b,
        _ => return Some((sign * hours * 3_600_000, 3)),
    };
    Some((sign * (hours * 3_600_000 + minutes * 60_000), 5 + colon))
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2023-11-14T22:13:20.042Z, a Tuesday.
    const T: i64 = 1_700_000_000_042;

    #[test]
    fn kafka_connects_default_and_common_patterns() {
        let f = |p: &str| DateFormat::parse(p).unwrap().format(T);
        assert_eq!(f("yyyyMMdd"), "20231114");
        assert_eq!(f("yyyy-MM-dd'T'HH:mm:ss.SSSX"), "2023-11-14T22:13:20.042Z");
        assert_eq!(f("yy/M/d h:m a"), "23/11/14 10:13 PM");
        assert_eq!(f("EEE, d MMM yyyy"), "Tue, 14 Nov 2023");
        assert_eq!(f("EEEE MMMM D"), "Tuesday November 318");
        assert_eq!(f("'it''s' HH 'o''clock' Z z"), "it's 22 o'clock +0000 UTC");
        assert_eq!(DateFormat::parse("yyyyMMdd").unwrap().format(0), "19700101");
        assert_eq!(
            DateFormat::parse("yyyy-MM-dd HH").unwrap().format(-1),
            "1969-12-31 23"
        );
    }

    #[test]
    fn text_in_a_pattern_reads_back_to_the_instant_it_formats() {
        for p in [
            "yyyy-MM-dd'T'HH:mm:ss.SSSX",
            "yyyyMMddHHmmssSSS",
            "yyyy D kk:mm:ss.SSS",
            "EEE, d MMM yyyy hh:mm:ss.SSS a Z",
        ] {
            let f = DateFormat::parse(p).unwrap();
            assert_eq!(f.read(&f.format(T)), Ok(T), "{p}");
        }
        let f = DateFormat::parse("yyyy-MM-dd HH:mmZ").unwrap();
        assert_eq!(f.read("2023-11-14 23:13+0100"), Ok(T - 20_042));
    }

    #[test]
    fn unsupported_letters_and_open_quotes_are_refused() {
        let e = DateFormat::parse("yyyy-ww").unwrap_err();
        assert!(e.contains("`w`"), "{e}");
        assert!(
            DateFormat::parse("yyyy 'open")
                .unwrap_err()
                .contains("quote")
        );
    }
}
