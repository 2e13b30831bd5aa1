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
