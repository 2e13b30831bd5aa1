//! Credentials. Secrets never print: `Debug` shows `[hidden]`, there is no
//! `Display`, and the `Authorization` header is marked sensitive.

use base64::Engine;
use reqwest::header::HeaderValue;

/// A secret string (password or token).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself; call sites are easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[hidden]")
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

/// How requests authenticate (plain HTTP auth on every request; Kinetica has no
/// login endpoint).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// `Authorization: Basic base64(user:password)`.
    Basic { username: String, password: Secret },
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
