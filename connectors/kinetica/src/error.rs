//! Typed client errors: [`KineticaError::Retriable`] (worth trying again, maybe
//! on another node) versus [`KineticaError::Fatal`] (the request itself is wrong).

/// Texts in an ERROR envelope that mean the server (not the request) failed:
/// the official clients fail over on them whatever the HTTP status (docs/reference/kinetica-rest-protocol.md §4).
const FAILOVER_TEXTS: &[&str] = &[
    "Kinetica is exiting",
    "Kinetica is offline",
    "system-limited-fatal",
    "Connection refused",
    "Connection reset",
    "Query planner is not running",
    "Unexpected end of file from server",
];

/// Failover texts that only count with HTTP 400 (docs/reference/kinetica-rest-protocol.md §4).
const FAILOVER_TEXTS_400: &[&str] = &["System shutting down", "Unavailable: Draining HA queue"];

/// An error from a Kinetica call. Both variants name the endpoint and carry the
/// server's or transport's message; neither ever contains credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KineticaError {
    /// Connection failures, timeouts, HTTP 5xx and the server's failover texts:
    /// the same request may succeed later.
    #[error("Kinetica {endpoint} failed (retriable): {message}")]
    Retriable {
        /// The endpoint path called, e.g. `/insert/records`.
        endpoint: String,
        /// The server's ERROR text, or what failed in transport (connect, reset,
        /// timeout, HTTP 5xx); never includes credentials or URL user info.
        message: String,
    },
    /// Bad requests, unknown tables, authentication failures, undecodable
    /// responses: retrying the same request will not help.
    #[error("Kinetica {endpoint} failed: {message}")]
    Fatal {
        /// The endpoint path called, e.g. `/has/table`; empty when no request was
        /// made (e.g. the client could not be built).
        endpoint: String,
        /// The server's ERROR text, or why the request or response was unusable.
        message: String,
        /// The configuration property to look at, when the failure points at one (a
        /// refused TLS certificate: `kinetica.ssl.ca.location`).
        setting: Option<&'static str>,
    },
}

impl KineticaError {
    /// A fatal error.
    pub fn fatal(endpoint: impl Into<String>, message: impl Into<String>) -> Self {
        KineticaError::Fatal {
            endpoint: endpoint.into(),
            message: message.into(),
            setting: None,
        }
    }

    /// A fatal error caused by the configuration property `setting`.
    pub fn fatal_setting(
        endpoint: impl Into<String>,
        setting: &'static str,
        message: impl Into<String>,
    ) -> Self {
        KineticaError::Fatal {
            endpoint: endpoint.into(),
            message: message.into(),
            setting: Some(setting),
        }
    }

    /// The configuration property a fatal error points at, if any.
    pub fn setting(&self) -> Option<&'static str> {
        match self {
            KineticaError::Fatal { setting, .. } => *setting,
            KineticaError::Retriable { .. } => None,
        }
    }

    /// A retriable error.
    pub fn retriable(endpoint: impl Into<String>, message: impl Into<String>) -> Self {
        KineticaError::Retriable {
            endpoint: endpoint.into(),
            message: message.into(),
        }
    }

    /// Classifies an ERROR envelope's message received with HTTP `status`.
    pub fn from_server(endpoint: &str, http_status: u16, message: &str) -> Self {
        let failover = FAILOVER_TEXTS.iter().any(|t| message.contains(t))
            || (http_status == 400 && FAILOVER_TEXTS_400.iter().any(|t| message.contains(t)));
        if failover || is_retriable_status(http_status) {
            Self::retriable(endpoint, message)
        } else {
            Self::fatal(endpoint, message)
        }
    }

    /// Whether retrying may help.
    pub fn is_retriable(&self) -> bool {
        matches!(self, KineticaError::Retriable { .. })
    }

    /// The endpoint path (e.g. `/insert/records`).
    pub fn endpoint(&self) -> &str {
        match self {
            KineticaError::Retriable { endpoint, .. } | KineticaError::Fatal { endpoint, .. } => {
                endpoint
            }
        }
    }

    /// The message without the endpoint prefix.
    pub fn message(&self) -> &str {
        match self {
            KineticaError::Retriable { message, .. } | KineticaError::Fatal { message, .. } => {
                message
            }
        }
    }
}

/// HTTP statuses after which the official clients fail over (500, 502, 503, 504).
pub fn is_retriable_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_follows_protocol_section_4() {
        assert!(!KineticaError::from_server("/x", 400, "Table 't' does not exist").is_retriable());
        assert!(KineticaError::from_server("/x", 400, "Kinetica is offline").is_retriable());
        assert!(
            KineticaError::from_server("/x", 200, "oops: Connection reset by peer").is_retriable()
        );
        assert!(KineticaError::from_server("/x", 400, "System shutting down").is_retriable());
        assert!(!KineticaError::from_server("/x", 200, "System shutting down").is_retriable());
        assert!(KineticaError::from_server("/x", 503, "busy").is_retriable());
        let e = KineticaError::fatal("/has/table", "bad");
        assert_eq!(e.to_string(), "Kinetica /has/table failed: bad");
    }
}
