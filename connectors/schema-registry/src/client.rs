//! The REST client: Confluent's Schema Registry API (`application/vnd.schemaregistry.v1+json`)
//! over reqwest, with fail-over across the configured URLs.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;
use sluice_config::Secret;
use sluice_error::{find_cause, message_chain};

use crate::config::{BasicAuth, RegistryConfig, TlsSettings, names};
use crate::error::{ErrorKind, Missing, RegistryError};

/// The media type of the API's requests and answers.
pub const CONTENT_TYPE_V1: &str = "application/vnd.schemaregistry.v1+json";
/// What Confluent's own client accepts, in its order of preference.
const ACCEPTED: &str = "application/vnd.schemaregistry.v1+json, \
                        application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

/// The kind of a registered schema. The registry leaves `schemaType` out for Avro.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchemaType {
    /// Apache Avro, the default.
    #[default]
    Avro,
    /// JSON Schema.
    Json,
    /// Protocol Buffers.
    Protobuf,
}

impl SchemaType {
    /// The API's name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Json => "JSON",
            SchemaType::Protobuf => "PROTOBUF",
        }
    }

    fn from_api(text: Option<&str>) -> Result<SchemaType, String> {
        match text.map(str::to_ascii_uppercase).as_deref() {
            None | Some("") | Some("AVRO") => Ok(SchemaType::Avro),
            Some("JSON") => Ok(SchemaType::Json),
            Some("PROTOBUF") => Ok(SchemaType::Protobuf),
            Some(other) => Err(format!("unknown schemaType `{other}`")),
        }
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference from one schema to another registered one (by subject and version).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct SchemaReference {
    /// The name the referring schema uses (an Avro full name, a file name).
    pub name: String,
    /// The subject holding the referenced schema.
    pub subject: String,
    /// Its version in that subject.
    pub version: i32,
}

/// A schema as `GET /schemas/ids/{id}` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredSchema {
    /// The registry's global id of the schema (what the wire format carries).
    pub id: i32,
    /// Its type (Avro when the registry does not say).
    pub schema_type: SchemaType,
    /// The schema text as registered (for Avro: JSON).
    pub schema: String,
    /// The schemas it references.
    pub references: Vec<SchemaReference>,
}

/// One version of a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// The version within the subject (from 1).
    pub version: i32,
    /// The schema's global id.
    pub id: i32,
    /// Its type.
    pub schema_type: SchemaType,
    /// The schema text.
    pub schema: String,
    /// The schemas it references.
    pub references: Vec<SchemaReference>,
}

/// Which version of a subject a compatibility check is against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// The newest version.
    Latest,
    /// A given version number.
    Number(i32),
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A subject's compatibility level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compatibility {
    /// No check.
    None,
    /// New schemas read data written with the latest one.
    Backward,
    /// … with every earlier one.
    BackwardTransitive,
    /// Data written with new schemas is readable with the latest one.
    Forward,
    /// … with every earlier one.
    ForwardTransitive,
    /// Backward and forward with the latest one.
    Full,
    /// Backward and forward with every earlier one.
    FullTransitive,
}

impl Compatibility {
    /// The API's name of the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Compatibility::None => "NONE",
            Compatibility::Backward => "BACKWARD",
            Compatibility::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Compatibility::Forward => "FORWARD",
            Compatibility::ForwardTransitive => "FORWARD_TRANSITIVE",
            Compatibility::Full => "FULL",
            Compatibility::FullTransitive => "FULL_TRANSITIVE",
        }
    }
}

impl FromStr for Compatibility {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "NONE" => Compatibility::None,
            "BACKWARD" => Compatibility::Backward,
            "BACKWARD_TRANSITIVE" => Compatibility::BackwardTransitive,
            "FORWARD" => Compatibility::Forward,
            "FORWARD_TRANSITIVE" => Compatibility::ForwardTransitive,
            "FULL" => Compatibility::Full,
            "FULL_TRANSITIVE" => Compatibility::FullTransitive,
            other => return Err(format!("unknown compatibility level `{other}`")),
        })
    }
}

impl fmt::Display for Compatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One registry URL and the `Authorization` header sent to it.
struct Endpoint {
    base: String,
    authorization: Option<HeaderValue>,
}

