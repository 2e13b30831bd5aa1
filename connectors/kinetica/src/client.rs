//! [`KineticaClient`]: binary-Avro calls over HTTP with typed errors and
//! retries, plus typed helpers for the endpoints Sluice uses.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};

use sluice_connect::metrics::RequestMetrics;
use sluice_error::message_chain;

use crate::auth::Auth;
use crate::error::{KineticaError, is_retriable_status};
use crate::protocol::*;
use crate::retry::{RetryPolicy, Sleeper, tokio_sleeper};
use crate::rows::EncodedRows;
use crate::tls::{self, TlsConfig};
use crate::types::KineticaType;

const OCTET_STREAM: &str = "application/octet-stream";

/// Kinetica's default port, used when an `http` URL names none (docs/reference/kinetica-rest-protocol.md §1.1).
pub const DEFAULT_PORT: u16 = 9191;

/// How to reach and talk to Kinetica.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Head-node URL, e.g. `http://127.0.0.1:9191` (`kinetica.url`).
    pub url: String,
    /// Credentials (`kinetica.username` / `kinetica.password`).
    pub auth: Auth,
    /// Per-request timeout; `Duration::ZERO` means none (`kinetica.timeout = 0`).
    pub timeout: Duration,
    /// Retries of retriable errors (`kinetica.retry_count`).
    pub retry: RetryPolicy,
    /// Certificate checks for `https` URLs (`kinetica.ssl.*`).
    pub tls: TlsConfig,
    /// Where each request's latency and outcome is recorded, by endpoint.
    pub requests: Option<Arc<RequestMetrics>>,
}

impl ClientConfig {
    /// No auth, no timeout, the default retry policy.
    pub fn new(url: impl Into<String>) -> Self {
        ClientConfig {
            url: url.into(),
            auth: Auth::None,
            timeout: Duration::ZERO,
            retry: RetryPolicy::default(),
            requests: None,
            tls: TlsConfig::default(),
        }
    }
}

/// An async Kinetica client. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct KineticaClient {
    http: reqwest::Client,
    url: Arc<str>,
    auth: Option<HeaderValue>,
    retry: RetryPolicy,
    sleeper: Sleeper,
    /// Kept to explain handshake failures.
    tls: Arc<TlsConfig>,
    requests: Option<Arc<RequestMetrics>>,
}

impl std::fmt::Debug for KineticaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KineticaClient")
            .field("url", &self.url)
            .field("auth", &self.auth.as_ref().map(|_| "[hidden]"))
            .field("retry", &self.retry)
            .finish()
    }
}

/// What `/show/table` says about one table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableInfo {
    /// The fully qualified name (`schema.table`) when the server reports it.
    pub table_name: String,
    /// The opaque id of the table's type (`type_ids[0]`); `/get/records` answers
    /// with it as `type_name`.
    pub type_id: String,
    /// The table's columns, parsed from `type_schemas[0]` and `properties[0]`.
    pub ty: KineticaType,
    /// Replicated tables live on every rank; inserts go to the head node.
    pub is_replicated: bool,
    /// The schema (formerly collection) holding the table, if reported.
    pub schema_name: Option<String>,
}

impl KineticaClient {
    /// Builds a client. Fails (fatally) on an unusable URL or TLS settings.
    pub fn new(config: ClientConfig) -> Result<Self, KineticaError> {
        let url = normalize_url(&config.url)?;
        let mut builder = reqwest::Client::builder();
        if !config.timeout.is_zero() {
            builder = builder.timeout(config.timeout);
        }
        let builder = config
            .tls
            .apply(builder)
            .map_err(|message| KineticaError::fatal("", message))?;
        let http = builder.build().map_err(|e| {
            KineticaError::fatal(
                "",
                format!("cannot build HTTP client: {}", message_chain(&e)),
            )
        })?;
        Ok(KineticaClient {
            http,
            url: url.into(),
            auth: config.auth.header(),
            retry: config.retry,
            sleeper: tokio_sleeper(),
            tls: Arc::new(config.tls),
            requests: config.requests,
        })
    }

