//! The one error type of the client, with a [`ErrorKind`] callers branch on and a
//! [`Classify`] class the runtime retries by.

use std::fmt;

use sluice_error::{Classify, ErrorClass};

/// What a registry's "not found" answer was about (Confluent's error codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// 40401: the subject has no schema.
    Subject,
    /// 40402: the subject has no such version.
    Version,
    /// 40403: no schema has this id (or, for a lookup, the subject does not hold it).
    Schema,
    /// Another 404 (e.g. a URL that is not a registry's API root).
    Other,
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The registry does not know the subject, version or schema.
    NotFound(Missing),
    /// 401 or 403: the credentials are refused or lack permission.
    Unauthorized,
    /// 409: the schema is incompatible with the subject's earlier versions.
    Incompatible,
    /// 422: the schema (or version, or compatibility level) is invalid.
    Invalid,
    /// No registry URL could be reached or answered (connection refused, timeout, 5xx,
    /// 429): worth retrying later.
    Unavailable,
    /// The TLS handshake failed (certificate refused): a property must change.
    Tls,
    /// The registry refused the request otherwise (another 4xx).
    Refused,
    /// The answer is not what the Schema Registry API specifies.
    Protocol,
}

/// A failed registry request. The message never holds credentials; URLs in it are
/// without user info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The registry URL (without user info) last tried, when a request was made.
    pub url: Option<String>,
    /// The HTTP status, when the registry answered.
    pub status: Option<u16>,
    /// Confluent's `error_code`, when the answer had one.
    pub error_code: Option<i64>,
    /// What happened and what to do.
    pub message: String,
}

impl RegistryError {
    pub(crate) fn new(kind: ErrorKind, url: Option<&str>, message: impl Into<String>) -> Self {
        RegistryError {
            kind,
            url: url.map(str::to_owned),
            status: None,
            error_code: None,
            message: message.into(),
        }
    }

    /// Whether trying the same request later may succeed.
    pub fn is_retriable(&self) -> bool {
        self.class().retriable
    }

    /// Whether the registry said it does not know what was asked for.
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, ErrorKind::NotFound(_))
    }

    /// The error for an HTTP answer with a non-success `status` and `body`.
    /// `auth_property` names where the credentials come from, for 401/403.
    pub(crate) fn from_response(
        url: &str,
        status: u16,
        body: &[u8],
        auth_property: &str,
    ) -> RegistryError {
        #[derive(serde::Deserialize)]
        struct Body {
            error_code: Option<i64>,
            message: Option<String>,
        }
        let parsed: Option<Body> = serde_json::from_slice(body).ok();
        let code = parsed.as_ref().and_then(|b| b.error_code);
        let said = parsed.and_then(|b| b.message).unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.len() > 200 {
                format!("{}…", &text[..text.floor_char_boundary(200)])
            } else {
                text.to_owned()
            }
        });
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(": {said}")
        };
        let (kind, message) = match status {
            404 => {
                let missing = match code {
                    Some(40401) => Missing::Subject,
                    Some(40402) => Missing::Version,
                    Some(40403) => Missing::Schema,
                    _ => Missing::Other,
                };
                let what = match missing {
                    Missing::Subject => "subject not found",
                    Missing::Version => "version not found",
                    Missing::Schema => "schema not found",
                    Missing::Other => "not found (is schema.registry.url the registry's API root?)",
                };
                (ErrorKind::NotFound(missing), format!("{what}{said}"))
            }
            401 | 403 => (
                ErrorKind::Unauthorized,
                format!(
                    "{} {}{said}: check {auth_property} (and basic.auth.credentials.source)",
                    status,
                    if status == 401 {
                        "unauthorized: the credentials are refused"
                    } else {
                        "forbidden: the user may not do this"
                    },
                ),
            ),
            409 => (
                ErrorKind::Incompatible,
                format!("the schema is incompatible with the subject's earlier versions{said}"),
            ),
            422 => (ErrorKind::Invalid, format!("invalid request{said}")),
            429 | 500..=599 => (
                ErrorKind::Unavailable,
                format!("the registry answered {status}{said}"),
            ),
            _ => (
                ErrorKind::Refused,
                format!("the registry answered {status}{said}"),
            ),
        };
        RegistryError {
            kind,
            url: Some(url.to_owned()),
            status: Some(status),
            error_code: code,
            message,
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.url {
            Some(url) => write!(f, "schema registry {url}: {}", self.message),
            None => write!(f, "schema registry: {}", self.message),
        }
    }
}

