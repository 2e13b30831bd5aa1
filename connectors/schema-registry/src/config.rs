//! The registry client's properties, with the names Confluent's serializers and
//! converters give them (and the seed README's `schema.registry.ssl.*`), declared once
//! in [`RegistryProps`]. A converter includes [`RegistryProps::config_def`]'s properties
//! in its own definition and hands its property group (prefix removed) to
//! [`RegistryConfig::from_props`]; errors then name the property as the user wrote it
//! (`value.converter.schema.registry.url`): the caller gives the prefix.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use sluice_config::{
    ConfigDef, Options, Origin, ParsedConfig, Problems, PropertyDef, RawProperties, Secret,
    config_enum, settings,
};
use sluice_keystore::{Field, StoreError, StoreType};

config_enum! {
    /// Where the basic auth credentials come from (`basic.auth.credentials.source`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum CredentialsSource {
        /// From the URLs' user info (`http://user:password@host:8081`), Confluent's default.
        Url = "URL",
        /// From `basic.auth.user.info` (`user:password`).
        UserInfo = "USER_INFO",
        /// Kafka's SASL credentials: not supported by Sluice.
        SaslInherit = "SASL_INHERIT",
    }
}

settings! {
    /// The Schema Registry client's properties, as declared and validated.
    /// [`RegistryConfig`] is what the client runs with, derived from them.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RegistryProps {
        const COMPONENT = "schema-registry";
        const GROUP = "Schema Registry";
        pub mod names;

        /// Comma-separated list of Schema Registry URLs (`http://host:8081`,
        /// `https://…`). Requests go to the first that answers; on a connection failure,
        /// a timeout or a 5xx answer the next one is tried, and the one that answered is
        /// used first afterwards.
        #[property(URL = "schema.registry.url", high, required, display("Schema Registry URL"))]
        pub url: Vec<String>,
        /// Where the HTTP basic auth credentials come from: `URL` (the user info of the
        /// URLs, `http://user:password@host`), `USER_INFO` (`basic.auth.user.info`).
        /// `SASL_INHERIT` is not supported.
        #[property(CREDENTIALS_SOURCE = "basic.auth.credentials.source", medium,
            default(CredentialsSource::Url), display("Basic Auth Credentials Source"))]
        pub credentials_source: CredentialsSource,
        /// `user:password` for HTTP basic auth when `basic.auth.credentials.source` is
        /// `USER_INFO`. Hidden everywhere.
        #[property(USER_INFO = "basic.auth.user.info", medium,
            aliases(&["schema.registry.basic.auth.user.info"]), display("Basic Auth User Info"))]
        pub user_info: Option<Secret>,
        /// Trust store (JKS, PKCS12 or PEM) with the certificate authorities to trust for
        /// `https` URLs; when set, only these are trusted (as in Java). Unset: the
        /// system's roots.
        #[property(TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location", medium,
            display("Truststore Location"))]
        pub truststore_location: Option<String>,
        /// Password of the trust store (needed for JKS).
        #[property(TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password", medium,
            display("Truststore Password"))]
        pub truststore_password: Option<Secret>,
        /// Type of the trust store: `JKS`, `PKCS12` or `PEM` (the content decides when it
        /// is plainly one of them).
        #[property(TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type", default("JKS"),
            display("Truststore Type"), recommended(&["JKS", "PKCS12", "PEM"]))]
        pub truststore_type: String,
        /// Key store (JKS, PKCS12 or PEM) with this client's certificate and private key,
        /// for registries that require client certificates (mutual TLS).
        #[property(KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location", medium,
            display("Keystore Location"))]
        pub keystore_location: Option<String>,
        /// Password of the key store.
        #[property(KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password", medium,
            display("Keystore Password"))]
        pub keystore_password: Option<Secret>,
        /// Type of the key store: `JKS`, `PKCS12` or `PEM`.
        #[property(KEYSTORE_TYPE = "schema.registry.ssl.keystore.type", default("JKS"),
            display("Keystore Type"), recommended(&["JKS", "PKCS12", "PEM"]))]
        pub keystore_type: String,
        /// Password of the private key in the key store; unset: the key store's password.
        #[property(KEY_PASSWORD = "schema.registry.ssl.key.password", medium,
            display("Key Password"))]
        pub key_password: Option<Secret>,
        /// How long to wait for a connection to a registry URL, in milliseconds, before
        /// trying the next one.
        #[property(CONNECT_TIMEOUT = "http.connect.timeout.ms",
            default(Duration::from_secs(60)), display("Connect Timeout"))]
        pub connect_timeout: Duration,
        /// How long to wait for a registry's answer, in milliseconds, before trying the
        /// next URL.
        #[property(READ_TIMEOUT = "http.read.timeout.ms",
            default(Duration::from_secs(60)), display("Read Timeout"))]
        pub read_timeout: Duration,
    }
}

