//! The part of `java.text.SimpleDateFormat` a timestamp pattern needs, in UTC: `y`,
//! `M` (number, `MMM` short name, `MMMM` full name), `d`, `H`, `h`, `a`, `m`, `s`, `S`
//! (milliseconds), `E` (day name), `Z` / `X` / `z` (zone: always UTC when formatting;
//! an offset or `Z` is applied when parsing), `'quoted text'` and `''`; anything but a
//! letter is literal. Other letters are refused, so a pattern never silently means
//! something else.

use sluice_sdk::logical::{civil_from_days, days_from_civil};

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
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(String),
    /// A pattern letter and how many times it repeats.
    Field(char, usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

impl Pattern {
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        let mut tokens = Vec::new();
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        let literal = |tokens: &mut Vec<Token>, c: char| match tokens.last_mut() {
            Some(Token::Literal(s)) => s.push(c),
            _ => tokens.push(Token::Literal(c.to_string())),
        };
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    literal(&mut tokens, '\'');
                    i += 2;
                    continue;
                }
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => return Err(format!("unterminated quote in `{pattern}`")),
                        Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                            literal(&mut tokens, '\'');
                            j += 2;
                        }
                        Some('\'') => break,
                        Some(c) => {
                            literal(&mut tokens, *c);
                            j += 1;
                        }
                    }
                }
                i = j + 1;
            } else if c.is_ascii_alphabetic() {
                if !"yMdHhamsSEZXz".contains(c) {
                    return Err(format!(
                        "pattern letter `{c}` is not supported (supported: y M d H h a m s S E Z X z)"
                    ));
                }
                let mut n = 1;
                while chars.get(i + n) == Some(&c) {
                    n += 1;
                }
                tokens.push(Token::Field(c, n));
                i += n;
            } else {
                literal(&mut tokens, c);
                i += 1;
            }
        }
        Ok(Pattern { tokens })
    }

    /// Milliseconds since the epoch as text, in UTC.
    pub fn format(&self, millis: i64) -> String {
        let days = millis.div_euclid(86_400_000);
        let ms = millis.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let hour = ms / 3_600_000;
        let mut out = String::new();
        let num = |out: &mut String, v: i64, n: usize| out.push_str(&format!("{v:0n$}"));
        for t in &self.tokens {
            match t {
                Token::Literal(s) => out.push_str(s),
                Token::Field('y', 2) => num(&mut out, year.rem_euclid(100), 2),
                Token::Field('y', n) => num(&mut out, year, *n),
                Token::Field('M', n) if *n >= 4 => out.push_str(MONTHS[month as usize - 1]),
                Token::Field('M', 3) => out.push_str(&MONTHS[month as usize - 1][..3]),
                Token::Field('M', n) => num(&mut out, i64::from(month), *n),
                Token::Field('d', n) => num(&mut out, i64::from(day), *n),
                Token::Field('H', n) => num(&mut out, hour, *n),
                Token::Field('h', n) => num(&mut out, (hour + 11) % 12 + 1, *n),
                Token::Field('a', _) => out.push_str(if hour < 12 { "AM" } else { "PM" }),
                Token::Field('m', n) => num(&mut out, ms / 60_000 % 60, *n),
                Token::Field('s', n) => num(&mut out, ms / 1000 % 60, *n),
                Token::Field('S', n) => num(&mut out, ms % 1000, *n),
                Token::Field('E', n) => {
                    let name = DAYS[days.rem_euclid(7) as usize];
                    out.push_str(if *n >= 4 { name } else { &name[..3] });
                }
                Token::Field('Z', _) => out.push_str("+0000"),
                Token::Field('X', _) => out.push('Z'),
                Token::Field(_, _) => out.push_str("UTC"),
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
        let (mut pm, mut offset_ms) = (None, 0i64);
        let mut rest = text;
        for (k, t) in self.tokens.iter().enumerate() {
            // A number followed directly by another numeric field has its pattern's width
            // (`yyyyMMdd`), as SimpleDateFormat reads abutting fields.
            let abutting = matches!(self.tokens.get(k + 1), Some(Token::Field(c, _)) if "yMdHhmsS".contains(*c));
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
                Token::Literal(s) => {
                    rest = rest
                        .strip_prefix(s.as_str())
                        .ok_or_else(|| bad(&format!("`{s}` was expected")))?;
                }
                Token::Field('y', n) => {
                    let before = rest.len();
                    year = number(&mut rest, *n)?;
                    // Two digits for `yy` name a year of this century (SimpleDateFormat
                    // picks the century around the current date; a sandbox has no clock).
                    if *n <= 2 && before - rest.len() == 2 {
                        year += 2000;
                    }
                }
                Token::Field('M', n) if *n >= 3 => {
                    let (i, len) =
                        name_at(rest, &MONTHS).ok_or_else(|| bad("a month name was expected"))?;
                    month = i as i64 + 1;
                    rest = &rest[len..];
                }
                Token::Field('M', n) => month = number(&mut rest, *n)?,
                Token::Field('d', n) => day = number(&mut rest, *n)?,
                Token::Field('H', n) | Token::Field('h', n) => hour = number(&mut rest, *n)?,
                Token::Field('m', n) => minute = number(&mut rest, *n)?,
                Token::Field('s', n) => second = number(&mut rest, *n)?,
                Token::Field('S', n) => milli = number(&mut rest, *n)?,
                Token::Field('a', _) => {
                    let upper = rest.get(..2).map(str::to_ascii_uppercase);
                    pm = Some(match upper.as_deref() {
                        Some("AM") => false,
                        Some("PM") => true,
                        _ => return Err(bad("AM or PM was expected")),
                    });
                    rest = &rest[2..];
                }
                Token::Field('E', _) => {
                    let (_, len) =
                        name_at(rest, &DAYS).ok_or_else(|| bad("a day name was expected"))?;
                    rest = &rest[len..];
                }
                Token::Field(_, _) => {
                    let (offset, len) = zone_at(rest).ok_or_else(|| bad("a zone was expected"))?;
                    offset_ms = offset;
                    rest = &rest[len..];
                }
            }
        }
        if let Some(pm) = pm {
            hour = hour % 12 + if pm { 12 } else { 0 };
        }
        let days = days_from_civil(year, month, day);
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