struct Inner {
    http: reqwest::Client,
    endpoints: Vec<Endpoint>,
    /// The endpoint that answered last: tried first.
    current: AtomicUsize,
    tls: TlsSettings,
    /// The property holding the credentials, for 401/403 messages.
    auth_property: String,
}

/// An async Schema Registry client. Cheap to clone (one connection pool, one notion of
/// which URL answers), `Send + Sync`.
#[derive(Clone)]
pub struct SchemaRegistryClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for SchemaRegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaRegistryClient")
            .field("urls", &self.urls())
            .finish_non_exhaustive()
    }
}

/// `Basic base64(user:password)`, marked sensitive (hyper keeps it out of its debug
/// output and HPACK tables).
fn basic(user_info: &Secret) -> Result<HeaderValue, String> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(user_info.expose());
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
        .map_err(|_| "the credentials cannot be sent in an HTTP header".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

/// A path segment with everything but RFC 3986's unreserved characters escaped, as
/// Confluent's client encodes subjects (`a/b` → `a%2Fb`).
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl SchemaRegistryClient {
    /// A client for `config`'s URLs. Fails only when the TLS settings cannot be used.
    pub fn new(config: &RegistryConfig) -> Result<SchemaRegistryClient, RegistryError> {
        let auth_property = match &config.auth {
            BasicAuth::UserInfo(_) => config.property(names::USER_INFO),
            _ => format!(
                "the user info of {} (or set {}=USER_INFO)",
                config.property(names::URL),
                config.property(names::CREDENTIALS_SOURCE)
            ),
        };
        let mut endpoints = Vec::with_capacity(config.urls.len());
        for url in &config.urls {
            let info = match &config.auth {
                BasicAuth::None => None,
                BasicAuth::UserInfo(info) => Some(info),
                BasicAuth::FromUrl => url.user_info.as_ref(),
            };
            let authorization = info
                .map(basic)
                .transpose()
                .map_err(|m| RegistryError::new(ErrorKind::Refused, Some(&url.base), m))?;
            endpoints.push(Endpoint {
                base: url.base.clone(),
                authorization,
            });
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
            // Credentials are per URL: a redirect must not carry them elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        if !config.connect_timeout.is_zero() {
            builder = builder.connect_timeout(config.connect_timeout);
        }
        if !config.read_timeout.is_zero() {
            builder = builder.timeout(config.read_timeout);
        }
        let tls_error = |property: &Option<String>, e: reqwest::Error| {
            RegistryError::new(
                ErrorKind::Tls,
                None,
                format!(
                    "{}: cannot be used for TLS: {}",
                    property.as_deref().unwrap_or("schema.registry.ssl.*"),
                    message_chain(&e)
                ),
            )
        };
        if let Some(trusted) = &config.tls.trusted {
            let certs = trusted
                .iter()
                .map(|der| reqwest::Certificate::from_der(der))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| tls_error(&config.tls.trust_property, e))?;
            builder = builder.tls_certs_only(certs);
        }
        if let Some(identity) = &config.tls.identity {
            let identity = reqwest::Identity::from_pem(identity.pem.expose().as_bytes())
                .map_err(|e| tls_error(&config.tls.identity_property, e))?;
            builder = builder.identity(identity);
        }
        let http = builder.build().map_err(|e| {
            RegistryError::new(
                ErrorKind::Tls,
                None,
                format!("cannot build the HTTP client: {}", message_chain(&e)),
            )
        })?;
        Ok(SchemaRegistryClient {
            inner: Arc::new(Inner {
                http,
                endpoints,
                current: AtomicUsize::new(0),
                tls: config.tls.clone(),
                auth_property,
            }),
        })
    }

    /// The registry URLs (without user info), in configured order.
    pub fn urls(&self) -> Vec<&str> {
        self.inner
            .endpoints
            .iter()
            .map(|e| e.base.as_str())
            .collect()
    }

    /// The URL requests go to first: the one that answered last.
    pub fn current_url(&self) -> &str {
        let i = self.inner.current.load(Ordering::Relaxed);
        &self.inner.endpoints[i].base
    }

    /// `GET /schemas/ids/{id}`: the schema with global id `id`.
    pub async fn schema_by_id(&self, id: i32) -> Result<RegisteredSchema, RegistryError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            schema: String,
            schema_type: Option<String>,
            #[serde(default)]
            references: Vec<SchemaReference>,
        }
        let (url, a): (_, Answer) = self
            .call(Method::GET, &format!("/schemas/ids/{id}"), None)
            .await?;
        Ok(RegisteredSchema {
            id,
            schema_type: schema_type(&url, a.schema_type.as_deref())?,
            schema: a.schema,
            references: a.references,
        })
    }

    /// `POST /subjects/{subject}/versions`: registers `schema` under `subject` (or finds
    /// it registered there) and returns its global id.
    pub async fn register(
        &self,
        subject: &str,
        schema: &str,
        schema_type: SchemaType,
    ) -> Result<i32, RegistryError> {
        #[derive(Deserialize)]
        struct Answer {
            id: i32,
        }
        let (_, a): (_, Answer) = self
            .call(
                Method::POST,
                &format!("/subjects/{}/versions", encode_segment(subject)),
                Some(schema_body(schema, schema_type)),
            )
            .await?;
        Ok(a.id)
    }

    /// `POST /subjects/{subject}`: the version of `subject` holding `schema`; `None`
    /// when the subject does not exist or does not hold it.
    pub async fn lookup(
        &self,
        subject: &str,
        schema: &str,
        schema_type: SchemaType,
    ) -> Result<Option<SubjectVersion>, RegistryError> {
        let result = self
            .call(
                Method::POST,
                &format!("/subjects/{}", encode_segment(subject)),
                Some(schema_body(schema, schema_type)),
            )
            .await;
        match result {
            Ok((url, a)) => Ok(Some(subject_version(&url, a)?)),
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::NotFound(Missing::Subject | Missing::Schema)
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// `GET /subjects/{subject}/versions/latest`: the subject's newest version.
    pub async fn latest(&self, subject: &str) -> Result<SubjectVersion, RegistryError> {
        self.version(subject, Version::Latest).await
    }

    /// `GET /subjects/{subject}/versions/{version}`.
    pub async fn version(
        &self,
        subject: &str,
        version: Version,
    ) -> Result<SubjectVersion, RegistryError> {
        let (url, a) = self
            .call(
                Method::GET,
                &format!("/subjects/{}/versions/{version}", encode_segment(subject)),
                None,
            )
            .await?;
        subject_version(&url, a)
    }

    /// `GET /subjects/{subject}/versions`: the subject's version numbers, ascending.
    pub async fn versions(&self, subject: &str) -> Result<Vec<i32>, RegistryError> {
        let (_, mut versions): (_, Vec<i32>) = self
            .call(
                Method::GET,
                &format!("/subjects/{}/versions", encode_segment(subject)),
                None,
            )
            .await?;
        versions.sort_unstable();
        Ok(versions)
    }

    /// `POST /compatibility/subjects/{subject}/versions/{version}`: whether `schema`
    /// may be registered after `version` under the subject's compatibility level.
    pub async fn is_compatible(
        &self,
        subject: &str,
        version: Version,
        schema: &str,
        schema_type: SchemaType,
    ) -> Result<bool, RegistryError> {
        #[derive(Deserialize)]
        struct Answer {
            is_compatible: bool,
        }
        let (_, a): (_, Answer) = self
            .call(
                Method::POST,
                &format!(
                    "/compatibility/subjects/{}/versions/{version}",
                    encode_segment(subject)
                ),
                Some(schema_body(schema, schema_type)),
            )
            .await?;
        Ok(a.is_compatible)
    }

    /// `PUT /config/{subject}`: sets the subject's compatibility level.
    pub async fn set_compatibility(
        &self,
        subject: &str,
        level: Compatibility,
    ) -> Result<(), RegistryError> {
        let (_, _): (_, serde_json::Value) = self
            .call(
                Method::PUT,
                &format!("/config/{}", encode_segment(subject)),
                Some(json!({ "compatibility": level.as_str() })),
            )
            .await?;
        Ok(())
    }

    /// `GET /config/{subject}?defaultToGlobal=true`: the subject's compatibility level,
    /// the registry's global one when the subject has none of its own.
    pub async fn compatibility(&self, subject: &str) -> Result<Compatibility, RegistryError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            compatibility_level: Option<String>,
            compatibility: Option<String>,
        }
        let (url, a): (_, Answer) = self
            .call(
                Method::GET,
                &format!("/config/{}?defaultToGlobal=true", encode_segment(subject)),
                None,
            )
            .await?;
        let level = a.compatibility_level.or(a.compatibility).ok_or_else(|| {
            RegistryError::new(
                ErrorKind::Protocol,
                Some(&url),
                "the config answer has no compatibilityLevel",
            )
        })?;
        level
            .parse()
            .map_err(|m: String| RegistryError::new(ErrorKind::Protocol, Some(&url), m))
    }

    /// Sends one request, failing over across the URLs, and parses the answer.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(String, T), RegistryError> {
        let (url, bytes) = self.send(method.clone(), path, body).await?;
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            RegistryError::new(
                ErrorKind::Protocol,
                Some(&url),
                format!(
                    "{method} {path}: the answer is not what the Schema Registry API specifies: {e}"
                ),
            )
        })?;
        Ok((url, value))
    }

    /// Sends `method path` to the URL that answered last, then to the others in order
    /// while they fail with a connection error, a timeout, 429 or 5xx. An answer
    /// (success or a definite refusal) makes its URL the first to try next time.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(String, bytes::Bytes), RegistryError> {
        let inner = &*self.inner;
        let n = inner.endpoints.len();
        let start = inner.current.load(Ordering::Relaxed);
        let mut failures: Vec<RegistryError> = Vec::new();
        for step in 0..n {
            let index = (start + step) % n;
            let endpoint = &inner.endpoints[index];
            let mut request = inner
                .http
                .request(method.clone(), format!("{}{path}", endpoint.base))
                .header(ACCEPT, ACCEPTED);
            if let Some(auth) = &endpoint.authorization {
                request = request.header(AUTHORIZATION, auth.clone());
            }
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, CONTENT_TYPE_V1)
                    .body(body.to_string());
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(bytes) => Ok((status, bytes)),
                        Err(e) => Err(self.transport_error(&endpoint.base, e)),
                    }
                }
                Err(e) => Err(self.transport_error(&endpoint.base, e)),
            };
            let error = match outcome {
                Ok((status, bytes)) if status.is_success() => {
                    inner.current.store(index, Ordering::Relaxed);
                    return Ok((endpoint.base.clone(), bytes));
                }
                Ok((status, bytes)) => {
                    let error = RegistryError::from_response(
                        &endpoint.base,
                        status.as_u16(),
                        &bytes,
                        &inner.auth_property,
                    );
                    if error.kind != ErrorKind::Unavailable
                        || status == StatusCode::TOO_MANY_REQUESTS
                    {
                        // A definite answer (429 included: the others are likely as busy).
                        inner.current.store(index, Ordering::Relaxed);
                        return Err(error);
                    }
                    error
                }
                Err(error) => error,
            };
            if n > 1 {
                tracing::debug!(url = %endpoint.base, "schema registry request failed, trying the next URL: {error}");
            }
            failures.push(error);
        }
        // A refused certificate is the one to report: waiting will not fix it.
        if let Some(i) = failures.iter().position(|e| e.kind == ErrorKind::Tls) {
            return Err(failures.swap_remove(i));
        }
        if failures.len() == 1 {
            return Err(failures.pop().expect("one failure"));
        }
        let message = failures
            .iter()
            .map(|e| format!("{}: {}", e.url.as_deref().unwrap_or("?"), e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Err(RegistryError::new(
            ErrorKind::Unavailable,
            None,
            format!("no registry URL answered ({message})"),
        ))
    }

    /// A failure to send or to read an answer: unavailable (retriable), unless the TLS
    /// handshake failed. The message has no URL (reqwest's would include user info
    /// were it there) and names the property to check for TLS.
    fn transport_error(&self, base: &str, e: reqwest::Error) -> RegistryError {
        let timeout = e.is_timeout();
        let connect = e.is_connect();
        let e = e.without_url();
        let chain = message_chain(&e);
        if let Some(tls) = find_cause::<rustls::Error>(&e) {
            return RegistryError::new(
                ErrorKind::Tls,
                Some(base),
                format!(
                    "TLS handshake failed: {chain}; {}",
                    tls_hint(&self.inner.tls, tls)
                ),
            );
        }
        let what = if timeout {
            "timed out"
        } else if connect {
            "cannot connect"
        } else {
            "request failed"
        };
        RegistryError::new(
            ErrorKind::Unavailable,
            Some(base),
            format!("{what}: {chain}"),
        )
    }
}