/// The declared properties, to include in a converter's own definition.
pub fn property_defs() -> Vec<PropertyDef> {
    RegistryProps::config_def().properties
}

/// The registry's property definitions as a [`ConfigDef`] of its own.
pub fn config_def() -> ConfigDef {
    RegistryProps::config_def()
}

/// Properties the client cannot work with. Names every property at fault as the user
/// wrote it (with the caller's prefix); never quotes a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.iter().map(|(p, m)| format!("`{p}`: {m}")).collect::<Vec<_>>().join("; "))]
pub struct ConfigError {
    /// Each property at fault (full name) and what is wrong with it.
    pub problems: Vec<(String, String)>,
}

impl ConfigError {
    fn one(prefix: &str, property: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            problems: vec![(format!("{prefix}{property}"), message.into())],
        }
    }

    /// The first property at fault.
    pub fn property(&self) -> &str {
        self.problems.first().map_or("", |(p, _)| p.as_str())
    }
}

/// One registry URL: where to send requests, and the credentials of its user info.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistryUrl {
    /// The URL without user info and without a trailing `/`: safe to print.
    pub base: String,
    /// `user:password` from the URL's user info, when there was one.
    pub user_info: Option<Secret>,
}

impl fmt::Debug for RegistryUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryUrl")
            .field("base", &self.base)
            .field("user_info", &self.user_info)
            .finish()
    }
}

/// HTTP basic auth for every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BasicAuth {
    /// No `Authorization` header.
    None,
    /// The same `user:password` for every URL (`USER_INFO`).
    UserInfo(Secret),
    /// Each URL's own user info, if it has one (`URL`).
    FromUrl,
}

/// The client certificate of mutual TLS, as PEM (key first). `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The PEM text: private key, then the certificate chain.
    pub pem: Secret,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientIdentity([hidden])")
    }
}

/// How `https` registries are trusted and how this client identifies itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// Trust only these certificate authorities (DER), from
    /// `schema.registry.ssl.truststore.*`; `None`: the system's roots.
    pub trusted: Option<Vec<Vec<u8>>>,
    /// The client certificate, from `schema.registry.ssl.keystore.*`.
    pub identity: Option<ClientIdentity>,
    /// The truststore property to name when a certificate is refused (full name).
    pub trust_property: Option<String>,
    /// The keystore property to name when the registry refuses this client's certificate.
    pub identity_property: Option<String>,
    /// The prefix of the user's property names (`value.converter.`), for hints about
    /// properties that are not set.
    pub prefix: String,
}

/// What the client runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// The URLs, in the order given (at least one).
    pub urls: Vec<RegistryUrl>,
    /// The basic auth credentials.
    pub auth: BasicAuth,
    /// TLS trust and identity.
    pub tls: TlsSettings,
    /// `http.connect.timeout.ms`.
    pub connect_timeout: Duration,
    /// `http.read.timeout.ms`: the whole request's deadline.
    pub read_timeout: Duration,
    /// The prefix the user's property names have (`value.converter.`), for messages.
    pub prefix: String,
}

