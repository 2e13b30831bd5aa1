//! [`ConnectError`]: a source's or sink's error as the runtime sees it.

use std::fmt;
use std::sync::Arc;

pub use sluice_error::{Classify, Domain, ErrorClass};

/// An error of a source or a sink, as the runtime sees it: the class, and the
/// connector's own typed error behind it (for its message, and for a
/// [`downcast_ref`](ConnectError::downcast_ref) where a caller needs more).
#[derive(Clone)]
pub struct ConnectError {
    class: ErrorClass,
    // Arc: errors are cloned into failure reports and status while the task retries.
    error: Arc<dyn std::error::Error + Send + Sync>,
}

impl ConnectError {
    /// Wraps a connector's error, keeping its own class.
    pub fn new<E>(error: E) -> ConnectError
    where
        E: Classify + std::error::Error + Send + Sync + 'static,
    {
        ConnectError {
            class: error.class(),
            error: Arc::new(error),
        }
    }

    /// Wraps an error with a class given by the caller (for errors of other crates).
    pub fn with_class<E>(class: ErrorClass, error: E) -> ConnectError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        ConnectError {
            class,
            error: Arc::new(error),
        }
    }

    /// An error that is only a message.
    pub fn message(class: ErrorClass, message: impl Into<String>) -> ConnectError {
        ConnectError::with_class(class, Message(message.into()))
    }

    /// Whether retrying may help.
    pub fn is_retriable(&self) -> bool {
        self.class.retriable
    }

    /// The connector's own error, if it is a `T`.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.error.downcast_ref::<T>()
    }
}

impl Classify for ConnectError {
    fn class(&self) -> ErrorClass {
        self.class
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl fmt::Debug for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectError")
            .field("class", &self.class)
            .field("error", &self.error)
            .finish()
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outage;
    impl fmt::Display for Outage {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("down")
        }
    }
    impl std::error::Error for Outage {}
    impl Classify for Outage {
        fn class(&self) -> ErrorClass {
            ErrorClass::TRANSIENT
        }
    }

    #[test]
    fn keeps_the_class_the_message_and_the_type() {
        let e = ConnectError::new(Outage);
        assert!(e.is_retriable());
        assert_eq!(e.class().domain, Domain::External);
        assert_eq!(e.to_string(), "down");
        assert!(e.downcast_ref::<Outage>().is_some());
        let m = ConnectError::message(ErrorClass::USER, "bad");
        assert!(!m.is_retriable());
        assert!(m.downcast_ref::<Outage>().is_none());
        assert_eq!(ErrorClass::USER.to_string(), "user error, not retriable");
    }
}