    /// Replaces how back-off delays are waited for (tests record them instead).
    pub fn with_sleeper(mut self, sleeper: Sleeper) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The head-node URL (normalized, no trailing `/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Calls an endpoint on the head node, retrying retriable errors.
    pub async fn call<E: Endpoint>(&self, req: &E) -> Result<E::Response, KineticaError> {
        let url = self.url.clone();
        self.call_at(&url, req).await
    }

    /// Calls an endpoint on another node (a worker rank), retrying retriable
    /// errors.
    pub async fn call_at<E: Endpoint>(
        &self,
        base_url: &str,
        req: &E,
    ) -> Result<E::Response, KineticaError> {
        self.post(base_url, E::PATH, Bytes::from(req.to_bytes()))
            .await
    }

    /// Posts an already encoded request body to `base_url + path` and decodes
    /// the response record `R`, retrying retriable errors per the policy.
    pub async fn post<R: AvroRecord>(
        &self,
        base_url: &str,
        path: &str,
        body: Bytes,
    ) -> Result<R, KineticaError> {
        let mut retry = 0;
        loop {
            match self.post_once::<R>(base_url, path, body.clone()).await {
                Err(e) if e.is_retriable() && self.retry.allows(retry, Duration::ZERO) => {
                    let delay = self.retry.backoff(retry, &mut fastrand::Rng::new());
                    // DEBUG: a caller that gives up says so, and the pipeline reports an
                    // outage once when it begins and once when it ends, not per attempt.
                    tracing::debug!(
                        endpoint = path,
                        url = base_url,
                        retry = retry + 1,
                        max_retries = ?self.retry.max_retries,
                        delay_ms = delay.as_millis() as u64,
                        error = %e,
                        "retrying Kinetica request"
                    );
                    (self.sleeper)(delay).await;
                    retry += 1;
                }
                other => return other,
            }
        }
    }

    /// One attempt, no retries; recorded in the client's request metrics.
    pub async fn post_once<R: AvroRecord>(
        &self,
        base_url: &str,
        path: &str,
        body: Bytes,
    ) -> Result<R, KineticaError> {
        let started = std::time::Instant::now();
        let result = self.attempt::<R>(base_url, path, body).await;
        if let Some(requests) = &self.requests {
            requests.observe(path, started.elapsed(), result.is_ok());
        }
        result
    }

    async fn attempt<R: AvroRecord>(
        &self,
        base_url: &str,
        path: &str,
        body: Bytes,
    ) -> Result<R, KineticaError> {
        let url = format!("{base_url}{path}");
        let mut req = self
            .http
            .post(&url)
            .header(CONTENT_TYPE, OCTET_STREAM)
            .header(ACCEPT, OCTET_STREAM)
            .body(body);
        if let Some(auth) = &self.auth {
            req = req.header(AUTHORIZATION, auth.clone());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            return Err(KineticaError::fatal(
                path,
                format!("unauthorized (HTTP {status}): check kinetica.username/password"),
            ));
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        let envelope = match GpudbResponse::from_bytes(&body) {
            Ok(env) => env,
            Err(e) => {
                // Not an envelope: a proxy's error page, a 404 from a non-Kinetica
                // server, a truncated body.
                let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                let message = format!("HTTP {status}: undecodable response ({e}): {text}");
                return Err(if is_retriable_status(status) {
                    KineticaError::retriable(path, message)
                } else {
                    KineticaError::fatal(path, message)
                });
            }
        };
        if !envelope.is_ok() {
            return Err(KineticaError::from_server(path, status, &envelope.message));
        }
        R::from_bytes(&envelope.data)
            .map_err(|e| KineticaError::fatal(path, format!("cannot decode {}: {e}", R::NAME)))
    }

    // ----- typed helpers -------------------------------------------------------

    /// `/show/system/status`: the `status_map`.
    pub async fn show_system_status(&self) -> Result<Options, KineticaError> {
        Ok(self
            .call(&ShowSystemStatusRequest::default())
            .await?
            .status_map)
    }

    /// `/show/system/properties`: the `property_map`.
    pub async fn show_system_properties(&self) -> Result<Options, KineticaError> {
        Ok(self
            .call(&ShowSystemPropertiesRequest::default())
            .await?
            .property_map)
    }

    /// `/has/table`.
    pub async fn has_table(&self, table_name: &str) -> Result<bool, KineticaError> {
        let req = HasTableRequest {
            table_name: table_name.into(),
            options: Options::new(),
        };
        Ok(self.call(&req).await?.table_exists)
    }

    /// `/has/schema`.
    pub async fn has_schema(&self, schema_name: &str) -> Result<bool, KineticaError> {
        let req = HasSchemaRequest {
            schema_name: schema_name.into(),
            options: Options::new(),
        };
        Ok(self.call(&req).await?.schema_exists)
    }

    /// `/create/schema`, optionally with `no_error_if_exists`.
    pub async fn create_schema(
        &self,
        schema_name: &str,
        no_error_if_exists: bool,
    ) -> Result<(), KineticaError> {
        let mut options = Options::new();
        if no_error_if_exists {
            options.insert("no_error_if_exists".into(), "true".into());
        }
        self.call(&CreateSchemaRequest {
            schema_name: schema_name.into(),
            options,
        })
        .await?;
        Ok(())
    }

    /// `/create/type` for `ty`; returns the type id.
    pub async fn create_type(
        &self,
        ty: &KineticaType,
        label: &str,
    ) -> Result<String, KineticaError> {
        let req = CreateTypeRequest {
            type_definition: ty.type_definition(),
            label: label.into(),
            properties: ty.properties(),
            options: Options::new(),
        };
        Ok(self.call(&req).await?.type_id)
    }

    /// `/create/table` with `options` (e.g. `no_error_if_exists`, `is_replicated`,
    /// `collection_name`); returns the response (`info.qualified_table_name`).
    pub async fn create_table(
        &self,
        table_name: &str,
        type_id: &str,
        options: Options,
    ) -> Result<CreateTableResponse, KineticaError> {
        self.call(&CreateTableRequest {
            table_name: table_name.into(),
            type_id: type_id.into(),
            options,
        })
        .await
    }

    /// `/show/table` for one table, parsed: `None` when it does not exist.
    pub async fn describe_table(
        &self,
        table_name: &str,
    ) -> Result<Option<TableInfo>, KineticaError> {
        let req = ShowTableRequest {
            table_name: table_name.into(),
            options: Options::from([
                ("no_error_if_not_exists".into(), "true".into()),
                ("show_children".into(), "false".into()),
            ]),
        };
        let resp = self.call(&req).await?;
        let (Some(desc), Some(type_id), Some(schema)) = (
            resp.table_descriptions.first(),
            resp.type_ids.first(),
            resp.type_schemas.first(),
        ) else {
            return Ok(None);
        };
        let empty = BTreeMap::new();
        let props = resp.properties.first().unwrap_or(&empty);
        let ty = KineticaType::from_schema(schema, props)
            .map_err(|e| KineticaError::fatal(ShowTableRequest::PATH, e.to_string()))?;
        let info = resp.additional_info.first();
        let schema_name = info
            .and_then(|i| i.get("schema_name").or_else(|| i.get("collection_names")))
            .filter(|s| !s.is_empty())
            .cloned();
        Ok(Some(TableInfo {
            table_name: resp
                .table_names
                .first()
                .cloned()
                .unwrap_or_else(|| table_name.into()),
            type_id: type_id.clone(),
            ty,
            is_replicated: desc.iter().any(|d| d == "REPLICATED"),
            schema_name,
        }))
    }

    /// `/insert/records` with binary rows on the head node.
    ///
    /// `options` are passed as is (`update_on_existing_pk`, `return_record_ids`,
    /// …). For multi-head routing use [`crate::MultiHeadInserter`].
    pub async fn insert_records(
        &self,
        table_name: &str,
        rows: &EncodedRows,
        options: &Options,
    ) -> Result<InsertRecordsResponse, KineticaError> {
        let url = self.url.clone();
        self.insert_records_at(&url, table_name, rows, options)
            .await
    }

    /// `/insert/records` on a given node (head or worker).
    pub async fn insert_records_at(
        &self,
        base_url: &str,
        table_name: &str,
        rows: &EncodedRows,
        options: &Options,
    ) -> Result<InsertRecordsResponse, KineticaError> {
        let mut body = Vec::with_capacity(rows.byte_len() + rows.len() * 3 + 64);
        encode_insert_records(&mut body, table_name, rows, options);
        self.post(base_url, InsertRecordsRequest::PATH, Bytes::from(body))
            .await
    }

    /// `/delete/records`: deletes the rows matching any of `expressions`; returns how
    /// many were deleted.
    pub async fn delete_records(
        &self,
        table_name: &str,
        expressions: Vec<String>,
    ) -> Result<i64, KineticaError> {
        let resp = self
            .call(&DeleteRecordsRequest {
                table_name: table_name.into(),
                expressions,
                options: Options::new(),
            })
            .await?;
        Ok(resp.count_deleted)
    }

    /// `/get/records` in binary encoding (`limit` may be [`END_OF_SET`]).
    pub async fn get_records(
        &self,
        table_name: &str,
        offset: i64,
        limit: i64,
        options: Options,
    ) -> Result<GetRecordsResponse, KineticaError> {
        self.call(&GetRecordsRequest {
            table_name: table_name.into(),
            offset,
            limit,
            encoding: "binary".into(),
            options,
        })
        .await
    }

    /// `/clear/table` (drops the table).
    pub async fn clear_table(
        &self,
        table_name: &str,
        no_error_if_not_exists: bool,
    ) -> Result<(), KineticaError> {
        let mut options = Options::new();
        if no_error_if_not_exists {
            options.insert("no_error_if_not_exists".into(), "true".into());
        }
        self.call(&ClearTableRequest {
            table_name: table_name.into(),
            authorization: String::new(),
            options,
        })
        .await?;
        Ok(())
    }

    /// `/alter/table`: one `action` (`add_column`, `change_column`, …) on `value` (for
    /// column actions, the column name) with its `options` (`column_type`,
    /// `column_properties`, `column_default_value`, …). The response carries the
    /// table's new type (docs/reference/kinetica-rest-protocol.md, `/alter/table`).
    pub async fn alter_table(
        &self,
        table_name: &str,
        action: &str,
        value: &str,
        options: Options,
    ) -> Result<AlterTableResponse, KineticaError> {
        self.call(&AlterTableRequest {
            table_name: table_name.into(),
            action: action.into(),
            value: value.into(),
            options,
        })
        .await
    }

    /// `/alter/table/columns` (e.g. `add_column` / `change_column` alterations,
    /// each a map with `action`, `column_name`, `column_type`, …).
    pub async fn alter_table_columns(
        &self,
        table_name: &str,
        column_alterations: Vec<Options>,
        options: Options,
    ) -> Result<AlterTableColumnsResponse, KineticaError> {
        self.call(&AlterTableColumnsRequest {
            table_name: table_name.into(),
            column_alterations,
            options,
        })
        .await
    }

    /// `/create/tablemonitor` for `table_name` (`options`: `event` = `insert`, the
    /// default, `update` or `delete`): the topic id its notifications are published under.
    pub async fn create_table_monitor(
        &self,
        table_name: &str,
        options: Options,
    ) -> Result<CreateTableMonitorResponse, KineticaError> {
        self.call(&CreateTableMonitorRequest {
            table_name: table_name.into(),
            options,
        })
        .await
    }

    /// `/clear/tablemonitor`: stops the monitor `topic_id`.
    pub async fn clear_table_monitor(&self, topic_id: &str) -> Result<(), KineticaError> {
        self.call(&ClearTableMonitorRequest {
            topic_id: topic_id.into(),
            options: Options::new(),
        })
        .await
        .map(|_| ())
    }

    /// `/admin/show/shards`.
    pub async fn admin_show_shards(&self) -> Result<AdminShowShardsResponse, KineticaError> {
        self.call(&AdminShowShardsRequest::default()).await
    }
}

impl KineticaClient {
    /// Maps a reqwest failure to a typed error. Anything on the wire (connect,
    /// timeout, reset mid-body) is retriable, except a failed TLS handshake (an
    /// untrusted certificate, a wrong host name, a server not speaking TLS): the same
    /// certificate fails the same way, so it is fatal and says which property to look
    /// at. The URL is stripped from the message in case it carries user info.
    fn transport_error(&self, endpoint: &str, e: reqwest::Error) -> KineticaError {
        let builder = e.is_builder();
        let timeout = e.is_timeout();
        let e = e.without_url();
        let mut message = message_chain(&e);
        if timeout {
            message = format!("timed out: {message}");
        }
        if let Some((setting, hint)) = tls::handshake_failure(&self.tls, &e) {
            KineticaError::fatal_setting(
                endpoint,
                setting,
                format!("TLS handshake failed: {message}; {hint}"),
            )
        } else if builder {
            KineticaError::fatal(endpoint, message)
        } else {
            KineticaError::retriable(endpoint, message)
        }
    }
}

/// Normalizes a base URL: adds `http://` when no scheme is given, Kinetica's
/// default port for `http` URLs with neither port nor path, and removes a
/// trailing `/` (paths are appended textually, docs/reference/kinetica-rest-protocol.md §1.1).
pub fn normalize_url(url: &str) -> Result<String, KineticaError> {
    let raw = url.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("http://{raw}")
    };
    let parsed = reqwest::Url::parse(&with_scheme)
        .map_err(|e| KineticaError::fatal("", format!("invalid Kinetica URL ({e})")))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Credentials in the URL would end up in logs and error messages.
        return Err(KineticaError::fatal(
            "",
            "invalid Kinetica URL: put credentials in kinetica.username/kinetica.password, \
             not in the URL",
        ));
    }
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(KineticaError::fatal(
            "",
            "invalid Kinetica URL: expected http[s]://host[:port][/path]",
        ));
    }
    let mut out = with_scheme.trim_end_matches('/').to_owned();
    if parsed.scheme() == "http" && parsed.port().is_none() && parsed.path() == "/" {
        out.push_str(&format!(":{DEFAULT_PORT}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalized() {
        assert_eq!(normalize_url("localhost").unwrap(), "http://localhost:9191");
        assert_eq!(normalize_url("http://h:9000/").unwrap(), "http://h:9000");
        assert_eq!(normalize_url("https://h").unwrap(), "https://h");
        assert_eq!(
            normalize_url("https://h:8082/gpudb-0").unwrap(),
            "https://h:8082/gpudb-0"
        );
        assert!(normalize_url("ftp://h").is_err());
        let err = normalize_url("http://u:topsecret@h:1").unwrap_err();
        assert!(!err.to_string().contains("topsecret"));
    }

    #[test]
    fn debug_hides_credentials() {
        let mut cfg = ClientConfig::new("http://h:1");
        cfg.auth = Auth::basic("u", "pw-123");
        let c = KineticaClient::new(cfg.clone()).unwrap();
        assert!(!format!("{c:?}").contains("pw-123"));
        assert!(!format!("{cfg:?}").contains("pw-123"));
    }
}
