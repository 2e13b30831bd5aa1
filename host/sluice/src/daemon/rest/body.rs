//! Request bodies and query strings the way Connect reads them: JSON errors in its
//! error shape, config values that may be JSON numbers or booleans, repeated query
//! parameters (`?expand=status&expand=info`).

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::daemon::worker::ConnectorConfig;

/// A JSON body; a malformed one is a 400 (Connect: 400 or 500 depending on where it
/// fails; a client's mistake is a 4xx here).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::bad_request(format!("Request body is not valid JSON: {e}")))
    }
}

/// A config map: string values as they are, numbers and booleans as their text (Jackson
/// does the same for Connect); `null` only where `nulls` allows it (PATCH: remove).
pub fn config_map(
    value: serde_json::Map<String, serde_json::Value>,
    nulls: bool,
) -> Result<(ConnectorConfig, Vec<String>), ApiError> {
    let mut config = ConnectorConfig::new();
    let mut removed = Vec::new();
    for (key, v) in value {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null if nulls => {
                removed.push(key);
                continue;
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "the value of `{key}` must be a string, not {other}"
                )));
            }
        };
        config.insert(key, text);
    }
    Ok((config, removed))
}

/// The values of `name` in a query string, in order.
pub fn query_values(query: Option<&str>, name: &str) -> Vec<String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// A boolean query parameter (`?includeTasks=true`); absent is `false`.
pub fn query_flag(query: Option<&str>, name: &str) -> Result<bool, ApiError> {
    match query_values(query, name).last().map(String::as_str) {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(ApiError::bad_request(format!(
            "query parameter `{name}` must be true or false, not `{v}`"
        ))),
    }
}
