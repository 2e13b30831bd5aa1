//! Decimals in JSON: base64 of the unscaled bytes (`decimal.format=BASE64`) or a plain
//! number (`NUMERIC`). Both are accepted on read whatever the setting, as Connect does.
//!
//! Numbers are read from their exact text (never through `f64`), so `12345678901234567.89`
//! keeps every digit. Values are scaled to the schema's scale when that loses nothing
//! (`1.5` → unscaled 150 at scale 2); a number with more decimal places than the scale is
//! rejected rather than rounded.

use std::borrow::Cow;

use base64::Engine;
use sluice_record::logical;

/// Reads a decimal from the JSON text of its value. `Ok(None)` for `null`.
pub(crate) fn from_json_text(text: &str, scale: i32) -> Result<Option<Vec<u8>>, String> {
    let text = text.trim();
    let found = match text.as_bytes().first() {
        Some(b'n') => return Ok(None),
        Some(b'"') => return from_base64_literal(text).map(Some),
        Some(b'-' | b'0'..=b'9') => {
            return parse_number(text, scale).map(|u| Some(logical::decimal_to_bytes(u)));
        }
        Some(b't' | b'f') => "boolean",
        Some(b'[') => "array",
        _ => "object",
    };
    Err(format!(
        "expected decimal (scale {scale}) as a base64 string or a number but found {found}"
    ))
}

fn from_base64_literal(literal: &str) -> Result<Vec<u8>, String> {
    let content: Cow<str> = if literal.contains('\\') {
        serde_json::from_str::<String>(literal)
            .map(Cow::Owned)
            .map_err(|_| "invalid string for a decimal".to_owned())?
    } else {
        Cow::Borrowed(&literal[1..literal.len() - 1])
    };
    let bytes = super::BASE64
        .decode(content.as_bytes())
        .map_err(|_| "decimal bytes are not valid base64".to_owned())?;
    if bytes.is_empty() {
        return Err("decimal bytes are empty".into());
    }
    Ok(bytes)
}

/// The unscaled value at `scale` of a JSON number (already validated by serde_json).
pub(crate) fn parse_number(text: &str, scale: i32) -> Result<i128, String> {
    let too_large = || format!("decimal does not fit in 128 bits at scale {scale}");
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => {
            let exp = rest[i + 1..].trim_start_matches('+');
            // An exponent beyond i32 cannot give a representable decimal anyway.
            let exp: i64 = exp.parse().map_err(|_| too_large())?;
            (&rest[..i], exp)
        }
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // value = digits × 10^(exponent − len(frac)); unscaled = value × 10^scale.
    let mut shift = exponent - frac.len() as i64 + i64::from(scale);
    let digits = || int.bytes().chain(frac.bytes());
    let significant = digits().skip_while(|&d| d == b'0').count();
    let trailing_zeros = digits().rev().take_while(|&d| d == b'0').count();
    if significant == 0 {
        return Ok(0);
    }
    let kept = significant - trailing_zeros.min(significant);
    shift += (significant - kept) as i64;
    if shift < 0 {
        return Err(format!(
            "decimal has more decimal places than the schema's scale {scale}"
        ));
    }
    let mut unscaled: i128 = 0;
    for d in digits().skip_while(|&d| d == b'0').take(kept) {
        unscaled = unscaled
            .checked_mul(10)
            .and_then(|u| u.checked_add(i128::from(d - b'0')))
            .ok_or_else(too_large)?;
    }
    for _ in 0..shift {
        unscaled = unscaled.checked_mul(10).ok_or_else(too_large)?;
    }
    Ok(if negative { -unscaled } else { unscaled })
}

/// The plain JSON number text of a decimal (`123.45`), for `decimal.format=NUMERIC`.
pub(crate) fn to_json_text(bytes: &[u8], scale: i32) -> Result<String, String> {
    let unscaled = logical::decimal_from_bytes(bytes).ok_or_else(|| {
        if bytes.is_empty() {
            "decimal bytes are empty".to_owned()
        } else {
            "decimal needs more than 128 bits; use decimal.format=BASE64".to_owned()
        }
    })?;
    Ok(logical::decimal_to_string(unscaled, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_scale_exactly() {
        assert_eq!(parse_number("123.45", 2), Ok(12345));
        assert_eq!(parse_number("-0.005", 3), Ok(-5));
        assert_eq!(parse_number("1.5", 2), Ok(150));
        assert_eq!(parse_number("7", 0), Ok(7));
        assert_eq!(parse_number("700", -2), Ok(7));
        assert_eq!(parse_number("1.2300", 2), Ok(123));
        assert_eq!(parse_number("1.5e2", 0), Ok(150));
        assert_eq!(parse_number("15E-1", 1), Ok(15));
        assert_eq!(parse_number("0.000", 2), Ok(0));
        assert_eq!(parse_number("-0", 2), Ok(0));
        assert_eq!(
            parse_number("12345678901234567890.123456789", 9),
            Ok(12345678901234567890123456789)
        );
    }

    #[test]
    fn lossy_or_huge_numbers_are_rejected() {
        assert!(parse_number("1.234", 2).unwrap_err().contains("scale 2"));
        assert!(parse_number("1e400", 0).unwrap_err().contains("128 bits"));
        assert!(parse_number("1e99999999999999999999", 0).is_err());
        assert_eq!(parse_number("1e-400", 2).ok(), None);
    }

    #[test]
    fn text_forms() {
        assert_eq!(from_json_text("null", 2), Ok(None));
        assert_eq!(from_json_text("\"MDk=\"", 2), Ok(Some(vec![0x30, 0x39])));
        assert_eq!(
            from_json_text("\"MDk\\u003d\"", 2),
            Ok(Some(vec![0x30, 0x39]))
        );
        assert_eq!(from_json_text("1.28", 2), Ok(Some(vec![0x00, 0x80])));
        assert!(from_json_text("true", 2).unwrap_err().contains("boolean"));
        assert!(from_json_text("\"\"", 2).unwrap_err().contains("empty"));
        assert_eq!(to_json_text(&[0x30, 0x39], 2).as_deref(), Ok("123.45"));
    }
}
