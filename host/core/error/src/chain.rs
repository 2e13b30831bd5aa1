//! Walking an error's sources: the whole message, and the error of a given type deep
//! inside (reqwest wraps a refused certificate in hyper's error and in `io::Error`s).
//! Both HTTP clients (Kinetica, the Schema Registry) report through them.

use std::error::Error;

/// The error's message followed by those of its sources, `: `-separated.
pub fn message_chain(e: &(dyn Error + 'static)) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// The first error of type `T` among `error` and its sources. An `io::Error`'s `source`
/// skips the error it wraps (tokio-rustls's, then hyper-rustls's `io::Error::other`),
/// so those are opened with `get_ref`.
pub fn find_cause<'e, T: Error + 'static>(error: &'e (dyn Error + 'static)) -> Option<&'e T> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => e.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

    #[derive(Debug, PartialEq)]
    struct Inner;
    impl fmt::Display for Inner {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("inner")
        }
    }
    impl Error for Inner {}

    #[test]
    fn causes_are_found_inside_io_errors_and_messages_chained() {
        let io = std::io::Error::other(std::io::Error::other(Inner));
        assert_eq!(find_cause::<Inner>(&io), Some(&Inner));
        assert!(find_cause::<fmt::Error>(&io).is_none());
        assert_eq!(message_chain(&Inner), "inner");
    }
}
