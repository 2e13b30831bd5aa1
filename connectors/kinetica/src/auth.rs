//! Credentials. Secrets never print: `Debug` and `Display` show `[hidden]`, and the
//! `Authorization` header is marked sensitive.
//!
//! [`Secret`] is the configuration's secret type: a password stays one from the
//! pipeline file to the header built here, the only place that exposes it.

use base64::Engine;
use reqwest::header::HeaderValue;

pub use sluice_config::Secret;

/// How requests authenticate (plain HTTP auth on every request; Kinetica has no
/// login endpoint).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// The Kinetica user name (`kinetica.username`); never empty.
        username: String,
        /// The user's password (`kinetica.password`); printed as `[hidden]`.
        password: Secret,
    },
    /// `Authorization: Bearer <token>` (OAuth).
    Bearer(Secret),
}

impl Auth {
    /// Basic auth, or [`Auth::None`] when the user name is empty (the connector
    /// treats an unset `kinetica.username` as anonymous).
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        let username = username.into();
        if username.is_empty() {
            Auth::None
        } else {
            Auth::Basic {
                username,
                password: password.into(),
            }
        }
    }

    /// The `Authorization` header value, marked sensitive so HTTP-level logging
    /// redacts it.
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        let raw = match self {
            Auth::None => return None,
            Auth::Basic { username, password } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{}", password.expose()))
            ),
            Auth::Bearer(token) => format!("Bearer {}", token.expose()),
        };
        let mut v = HeaderValue::from_str(&raw).ok()?;
        v.set_sensitive(true);
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug() {
        let a = Auth::basic("admin", "s3cr3t");
        let dbg = format!("{a:?}");
        assert!(!dbg.contains("s3cr3t"), "{dbg}");
        assert!(dbg.contains("[hidden]"));
        let h = a.header().unwrap();
        assert!(h.is_sensitive());
        assert_eq!(h.to_str().unwrap(), "Basic YWRtaW46czNjcjN0");
        assert_eq!(Auth::basic("", "x"), Auth::None);
    }
}
