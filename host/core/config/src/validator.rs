//! Applying a declared [`Validator`] to a parsed value.

use crate::def::Validator;
use crate::value::ConfigValue;

/// Checks `value`; the error says what is accepted and never quotes the value.
pub fn check(validator: &Validator, value: &ConfigValue) -> Result<(), String> {
    match validator {
        Validator::Range { min, max } => {
            let Some(v) = value.as_f64() else {
                return Ok(());
            };
            match (min, max) {
                (Some(lo), Some(hi)) if v < *lo || v > *hi => {
                    Err(format!("must be between {lo} and {hi}"))
                }
                (Some(lo), _) if v < *lo => Err(format!("must be at least {lo}")),
                (_, Some(hi)) if v > *hi => Err(format!("must be at most {hi}")),
                _ => Ok(()),
            }
        }
        Validator::NonEmpty => {
            let empty = match value {
                ConfigValue::String(s) => s.is_empty(),
                ConfigValue::List(l) => l.is_empty(),
                ConfigValue::Password(p) => p.is_empty(),
                _ => false,
            };
            if empty {
                Err("must not be empty".to_owned())
            } else {
                Ok(())
            }
        }
        Validator::Url => match value {
            ConfigValue::String(s) => check_url(s),
            _ => Ok(()),
        },
        Validator::Custom { check, .. } => check(value),
    }
}

/// `scheme://host[:port][/path…]`, as `java.net.URL` would accept for an HTTP endpoint.
/// An empty string passes: emptiness is `NonEmpty`'s (or `required`'s) job.
fn check_url(url: &str) -> Result<(), String> {
    const EXPECTED: &str = "expected an absolute URL such as `http://host:9191`";
    if url.is_empty() {
        return Ok(());
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(|| EXPECTED.to_owned())?;
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, _)) if !h.ends_with(']') && h.contains(':') => (host_port, None), // bare IPv6
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    };
    if !scheme_ok || host.is_empty() || host.contains(char::is_whitespace) {
        return Err(EXPECTED.to_owned());
    }
    match port {
        Some(p) if p.parse::<u16>().is_err() => {
            Err("the URL's port must be a number up to 65535".to_owned())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let v = Validator::at_least(1.0);
        assert!(check(&v, &ConfigValue::Int(1)).is_ok());
        assert_eq!(
            check(&v, &ConfigValue::Int(0)),
            Err("must be at least 1".into())
        );
        let b = Validator::between(1.0, 10.0);
        assert_eq!(
            check(&b, &ConfigValue::Long(11)),
            Err("must be between 1 and 10".into())
        );
    }

    #[test]
    fn urls() {
        for ok in [
            "http://localhost:9191",
            "https://k.example.com/gpudb-0",
            "http://[::1]:9191",
            "",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "localhost:9191",
            "http://",
            "http://h:port",
            "://h",
            "http://h:70000",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_empty() {
        assert!(check(&Validator::NonEmpty, &ConfigValue::List(vec![])).is_err());
        assert!(check(&Validator::NonEmpty, &ConfigValue::String("x".into())).is_ok());
    }
}