fn schema_body(schema: &str, schema_type: SchemaType) -> serde_json::Value {
    match schema_type {
        // Confluent's own client leaves the type out for Avro, the default.
        SchemaType::Avro => json!({ "schema": schema }),
        other => json!({ "schema": schema, "schemaType": other.as_str() }),
    }
}

fn schema_type(url: &str, text: Option<&str>) -> Result<SchemaType, RegistryError> {
    SchemaType::from_api(text).map_err(|m| RegistryError::new(ErrorKind::Protocol, Some(url), m))
}

/// A subject version as the API returns it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionAnswer {
    subject: String,
    version: i32,
    id: i32,
    schema: String,
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<SchemaReference>,
}

fn subject_version(url: &str, a: VersionAnswer) -> Result<SubjectVersion, RegistryError> {
    Ok(SubjectVersion {
        schema_type: schema_type(url, a.schema_type.as_deref())?,
        subject: a.subject,
        version: a.version,
        id: a.id,
        schema: a.schema,
        references: a.references,
    })
}

/// Which property to look at for a failed handshake.
fn tls_hint(tls: &TlsSettings, error: &rustls::Error) -> String {
    let prefix = &tls.prefix;
    let trust = tls
        .trust_property
        .clone()
        .unwrap_or_else(|| format!("{prefix}schema.registry.ssl.truststore.location"));
    match error {
        rustls::Error::InvalidCertificate(_) => match &tls.trust_property {
            Some(p) => format!(
                "the registry's certificate is not trusted by {p}: add the CA that signed it \
                 to that store (or check the URL's host name and the certificate's dates)"
            ),
            None => format!(
                "the registry's certificate is not signed by a CA the system trusts: set \
                 {trust} to a store with the CA that signed it"
            ),
        },
        rustls::Error::AlertReceived(_) => match &tls.identity_property {
            Some(p) => format!(
                "the registry refused the handshake: check that it accepts the client \
                 certificate of {p}"
            ),
            None => format!(
                "the registry refused the handshake: it may require a client certificate \
                 ({prefix}schema.registry.ssl.keystore.location)"
            ),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the server does not speak TLS: is the URL https:// against a plain HTTP port?"
                .to_owned()
        }
        _ => format!("check {trust} and the URL"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_escaped_as_one_path_segment() {
        assert_eq!(encode_segment("orders-value"), "orders-value");
        assert_eq!(encode_segment("a/b c:é"), "a%2Fb%20c%3A%C3%A9");
        assert_eq!(encode_segment("com.x.Y_z~"), "com.x.Y_z~");
    }

    #[test]
    fn schema_types_default_to_avro() {
        assert_eq!(SchemaType::from_api(None).unwrap(), SchemaType::Avro);
        assert_eq!(
            SchemaType::from_api(Some("json")).unwrap(),
            SchemaType::Json
        );
        assert_eq!(
            SchemaType::from_api(Some("PROTOBUF")).unwrap(),
            SchemaType::Protobuf
        );
        assert!(SchemaType::from_api(Some("XML")).is_err());
        assert_eq!(schema_body("{}", SchemaType::Avro), json!({"schema": "{}"}));
        assert_eq!(
            schema_body("{}", SchemaType::Json),
            json!({"schema": "{}", "schemaType": "JSON"})
        );
    }

    #[test]
    fn compatibility_levels_round_trip() {
        for level in [
            Compatibility::None,
            Compatibility::Backward,
            Compatibility::BackwardTransitive,
            Compatibility::Forward,
            Compatibility::ForwardTransitive,
            Compatibility::Full,
            Compatibility::FullTransitive,
        ] {
            assert_eq!(level.as_str().parse::<Compatibility>().unwrap(), level);
        }
        assert!("SIDEWAYS".parse::<Compatibility>().is_err());
    }

    #[test]
    fn the_authorization_header_is_basic_and_sensitive() {
        let value = basic(&Secret::new("u:p")).unwrap();
        assert_eq!(value.to_str().unwrap(), "Basic dTpw");
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("dTpw"));
    }
}