impl std::error::Error for RegistryError {}

impl Classify for RegistryError {
    fn class(&self) -> ErrorClass {
        match self.kind {
            ErrorKind::Unavailable => ErrorClass::TRANSIENT,
            // The data names a schema the registry lacks, or a schema that does not fit:
            // someone must fix the data or the schema.
            ErrorKind::NotFound(_) | ErrorKind::Incompatible | ErrorKind::Invalid => {
                ErrorClass::USER
            }
            // A property (credentials, trust store) must change.
            ErrorKind::Tls => ErrorClass::USER,
            ErrorKind::Unauthorized | ErrorKind::Refused | ErrorKind::Protocol => {
                ErrorClass::REFUSED
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> RegistryError {
        RegistryError::from_response(
            "http://r:8081",
            status,
            body.as_bytes(),
            "value.converter.basic.auth.user.info",
        )
    }

    #[test]
    fn confluent_error_codes_say_what_is_missing() {
        for (code, missing) in [
            (40401, Missing::Subject),
            (40402, Missing::Version),
            (40403, Missing::Schema),
            (40499, Missing::Other),
        ] {
            let e = answer(404, &format!(r#"{{"error_code":{code},"message":"no"}}"#));
            assert_eq!(e.kind, ErrorKind::NotFound(missing), "{code}");
            assert_eq!(e.error_code, Some(code));
            assert!(e.is_not_found());
            assert!(!e.is_retriable());
            assert_eq!(e.class(), ErrorClass::USER);
        }
        let e = answer(404, "<html>nothing here</html>");
        assert_eq!(e.kind, ErrorKind::NotFound(Missing::Other));
        assert!(e.to_string().contains("API root"), "{e}");
        assert!(e.to_string().contains("nothing here"), "{e}");
    }

    #[test]
    fn statuses_map_to_kinds_and_classes() {
        for (status, kind, class) in [
            (401, ErrorKind::Unauthorized, ErrorClass::REFUSED),
            (403, ErrorKind::Unauthorized, ErrorClass::REFUSED),
            (409, ErrorKind::Incompatible, ErrorClass::USER),
            (422, ErrorKind::Invalid, ErrorClass::USER),
            (429, ErrorKind::Unavailable, ErrorClass::TRANSIENT),
            (500, ErrorKind::Unavailable, ErrorClass::TRANSIENT),
            (503, ErrorKind::Unavailable, ErrorClass::TRANSIENT),
            (400, ErrorKind::Refused, ErrorClass::REFUSED),
        ] {
            let e = answer(status, r#"{"error_code":1,"message":"said"}"#);
            assert_eq!((e.kind, e.class()), (kind, class), "{status}");
            assert_eq!(e.status, Some(status));
            assert!(e.to_string().contains("said"), "{e}");
            assert!(
                e.to_string().starts_with("schema registry http://r:8081: "),
                "{e}"
            );
        }
    }

    #[test]
    fn unauthorized_names_the_credentials_property() {
        let e = answer(401, "");
        assert!(
            e.message
                .contains("check value.converter.basic.auth.user.info"),
            "{e}"
        );
    }

    #[test]
    fn long_bodies_are_cut() {
        let e = answer(500, &"é".repeat(500));
        assert!(e.message.len() < 300, "{}", e.message.len());
    }
}