impl RegistryConfig {
    /// Reads a converter's property group (prefix removed); `prefix` is put in front of
    /// property names in errors. Keys that are not the registry's are ignored: reporting
    /// them is the converter's job, against its own definition.
    pub fn from_props(
        props: &BTreeMap<String, String>,
        prefix: &str,
    ) -> Result<RegistryConfig, ConfigError> {
        let def = RegistryProps::config_def();
        let ours = |key: &str| {
            def.properties
                .iter()
                .any(|p| &*p.name == key || p.deprecated_aliases.iter().any(|a| a == key))
        };
        let raw = RawProperties::from_pairs(
            Origin::file("<schema registry properties>"),
            props
                .iter()
                .filter(|(k, _)| ours(k))
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        let mut problems = Problems::new();
        let parsed = sluice_config::validate(
            &def,
            &raw,
            Options {
                prefix,
                other_names: &[],
            },
            &mut problems,
        );
        match parsed {
            Some(parsed) => RegistryConfig::from_parsed(&parsed, prefix),
            None => Err(ConfigError {
                problems: problems
                    .errors()
                    .map(|p| (p.property.clone().unwrap_or_default(), p.message.clone()))
                    .collect(),
            }),
        }
    }

    /// From values validated against a definition that includes [`property_defs`] (a
    /// converter's own). Checks what no single property can: URLs, credentials, stores.
    pub fn from_parsed(parsed: &ParsedConfig, prefix: &str) -> Result<RegistryConfig, ConfigError> {
        RegistryConfig::new(RegistryProps::from_parsed(parsed), prefix)
    }

    /// From the declared properties.
    pub fn new(props: RegistryProps, prefix: &str) -> Result<RegistryConfig, ConfigError> {
        use names::*;
        let urls = props
            .url
            .iter()
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
            .map(|u| parse_url(u).map_err(|m| ConfigError::one(prefix, URL, m)))
            .collect::<Result<Vec<_>, _>>()?;
        if urls.is_empty() {
            return Err(ConfigError::one(
                prefix,
                URL,
                "no URL given: set it to the registry's URL, e.g. http://localhost:8081",
            ));
        }
        let auth = match props.credentials_source {
            CredentialsSource::SaslInherit => {
                return Err(ConfigError::one(
                    prefix,
                    CREDENTIALS_SOURCE,
                    "SASL_INHERIT is not supported by Sluice: set it to USER_INFO and put the \
                     credentials in basic.auth.user.info, or to URL and put them in the URLs",
                ));
            }
            CredentialsSource::UserInfo => match &props.user_info {
                Some(info) if info.expose().contains(':') => BasicAuth::UserInfo(info.clone()),
                Some(info) if !info.is_empty() => {
                    return Err(ConfigError::one(
                        prefix,
                        USER_INFO,
                        "must be `user:password` (the `:` is missing)",
                    ));
                }
                _ => {
                    return Err(ConfigError::one(
                        prefix,
                        USER_INFO,
                        "basic.auth.credentials.source is USER_INFO: set basic.auth.user.info \
                         to `user:password`",
                    ));
                }
            },
            CredentialsSource::Url => {
                if props.user_info.is_some() {
                    tracing::warn!(
                        property = %format!("{prefix}{USER_INFO}"),
                        "basic.auth.user.info is ignored: basic.auth.credentials.source is URL \
                         (the default); set it to USER_INFO to use it"
                    );
                }
                BasicAuth::FromUrl
            }
        };
        if !matches!(auth, BasicAuth::FromUrl) && urls.iter().any(|u| u.user_info.is_some()) {
            tracing::warn!(
                property = %format!("{prefix}{URL}"),
                "the user info in schema.registry.url is ignored: basic.auth.credentials.source \
                 is USER_INFO"
            );
        }
        let tls = tls_settings(&props, prefix)?;
        Ok(RegistryConfig {
            urls,
            auth,
            tls,
            connect_timeout: props.connect_timeout,
            read_timeout: props.read_timeout,
            prefix: prefix.to_owned(),
        })
    }

    /// The full name of property `name` (with the prefix), for messages.
    pub fn property(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

/// `http(s)://[user:password@]host[:port][/path]`, user info split off.
fn parse_url(text: &str) -> Result<RegistryUrl, String> {
    let (scheme, rest) = text.split_once("://").ok_or_else(|| {
        "each URL must start with http:// or https:// (e.g. http://localhost:8081)".to_owned()
    })?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "`{scheme}://` is not HTTP: each URL must start with http:// or https://"
        ));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (user_info, host) = match authority.rsplit_once('@') {
        Some((info, host)) => (Some(Secret::new(percent_decode(info))), host),
        None => (None, authority),
    };
    if host.is_empty() {
        // The text may hold credentials: not quoted.
        return Err("a URL has no host (expected http://host:port)".to_owned());
    }
    let base = format!("{scheme}://{host}{}", path.trim_end_matches('/'));
    reqwest::Url::parse(&base).map_err(|e| format!("`{base}` is not a valid URL: {e}"))?;
    Ok(RegistryUrl { base, user_info })
}

/// `%XX` escapes decoded, as in a URL's user info (`p%40ss` is `p@ss`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn tls_settings(props: &RegistryProps, prefix: &str) -> Result<TlsSettings, ConfigError> {
    use names::*;
    let store_error = |e: StoreError, location: &str, password: &str, kind: &str| {
        let property = match e.field {
            Field::Location => location,
            Field::Password => password,
            Field::Type => kind,
            Field::KeyPassword => KEY_PASSWORD,
        };
        ConfigError::one(prefix, property, e.message)
    };
    let mut tls = TlsSettings {
        prefix: prefix.to_owned(),
        ..TlsSettings::default()
    };
    if let Some(location) = &props.truststore_location {
        let err = |e| store_error(e, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE);
        let declared = StoreType::parse(Some(&props.truststore_type)).map_err(err)?;
        let bytes = sluice_keystore::read_file(location).map_err(err)?;
        let certificates = if sluice_keystore::is_pem(declared, &bytes) {
            pem_certificates(&bytes)
                .map_err(|m| ConfigError::one(prefix, TRUSTSTORE_LOCATION, m))?
        } else {
            sluice_keystore::trusted_certificates(
                &bytes,
                props.truststore_password.as_ref().map(Secret::expose),
            )
            .map_err(err)?
        };
        tls.trusted = Some(certificates);
        tls.trust_property = Some(format!("{prefix}{TRUSTSTORE_LOCATION}"));
    }
    if let Some(location) = &props.keystore_location {
        let err = |e| store_error(e, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE);
        let declared = StoreType::parse(Some(&props.keystore_type)).map_err(err)?;
        let bytes = sluice_keystore::read_file(location).map_err(err)?;
        let pem = if sluice_keystore::is_pem(declared, &bytes) {
            let text = String::from_utf8(bytes).map_err(|_| {
                ConfigError::one(prefix, KEYSTORE_LOCATION, "is not a PEM text file")
            })?;
            if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
                return Err(ConfigError::one(
                    prefix,
                    KEYSTORE_LOCATION,
                    "holds an encrypted PEM private key, which Sluice cannot decrypt: use a JKS \
                     or PKCS12 keystore, or decrypt the key (`openssl pkcs8 -topk8 -nocrypt`)",
                ));
            }
            if !text.contains("PRIVATE KEY-----") || !text.contains("-----BEGIN CERTIFICATE") {
                return Err(ConfigError::one(
                    prefix,
                    KEYSTORE_LOCATION,
                    "a PEM keystore must hold the private key and the client's certificate",
                ));
            }
            text
        } else {
            let store_password = props.keystore_password.as_ref().map(Secret::expose);
            let key_password = props.key_password.as_ref().map(Secret::expose);
            sluice_keystore::private_key(&bytes, store_password, key_password)
                .map_err(err)?
                .to_pem()
        };
        reqwest::Identity::from_pem(pem.as_bytes()).map_err(|e| {
            ConfigError::one(
                prefix,
                KEYSTORE_LOCATION,
                format!("the key and certificates cannot be used for TLS: {e}"),
            )
        })?;
        tls.identity = Some(ClientIdentity {
            pem: Secret::new(pem),
        });
        tls.identity_property = Some(format!("{prefix}{KEYSTORE_LOCATION}"));
    }
    Ok(tls)
}

