//! Typed values: raw text parsed according to a property's declared type.
//!
//! The rules are Kafka's `ConfigDef.parseType`, so existing files mean the same thing:
//! strings and numbers are trimmed, booleans are `true`/`false` in any case, lists are
//! comma-separated with trimmed elements, enums match case-insensitively. Passwords are
//! kept exactly as written (a secret may end in a space) and wrapped in [`Password`].

use crate::def::PropertyType;
use crate::raw::RawValue;
use crate::secret::Password;

/// A parsed value.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    /// `string` values, and `enum` values in their declared spelling.
    String(String),
    /// An `int` value.
    Int(i32),
    /// A `long` value.
    Long(i64),
    /// A `double` value.
    Double(f64),
    /// A `boolean` value.
    Boolean(bool),
    /// A `list` value: its elements, trimmed, in order.
    List(Vec<String>),
    /// A `password` value, kept exactly as written and hidden from `Debug`.
    Password(Password),
}

impl ConfigValue {
    /// The numeric value, for range checks.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ConfigValue::Int(v) => Some(f64::from(*v)),
            // Precision loss above 2^53 only blurs range checks at absurd magnitudes.
            ConfigValue::Long(v) => Some(*v as f64),
            ConfigValue::Double(v) => Some(*v),
            _ => None,
        }
    }

    /// The value in Kafka's string form (lists comma-joined), **secrets included**: for
    /// handing to code that takes string properties. Never log what this returns.
    pub fn expose_text(&self) -> String {
        match self {
            ConfigValue::String(s) => s.clone(),
            ConfigValue::Int(v) => v.to_string(),
            ConfigValue::Long(v) => v.to_string(),
            ConfigValue::Double(v) => v.to_string(),
            ConfigValue::Boolean(v) => v.to_string(),
            ConfigValue::List(items) => items.join(","),
            ConfigValue::Password(p) => p.expose().to_owned(),
        }
    }
}

/// Parses `raw` as `ty`. The error says what was expected and never quotes the value.
pub fn parse(ty: &PropertyType, raw: &RawValue) -> Result<ConfigValue, String> {
    match ty {
        PropertyType::String => Ok(ConfigValue::String(raw.joined().trim().to_owned())),
        PropertyType::Password => Ok(ConfigValue::Password(Password::new(raw.joined()))),
        PropertyType::List => parse_list(raw).map(ConfigValue::List),
        PropertyType::Int => number(raw, "an integer (32-bit)").map(ConfigValue::Int),
        PropertyType::Long => number(raw, "an integer (64-bit)").map(ConfigValue::Long),
        PropertyType::Double => number(raw, "a number").map(ConfigValue::Double),
        PropertyType::Boolean => match single(raw)?.to_ascii_lowercase().as_str() {
            "true" => Ok(ConfigValue::Boolean(true)),
            "false" => Ok(ConfigValue::Boolean(false)),
            _ => Err("expected `true` or `false`".to_owned()),
        },
        PropertyType::Enum(allowed) => {
            let text = single(raw)?;
            allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(text))
                .map(|a| ConfigValue::String((*a).to_owned()))
                .ok_or_else(|| format!("expected one of: {}", allowed.join(", ")))
        }
    }
}

/// The trimmed text of a value that must not be a list.
fn single(raw: &RawValue) -> Result<&str, String> {
    match raw {
        RawValue::Scalar(s) => Ok(s.trim()),
        RawValue::List(_) => Err("expected a single value, not a list".to_owned()),
    }
}

fn number<T: std::str::FromStr>(raw: &RawValue, what: &str) -> Result<T, String> {
    single(raw)?.parse().map_err(|_| format!("expected {what}"))
}

fn parse_list(raw: &RawValue) -> Result<Vec<String>, String> {
    let items = raw.elements();
    if items.iter().any(String::is_empty) {
        return Err("a list element is empty (check for doubled or trailing commas)".to_owned());
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> RawValue {
        RawValue::Scalar(text.into())
    }

    #[test]
    fn kafka_parsing_rules() {
        assert_eq!(
            parse(&PropertyType::Int, &s(" 42 ")),
            Ok(ConfigValue::Int(42))
        );
        assert_eq!(
            parse(&PropertyType::Long, &s("-1")),
            Ok(ConfigValue::Long(-1))
        );
        assert_eq!(
            parse(&PropertyType::Double, &s("1.5")),
            Ok(ConfigValue::Double(1.5))
        );
        assert_eq!(
            parse(&PropertyType::Boolean, &s("TRUE")),
            Ok(ConfigValue::Boolean(true))
        );
        assert_eq!(
            parse(&PropertyType::String, &s(" x ")),
            Ok(ConfigValue::String("x".into()))
        );
        assert_eq!(
            parse(&PropertyType::Enum(&["none", "all"]), &s("ALL")),
            Ok(ConfigValue::String("all".into()))
        );
    }

    #[test]
    fn lists_and_comma_strings_parse_the_same() {
        let list = RawValue::List(vec!["a".into(), "b".into()]);
        assert_eq!(
            parse(&PropertyType::List, &s("a, b")),
            parse(&PropertyType::List, &list)
        );
        assert_eq!(
            parse(&PropertyType::List, &s("")),
            Ok(ConfigValue::List(vec![]))
        );
        assert!(parse(&PropertyType::List, &s("a,,b")).is_err());
        // A list given to a string property is its comma form (e.g. destination names).
        assert_eq!(
            parse(&PropertyType::String, &list),
            Ok(ConfigValue::String("a,b".into()))
        );
    }

    #[test]
    fn bad_values_are_explained_without_quoting_them() {
        for (ty, text) in [
            (PropertyType::Int, "12x"),
            (PropertyType::Int, "99999999999"),
            (PropertyType::Boolean, "yes"),
            (PropertyType::Enum(&["none", "all"]), "some"),
        ] {
            let err = parse(&ty, &s(text)).unwrap_err();
            assert!(!err.contains(text), "{err}");
        }
        assert!(parse(&PropertyType::Int, &RawValue::List(vec!["1".into()])).is_err());
    }

    #[test]
    fn passwords_are_kept_verbatim_and_hidden() {
        let v = parse(&PropertyType::Password, &s(" pw ")).unwrap();
        assert_eq!(v, ConfigValue::Password(Password::new(" pw ")));
        assert!(!format!("{v:?}").contains("pw"));
    }
}
