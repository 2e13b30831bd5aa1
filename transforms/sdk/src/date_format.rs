//! Timestamps formatted with a `java.text.SimpleDateFormat` pattern, in UTC: Kafka
//! Connect's `TimestampRouter` (`timestamp.format`) and `TimestampConverter`
//! (`format`) take such patterns.
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
