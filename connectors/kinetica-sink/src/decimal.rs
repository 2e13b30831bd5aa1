//! Decimal text for Kinetica's `decimal(P,S)` string columns.
//!
//! Values are carried as an unscaled `i128` and a scale, and rescaled exactly: a value
//! with more fractional digits than the column keeps is refused rather than rounded, and
//! one with more integer digits than `P - S` is refused rather than overflowing on the
//! server.

use sluice_record::logical::decimal_to_string;

/// Why a decimal value does not go into a `decimal(P,S)` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// The value has more fractional digits than the column's scale; it is refused
    /// rather than rounded.
    #[error("has more fractional digits than decimal({precision},{scale}) keeps")]
    TooPrecise {
        /// The column's precision P (total digits).
        precision: u32,
        /// The column's scale S (digits after the point).
        scale: u32,
    },
    /// The value has more than `P - S` integer digits.
    #[error("has more integer digits than decimal({precision},{scale}) holds")]
    TooLarge {
        /// The column's precision P (total digits).
        precision: u32,
        /// The column's scale S (digits after the point).
        scale: u32,
    },
    /// The text is not plain decimal notation (digits, one optional `.`, an optional
    /// sign; no exponent).
    #[error("is not a decimal number")]
    NotANumber,
}

/// Parses plain decimal text (`-12.345`, `+7`, `.5`; no exponent) into (unscaled, scale).
pub fn parse(text: &str) -> Option<(i128, u32)> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut unscaled: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        unscaled = unscaled
            .checked_mul(10)?
            .checked_add(i128::from(b - b'0'))?;
    }
    let scale = u32::try_from(frac.len()).ok()?;
    Some((if negative { -unscaled } else { unscaled }, scale))
}

/// Rescales `unscaled × 10^-scale` to the column's scale and renders it, checking that it
/// fits `decimal(precision, column_scale)`.
pub fn fit(
    unscaled: i128,
    scale: i32,
    precision: u32,
    column_scale: u32,
) -> Result<String, DecimalError> {
    let too_large = DecimalError::TooLarge {
        precision,
        scale: column_scale,
    };
    let shift = i64::from(column_scale) - i64::from(scale);
    let rescaled = if shift >= 0 {
        10i128
            .checked_pow(u32::try_from(shift).map_err(|_| too_large)?)
            .and_then(|f| unscaled.checked_mul(f))
            .ok_or(too_large)?
    } else {
        let divisor = u32::try_from(-shift)
            .ok()
            .and_then(|s| 10i128.checked_pow(s));
        match divisor {
            Some(d) if unscaled % d == 0 => unscaled / d,
            // A divisor wider than i128 leaves only zero exactly representable.
            None if unscaled == 0 => 0,
            _ => {
                return Err(DecimalError::TooPrecise {
                    precision,
                    scale: column_scale,
                });
            }
        }
    };
    let digits = if rescaled == 0 {
        0
    } else {
        rescaled.unsigned_abs().ilog10() + 1
    };
    if digits > precision {
        return Err(too_large);
    }
    Ok(decimal_to_string(rescaled, column_scale as i32))
}

/// Parses decimal text and fits it to the column (see [`fit`]).
pub fn fit_text(text: &str, precision: u32, column_scale: u32) -> Result<String, DecimalError> {
    let (unscaled, scale) = parse(text).ok_or(DecimalError::NotANumber)?;
    fit(unscaled, scale as i32, precision, column_scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_parses_exactly() {
        assert_eq!(parse("-12.345"), Some((-12345, 3)));
        assert_eq!(parse("+7"), Some((7, 0)));
        assert_eq!(parse(".5"), Some((5, 1)));
        assert_eq!(parse("5."), Some((5, 0)));
        assert_eq!(parse(" 0.000 "), Some((0, 3)));
        for bad in ["", "-", ".", "1e5", "1.2.3", "abc", "1 2", "NaN"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse(&"9".repeat(40)), None);
    }

    #[test]
    fn values_are_rescaled_without_rounding() {
        assert_eq!(fit(12345, 2, 10, 4).unwrap(), "123.4500");
        assert_eq!(fit(1234500, 4, 10, 2).unwrap(), "123.45");
        assert_eq!(fit(-5, 3, 10, 3).unwrap(), "-0.005");
        assert_eq!(fit(7, -2, 10, 0).unwrap(), "700");
        assert_eq!(fit(0, 40, 10, 2).unwrap(), "0.00");
        assert_eq!(
            fit(12345, 3, 10, 2),
            Err(DecimalError::TooPrecise {
                precision: 10,
                scale: 2
            })
        );
        assert_eq!(
            fit(1, 60, 10, 2),
            Err(DecimalError::TooPrecise {
                precision: 10,
                scale: 2
            })
        );
    }

    #[test]
    fn precision_is_checked() {
        assert_eq!(fit(99999, 2, 5, 2).unwrap(), "999.99");
        assert_eq!(
            fit(100000, 2, 5, 2),
            Err(DecimalError::TooLarge {
                precision: 5,
                scale: 2
            })
        );
        // 1 integer digit with scale 2 needs precision 3.
        assert!(fit(1, 0, 2, 2).is_err());
        assert_eq!(fit(1, 0, 3, 2).unwrap(), "1.00");
        assert!(fit(i128::MAX, 0, 27, 10).is_err());
    }

    #[test]
    fn text_fits_or_says_why() {
        assert_eq!(fit_text("1.5", 10, 2).unwrap(), "1.50");
        assert_eq!(fit_text("x", 10, 2), Err(DecimalError::NotANumber));
    }
}
