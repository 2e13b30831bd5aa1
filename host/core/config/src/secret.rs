//! Secrets: a value that must never reach logs, REST output or error messages.
//!
//! Kafka's `PASSWORD` type does the same job; the Java Kinetica connector declared its
//! password as a plain string and so leaked it into task configs and DEBUG logs. Making
//! the secret a distinct type means the compiler, not reviewer vigilance, keeps it out of
//! every `{}`/`{:?}`: the only way to read it is the explicit [`Secret::expose`]. The
//! same type travels from the parsed configuration to the HTTP client that sends it
//! (`sluice_kinetica::Secret` is this type).

use std::fmt;

/// What a hidden value prints as, everywhere.
pub const HIDDEN: &str = "[hidden]";

/// Whether a client property's name says its value is secret (`sasl.password`,
/// `ssl.key.password`, `sasl.jaas.config`, `sasl.oauthbearer.client.secret`, …):
/// librdkafka's properties are passed through undeclared, so their names are all
/// there is to go by.
pub fn looks_secret(key: &str) -> bool {
    const MARKERS: &[&str] = &["password", "secret", "jaas", "token", "credential", "key"];
    let key = key.to_ascii_lowercase();
    MARKERS.iter().any(|m| key.contains(m))
}

/// `Debug` of client properties, values of [`looks_secret`] keys shown as [`HIDDEN`].
pub struct RedactedProperties<'a, I>(pub I)
where
    I: IntoIterator<Item = (&'a String, &'a String)> + Clone;

impl<'a, I> fmt::Debug for RedactedProperties<'a, I>
where
    I: IntoIterator<Item = (&'a String, &'a String)> + Clone,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.clone().into_iter().map(|(k, v)| {
                let shown = if looks_secret(k) { HIDDEN } else { v.as_str() };
                (k, shown)
            }))
            .finish()
    }
}

/// A secret string. `Debug` and `Display` print [`HIDDEN`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

/// The name of [`Secret`] in the `password` property type's terms.
pub type Password = Secret;

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The secret itself, for the one place that needs it (e.g. the HTTP client's
    /// credentials). Never log or format what this returns.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Whether the secret is the empty string (for example an unset password).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let p = Secret::new("hunter2");
        assert_eq!(format!("{p}"), HIDDEN);
        assert_eq!(format!("{p:?}"), HIDDEN);
        assert_eq!(format!("{:?}", Some(&p)), "Some([hidden])");
        assert_eq!(p.expose(), "hunter2");
    }
}
