//! Secrets: a value that must never reach logs, REST output or error messages.
//!
//! Kafka's `PASSWORD` type does the same job; the Java Kinetica connector declared its
//! password as a plain string and so leaked it into task configs and DEBUG logs. Making
//! the secret a distinct type means the compiler, not reviewer vigilance, keeps it out of
//! every `{}`/`{:?}`: the only way to read it is the explicit [`Password::expose`].

use std::fmt;

/// What a hidden value prints as, everywhere.
pub const HIDDEN: &str = "[hidden]";

/// A secret string. `Debug` and `Display` print [`HIDDEN`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Password(String);

impl Password {
    pub fn new(value: impl Into<String>) -> Password {
        Password(value.into())
    }
    /// The secret itself, for the one place that needs it (e.g. the HTTP client's
    /// credentials). Never log or format what this returns.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(HIDDEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let p = Password::new("hunter2");
        assert_eq!(format!("{p}"), HIDDEN);
        assert_eq!(format!("{p:?}"), HIDDEN);
        assert_eq!(format!("{:?}", Some(&p)), "Some([hidden])");
        assert_eq!(p.expose(), "hunter2");
    }
}