/// The DER certificates of a PEM file (at least one), each checked to parse.
fn pem_certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;
    let mut out = Vec::new();
    for (i, cert) in CertificateDer::pem_slice_iter(bytes).enumerate() {
        let cert = cert.map_err(|e| format!("certificate {} is not valid PEM: {e}", i + 1))?;
        reqwest::Certificate::from_der(&cert)
            .map_err(|e| format!("certificate {} does not parse: {e}", i + 1))?;
        out.push(cert.to_vec());
    }
    if out.is_empty() {
        return Err(
            "holds no PEM certificate (expected -----BEGIN CERTIFICATE----- blocks)".into(),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "value.converter.";

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn error(pairs: &[(&str, &str)]) -> ConfigError {
        RegistryConfig::from_props(&props(pairs), PREFIX).unwrap_err()
    }

    #[test]
    fn urls_are_a_list_with_user_info_split_off() {
        let c = RegistryConfig::from_props(
            &props(&[
                (
                    "schema.registry.url",
                    "http://a:8081/, https://u:p%3Aw@b:8082/apis/ccompat/v7",
                ),
                // Another converter property: not the registry's, ignored here.
                ("auto.register.schemas", "false"),
            ]),
            PREFIX,
        )
        .unwrap();
        assert_eq!(
            c.urls.iter().map(|u| u.base.as_str()).collect::<Vec<_>>(),
            ["http://a:8081", "https://b:8082/apis/ccompat/v7"]
        );
        assert_eq!(c.urls[0].user_info, None);
        assert_eq!(c.urls[1].user_info.as_ref().unwrap().expose(), "u:p:w");
        assert_eq!(c.auth, BasicAuth::FromUrl);
        assert_eq!(c.connect_timeout, Duration::from_secs(60));
        assert!(c.tls.trusted.is_none() && c.tls.identity.is_none());
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("p%3Aw") && !shown.contains("u:p"),
            "{shown}"
        );
    }

    #[test]
    fn url_problems_name_the_prefixed_property() {
        let e = error(&[]);
        assert_eq!(e.property(), "value.converter.schema.registry.url");
        for bad in ["localhost:8081", "ftp://x", "http://user:secret@"] {
            let e = error(&[("schema.registry.url", bad)]);
            assert_eq!(e.property(), "value.converter.schema.registry.url", "{bad}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
        let e = error(&[("schema.registry.url", " , ")]);
        assert_eq!(e.property(), "value.converter.schema.registry.url");
    }

    #[test]
    fn user_info_credentials_and_their_alias() {
        let c = RegistryConfig::from_props(
            &props(&[
                ("schema.registry.url", "http://r:8081"),
                ("basic.auth.credentials.source", "user_info"),
                ("basic.auth.user.info", "alice:pw"),
            ]),
            PREFIX,
        )
        .unwrap();
        assert_eq!(c.auth, BasicAuth::UserInfo(Secret::new("alice:pw")));
        assert!(!format!("{c:?}").contains("alice"));
        // Confluent's older name is a deprecated alias.
        let c = RegistryConfig::from_props(
            &props(&[
                ("schema.registry.url", "http://r:8081"),
                ("basic.auth.credentials.source", "USER_INFO"),
                ("schema.registry.basic.auth.user.info", "bob:pw"),
            ]),
            PREFIX,
        )
        .unwrap();
        assert_eq!(c.auth, BasicAuth::UserInfo(Secret::new("bob:pw")));
    }

    #[test]
    fn credential_problems_name_the_property_without_the_secret() {
        let e = error(&[
            ("schema.registry.url", "http://r:8081"),
            ("basic.auth.credentials.source", "USER_INFO"),
        ]);
        assert_eq!(e.property(), "value.converter.basic.auth.user.info");
        let e = error(&[
            ("schema.registry.url", "http://r:8081"),
            ("basic.auth.credentials.source", "USER_INFO"),
            ("basic.auth.user.info", "no-colon-secret"),
        ]);
        assert_eq!(e.property(), "value.converter.basic.auth.user.info");
        assert!(!e.to_string().contains("no-colon-secret"), "{e}");
        let e = error(&[
            ("schema.registry.url", "http://r:8081"),
            ("basic.auth.credentials.source", "SASL_INHERIT"),
        ]);
        assert_eq!(
            e.property(),
            "value.converter.basic.auth.credentials.source"
        );
        assert!(e.to_string().contains("not supported"), "{e}");
        let e = error(&[
            ("schema.registry.url", "http://r:8081"),
            ("basic.auth.credentials.source", "KERBEROS"),
        ]);
        assert_eq!(
            e.property(),
            "value.converter.basic.auth.credentials.source"
        );
    }

    #[test]
    fn store_problems_name_the_store_property() {
        let e = error(&[
            ("schema.registry.url", "https://r:8081"),
            (
                "schema.registry.ssl.truststore.location",
                "/nonexistent/t.jks",
            ),
            ("schema.registry.ssl.truststore.password", "store-secret"),
        ]);
        assert_eq!(
            e.property(),
            "value.converter.schema.registry.ssl.truststore.location"
        );
        assert!(
            e.to_string().contains("cannot read /nonexistent/t.jks"),
            "{e}"
        );
        assert!(!e.to_string().contains("store-secret"), "{e}");
        let e = error(&[
            ("schema.registry.url", "https://r:8081"),
            ("schema.registry.ssl.keystore.location", "/k.jks"),
            ("schema.registry.ssl.keystore.type", "BCFKS"),
        ]);
        assert_eq!(
            e.property(),
            "value.converter.schema.registry.ssl.keystore.type"
        );
        let e = error(&[
            ("schema.registry.url", "https://r:8081"),
            ("http.read.timeout.ms", "-1"),
        ]);
        assert_eq!(e.property(), "value.converter.http.read.timeout.ms");
    }

    #[test]
    fn a_pem_truststore_is_read_and_checked() {
        let dir = std::env::temp_dir().join(format!("sluice-sr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificates here\n").unwrap();
        let e = error(&[
            ("schema.registry.url", "https://r:8081"),
            ("schema.registry.ssl.truststore.type", "PEM"),
            (
                "schema.registry.ssl.truststore.location",
                empty.to_str().unwrap(),
            ),
        ]);
        assert_eq!(
            e.property(),
            "value.converter.schema.registry.ssl.truststore.location"
        );
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
        let key = dir.join("key.pem");
        std::fs::write(
            &key,
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        )
        .unwrap();
        let e = error(&[
            ("schema.registry.url", "https://r:8081"),
            (
                "schema.registry.ssl.keystore.location",
                key.to_str().unwrap(),
            ),
        ]);
        assert_eq!(
            e.property(),
            "value.converter.schema.registry.ssl.keystore.location"
        );
        assert!(e.to_string().contains("encrypted PEM private key"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_declared_properties_are_the_readme_s_and_confluent_s() {
        let def = config_def();
        for name in [
            "schema.registry.url",
            "basic.auth.credentials.source",
            "basic.auth.user.info",
            "schema.registry.ssl.truststore.location",
            "schema.registry.ssl.truststore.password",
            "schema.registry.ssl.truststore.type",
            "schema.registry.ssl.keystore.location",
            "schema.registry.ssl.keystore.password",
            "schema.registry.ssl.keystore.type",
            "schema.registry.ssl.key.password",
        ] {
            assert!(def.get(name).is_some(), "{name}");
        }
        assert_eq!(property_defs().len(), names::ALL.len());
        let user_info = def.get(names::USER_INFO).unwrap();
        assert_eq!(user_info.ty, sluice_config::PropertyType::Password);
        assert!(
            user_info
                .deprecated_aliases
                .iter()
                .any(|a| a == "schema.registry.basic.auth.user.info")
        );
    }
}
