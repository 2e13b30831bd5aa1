//! Kafka's Java client security properties, as users of Kafka Connect (and of the
//! Kinetica connector's README) write them, translated for librdkafka — in one place,
//! for the source's consumers and for every producer (dead letter queues included).
//!
//! librdkafka refuses Java's names (`ssl.truststore.location`, `sasl.jaas.config`, …) and
//! takes PEM where Java takes JKS or PKCS12 stores, so:
//!
//! | Java client | librdkafka |
//! |---|---|
//! | `security.protocol` | the same (`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT`, `SASL_SSL`) |
//! | `ssl.truststore.location` + `.password` + `.type` (JKS, PKCS12, PEM) | `ssl.ca.pem` (every certificate in the store), or `ssl.ca.location` for a PEM file |
//! | `ssl.truststore.certificates` (PEM text) | `ssl.ca.pem` |
//! | `ssl.keystore.location` + `.password` + `.type`, `ssl.key.password` | `ssl.certificate.pem` + `ssl.key.pem` (the key decrypted, in memory only) |
//! | `ssl.keystore.certificate.chain` + `ssl.keystore.key` (PEM text) | `ssl.certificate.pem` + `ssl.key.pem` (+ `ssl.key.password`) |
//! | `ssl.endpoint.identification.algorithm` (`https`, empty) | the same, `https` or `none` |
//! | `sasl.mechanism` | `sasl.mechanisms` |
//! | `sasl.jaas.config` (`PlainLoginModule`, `ScramLoginModule`) | `sasl.username` + `sasl.password` |
//!
//! As in Java, SSL settings count only when `security.protocol` is `SSL` or `SASL_SSL`,
//! and SASL settings only when it is `SASL_PLAINTEXT` or `SASL_SSL`. Java-only tuning
//! knobs with no librdkafka counterpart (`ssl.protocol`, `ssl.enabled.protocols`,
//! `ssl.keymanager.algorithm`, `sasl.login.*`, …) are dropped and named in a warning.
//! librdkafka's own names pass through unchanged; giving both a Java name and the
//! librdkafka name it becomes is an error.
//!
//! Nothing here ever puts a value into an error, a log line or `Debug` output: errors
//! name the property and say what is wrong with it.

use std::collections::BTreeMap;
use std::fmt;

use sluice_keystore::{Field, StoreError, StoreType, pem};

/// A security property that cannot be translated for librdkafka. Names the property
/// (without the `consumer.`/`producer.` prefix), never quotes its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{property}`: {message}")]
pub struct SecurityError {
    /// The property to change, as the user named it (e.g. `sasl.jaas.config`).
    pub property: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl SecurityError {
    fn new(property: &str, message: impl Into<String>) -> SecurityError {
        SecurityError {
            property: property.to_owned(),
            message: message.into(),
        }
    }
}

/// librdkafka's properties for one client, from properties that may use Java's names.
pub(crate) struct Translated {
    /// What to hand to librdkafka.
    pub properties: BTreeMap<String, String>,
    /// Java-only properties that librdkafka has no use for, dropped (names only).
    pub ignored: Vec<String>,
}

impl fmt::Debug for Translated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values are secrets (passwords, keys): only the names.
        f.debug_struct("Translated")
            .field("properties", &self.properties.keys().collect::<Vec<_>>())
            .field("ignored", &self.ignored)
            .finish()
    }
}

/// Which property to name when the broker refuses a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blame {
    /// The property that configured the certificates trusted for the broker's, e.g.
    /// `ssl.truststore.location`; `None` when the system's CAs were used.
    pub trust: Option<&'static str>,
    /// The property that holds the SASL credentials, e.g. `sasl.jaas.config`.
    pub credentials: Option<&'static str>,
    /// The property of this client's own certificate (mutual TLS), if any.
    pub client_certificate: Option<&'static str>,
}

/// Which of the properties to name when a TLS handshake or a SASL authentication fails.
pub(crate) fn blame(properties: &BTreeMap<String, String>) -> Blame {
    let first = |keys: &[&'static str]| keys.iter().copied().find(|k| properties.contains_key(*k));
    Blame {
        trust: first(&[
            TRUSTSTORE_LOCATION,
            TRUSTSTORE_CERTIFICATES,
            "ssl.ca.location",
            "ssl.ca.pem",
        ]),
        credentials: first(&[JAAS, "sasl.password", "sasl.username"]),
        client_certificate: first(&[
            KEYSTORE_LOCATION,
            KEYSTORE_CHAIN,
            "ssl.certificate.location",
            "ssl.certificate.pem",
        ]),
    }
}

/// Whether the client will use TLS or SASL (so that a connection check is worth making).
pub(crate) fn is_secured(properties: &BTreeMap<String, String>) -> bool {
    let protocol = Protocol::of(properties);
    protocol.ssl || protocol.sasl
}

const PROTOCOL: &str = "security.protocol";
const TRUSTSTORE_LOCATION: &str = "ssl.truststore.location";
const TRUSTSTORE_PASSWORD: &str = "ssl.truststore.password";
const TRUSTSTORE_TYPE: &str = "ssl.truststore.type";
const TRUSTSTORE_CERTIFICATES: &str = "ssl.truststore.certificates";
const KEYSTORE_LOCATION: &str = "ssl.keystore.location";
const KEYSTORE_PASSWORD: &str = "ssl.keystore.password";
const KEYSTORE_TYPE: &str = "ssl.keystore.type";
const KEYSTORE_CHAIN: &str = "ssl.keystore.certificate.chain";
const KEYSTORE_KEY: &str = "ssl.keystore.key";
const KEY_PASSWORD: &str = "ssl.key.password";
const ENDPOINT: &str = "ssl.endpoint.identification.algorithm";
const MECHANISM: &str = "sasl.mechanism";
const MECHANISMS: &str = "sasl.mechanisms";
const JAAS: &str = "sasl.jaas.config";

/// Java client properties (and prefixes, ending in `.`) that tune the JVM's TLS or login
/// machinery and have no librdkafka counterpart: dropped with a warning.
const JAVA_ONLY: &[&str] = &[
    "ssl.protocol",
    "ssl.enabled.protocols",
    "ssl.keymanager.algorithm",
    "ssl.trustmanager.algorithm",
    "ssl.secure.random.implementation",
    "ssl.provider",
    "ssl.engine.factory.class",
    "sasl.login.",
    "sasl.client.callback.handler.class",
    "sasl.kerberos.ticket.renew.window.factor",
    "sasl.kerberos.ticket.renew.jitter",
];

/// `security.protocol`, as far as it matters here.
struct Protocol {
    ssl: bool,
    sasl: bool,
}

impl Protocol {
    fn of(properties: &BTreeMap<String, String>) -> Protocol {
        let protocol = properties
            .get(PROTOCOL)
            .map(|p| p.trim().to_ascii_uppercase())
            .unwrap_or_default();
        Protocol {
            ssl: protocol == "SSL" || protocol == "SASL_SSL",
            sasl: protocol.starts_with("SASL_"),
        }
    }
}

/// Translates Java's security properties in `input` into librdkafka's; every other
/// property is kept as it is.
pub(crate) fn translate(input: &BTreeMap<String, String>) -> Result<Translated, SecurityError> {
    let protocol = Protocol::of(input);
    let mut out = BTreeMap::new();
    let mut ignored = Vec::new();
    let uses_keystore = input.contains_key(KEYSTORE_LOCATION) || input.contains_key(KEYSTORE_KEY);
    for (key, value) in input {
        let key = key.as_str();
        let java_ssl = matches!(
            key,
            TRUSTSTORE_LOCATION
                | TRUSTSTORE_PASSWORD
                | TRUSTSTORE_TYPE
                | TRUSTSTORE_CERTIFICATES
                | KEYSTORE_LOCATION
                | KEYSTORE_PASSWORD
                | KEYSTORE_TYPE
                | KEYSTORE_CHAIN
                | KEYSTORE_KEY
        ) || (key == KEY_PASSWORD && uses_keystore);
        if java_ssl || key == JAAS || key == MECHANISM {
            // Translated below, together with the properties that go with them.
        } else if key == ENDPOINT {
            let value = match value.trim().to_ascii_lowercase().as_str() {
                "" | "none" => "none",
                "https" => "https",
                _ => {
                    return Err(SecurityError::new(
                        ENDPOINT,
                        "must be `https` (check that the broker's certificate names the \
                         host connected to) or empty (do not check)",
                    ));
                }
            };
            out.insert(key.to_owned(), value.to_owned());
        } else if JAVA_ONLY.iter().any(|p| {
            if p.ends_with('.') {
                key.starts_with(p)
            } else {
                key == *p
            }
        }) {
            ignored.push(key.to_owned());
        } else {
            out.insert(key.to_owned(), value.clone());
        }
    }

    if protocol.sasl {
        translate_sasl(input, &mut out)?;
    } else {
        ignored.extend(
            [MECHANISM, JAAS]
                .iter()
                .filter(|k| input.contains_key(**k))
                .map(|k| k.to_string()),
        );
    }
    if protocol.ssl {
        translate_trust(input, &mut out)?;
        translate_keystore(input, &mut out)?;
    } else {
        ignored.extend(
            input
                .keys()
                .filter(|k| {
                    k.starts_with("ssl.")
                        && (k.contains("truststore") || k.contains("keystore"))
                        && !out.contains_key(*k)
                })
                .cloned(),
        );
        if uses_keystore && input.contains_key(KEY_PASSWORD) {
            // The password of a key in a keystore that is not used.
            ignored.push(KEY_PASSWORD.to_owned());
        }
    }
    ignored.sort();
    ignored.dedup();
    Ok(Translated {
        properties: out,
        ignored,
    })
}

/// Errors when both a Java property and the librdkafka property it becomes are set.
fn not_both(
    input: &BTreeMap<String, String>,
    java: &str,
    native: &[&str],
) -> Result<(), SecurityError> {
    if let Some(n) = native.iter().find(|n| input.contains_key(**n)) {
        return Err(SecurityError::new(
            java,
            format!("set either `{java}` (Kafka's Java name) or `{n}` (librdkafka's), not both"),
        ));
    }
    Ok(())
}

fn translate_sasl(
    input: &BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) -> Result<(), SecurityError> {
    let mechanism = match (input.get(MECHANISM), input.get(MECHANISMS)) {
        (Some(_), Some(_)) => {
            return Err(SecurityError::new(
                MECHANISM,
                "set either `sasl.mechanism` (Kafka's Java name) or `sasl.mechanisms` \
                 (librdkafka's), not both",
            ));
        }
        (Some(m), None) => {
            let m = m.trim().to_ascii_uppercase();
            out.insert(MECHANISMS.to_owned(), m.clone());
            Some(m)
        }
        (None, Some(m)) => Some(m.trim().to_ascii_uppercase()),
        (None, None) => None,
    };
    let Some(jaas) = input.get(JAAS) else {
        return Ok(());
    };
    not_both(input, JAAS, &["sasl.username", "sasl.password"])?;
    let entry = parse_jaas(jaas).map_err(|message| SecurityError::new(JAAS, message))?;
    let module = entry.module.rsplit('.').next().unwrap_or_default();
    let (expected, mechanism): (&[&str], String) = match module {
        "PlainLoginModule" => (
            &["PLAIN"],
            // Kafka's default mechanism is GSSAPI, which PlainLoginModule cannot serve;
            // a user who wrote PlainLoginModule means PLAIN.
            mechanism.unwrap_or_else(|| {
                out.insert(MECHANISMS.to_owned(), "PLAIN".to_owned());
                "PLAIN".to_owned()
            }),
        ),
        "ScramLoginModule" => match mechanism {
            Some(m) => (&["SCRAM-SHA-256", "SCRAM-SHA-512"], m),
            None => {
                return Err(SecurityError::new(
                    MECHANISM,
                    "sasl.jaas.config uses ScramLoginModule: set sasl.mechanism to \
                     SCRAM-SHA-256 or SCRAM-SHA-512",
                ));
            }
        },
        _ => {
            return Err(SecurityError::new(
                JAAS,
                format!(
                    "login module `{}` is not supported: Sluice (librdkafka) takes \
                     org.apache.kafka.common.security.plain.PlainLoginModule and \
                     org.apache.kafka.common.security.scram.ScramLoginModule; for GSSAPI or \
                     OAUTHBEARER use librdkafka's own `sasl.kerberos.*` / \
                     `sasl.oauthbearer.*` properties instead of sasl.jaas.config",
                    entry.module
                ),
            ));
        }
    };
    if !expected.contains(&mechanism.as_str()) {
        return Err(SecurityError::new(
            JAAS,
            format!(
                "login module {module} does not serve sasl.mechanism={mechanism} (it serves {})",
                expected.join(", ")
            ),
        ));
    }
    for (name, _) in &entry.options {
        match name.as_str() {
            "username" | "password" => {}
            "tokenauth" => {
                return Err(SecurityError::new(
                    JAAS,
                    "tokenauth (delegation tokens) is not supported by librdkafka",
                ));
            }
            other => tracing::warn!(
                property = JAAS,
                "sasl.jaas.config option `{other}` has no librdkafka counterpart; ignored"
            ),
        }
    }
    for option in ["username", "password"] {
        let value = entry
            .options
            .iter()
            .find(|(n, _)| n == option)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                SecurityError::new(
                    JAAS,
                    format!("{module} needs {option}=\"…\" (e.g. `{module} required username=\"alice\" password=\"…\";`)"),
                )
            })?;
        out.insert(format!("sasl.{option}"), value.clone());
    }
    Ok(())
}

/// One login module entry of a JAAS configuration.
#[derive(PartialEq, Eq)]
pub(crate) struct JaasEntry {
    /// The login module's class name.
    pub module: String,
    /// `required`, `requisite`, `sufficient` or `optional`.
    pub flag: String,
    /// Options in the order written.
    pub options: Vec<(String, String)>,
}

impl fmt::Debug for JaasEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Option values are passwords: only their names.
        f.debug_struct("JaasEntry")
            .field("module", &self.module)
            .field("flag", &self.flag)
            .field(
                "options",
                &self.options.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Parses `sasl.jaas.config` as Kafka's `JaasConfig` does: exactly one
/// `<LoginModule> <flag> name=value … ;` entry, values quoted (`"…"` or `'…'`, with `\`
/// escapes as in Java's `StreamTokenizer`) or bare words, `//` and `/* */` comments.
/// Errors never quote the text (it holds a password).
pub(crate) fn parse_jaas(text: &str) -> Result<JaasEntry, String> {
    let tokens = tokenize(text)?;
    let mut tokens = tokens.into_iter().peekable();
    let word = |t: Option<Token>, what: &str| match t {
        Some(Token::Word(w)) => Ok(w),
        Some(_) => Err(format!(
            "expected {what}; the format is `<LoginModule class> required username=\"…\" password=\"…\";`"
        )),
        None => Err(format!(
            "expected {what}; the format is `<LoginModule class> required username=\"…\" password=\"…\";`"
        )),
    };
    let module = word(tokens.next(), "a login module class name")?;
    let flag = word(
        tokens.next(),
        "a control flag after the login module (`required`)",
    )?;
    if !["required", "requisite", "sufficient", "optional"]
        .contains(&flag.to_ascii_lowercase().as_str())
    {
        return Err("the login module must be followed by its control flag, `required`".to_owned());
    }
    let mut options = Vec::new();
    loop {
        match tokens.next() {
            Some(Token::Semicolon) => break,
            Some(Token::Word(name)) => {
                if tokens.next() != Some(Token::Equals) {
                    return Err(format!(
                        "option `{name}` must be followed by `=` and a value"
                    ));
                }
                let (Some(Token::Word(value)) | Some(Token::Quoted(value))) = tokens.next() else {
                    return Err(format!("option `{name}` has no value after `=`"));
                };
                options.push((name, value));
            }
            Some(_) => {
                return Err(
                    "expected `name=value` options or the closing `;`; quote values with \
                     double quotes"
                        .to_owned(),
                );
            }
            None => {
                return Err(
                    "must end with `;` (e.g. `… password=\"…\";`), as Kafka requires".to_owned(),
                );
            }
        }
    }
    if tokens.peek().is_some() {
        return Err(
            "must hold exactly one login module entry; text follows the first `;`".to_owned(),
        );
    }
    Ok(JaasEntry {
        module,
        flag,
        options,
    })
}

#[derive(PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Equals,
    Semicolon,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '=' => tokens.push(Token::Equals),
            ';' => tokens.push(Token::Semicolon),
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = ' ';
                loop {
                    match chars.next() {
                        Some('/') if previous == '*' => break,
                        Some(c) => previous = c,
                        None => return Err("a `/*` comment is not closed".to_owned()),
                    }
                }
            }
            '"' | '\'' => {
                let quote = c;
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some(c) if c == quote => break,
                        Some('\\') => match chars.next() {
                            Some('n') => value.push('\n'),
                            Some('t') => value.push('\t'),
                            Some('r') => value.push('\r'),
                            Some('b') => value.push('\u{8}'),
                            Some('f') => value.push('\u{c}'),
                            Some(other) => value.push(other),
                            None => return Err("a quoted value is not closed".to_owned()),
                        },
                        // Java's StreamTokenizer ends a quoted string at the line's end.
                        Some('\n') | Some('\r') | None => {
                            return Err(format!("a quoted value is not closed (missing {quote})"));
                        }
                        Some(c) => value.push(c),
                    }
                }
                tokens.push(Token::Quoted(value));
            }
            c => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if next.is_whitespace() || matches!(next, '=' | ';' | '"' | '\'') {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

/// The store type declared by `key` (JKS when unset).
fn store_type(input: &BTreeMap<String, String>, key: &str) -> Result<StoreType, SecurityError> {
    StoreType::parse(input.get(key).map(String::as_str))
        .map_err(|e| SecurityError::new(key, e.message))
}

/// A store error, naming the property of the truststore (or keystore) it is about.
fn store_error(e: StoreError, keys: &StoreKeys) -> SecurityError {
    let property = match e.field {
        Field::Location => keys.location,
        Field::Password => keys.password,
        Field::Type => keys.kind,
        Field::KeyPassword => KEY_PASSWORD,
    };
    SecurityError::new(property, e.message)
}

/// The property names of one store.
struct StoreKeys {
    location: &'static str,
    password: &'static str,
    kind: &'static str,
}

const TRUSTSTORE: StoreKeys = StoreKeys {
    location: TRUSTSTORE_LOCATION,
    password: TRUSTSTORE_PASSWORD,
    kind: TRUSTSTORE_TYPE,
};

const KEYSTORE: StoreKeys = StoreKeys {
    location: KEYSTORE_LOCATION,
    password: KEYSTORE_PASSWORD,
    kind: KEYSTORE_TYPE,
};

fn translate_trust(
    input: &BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) -> Result<(), SecurityError> {
    if let Some(pem) = input.get(TRUSTSTORE_CERTIFICATES) {
        not_both(
            input,
            TRUSTSTORE_CERTIFICATES,
            &["ssl.ca.location", "ssl.ca.pem", TRUSTSTORE_LOCATION],
        )?;
        out.insert("ssl.ca.pem".to_owned(), pem.clone());
        return Ok(());
    }
    let Some(location) = input.get(TRUSTSTORE_LOCATION) else {
        return Ok(());
    };
    not_both(
        input,
        TRUSTSTORE_LOCATION,
        &["ssl.ca.location", "ssl.ca.pem"],
    )?;
    let declared = store_type(input, TRUSTSTORE_TYPE)?;
    let bytes = sluice_keystore::read_file(location).map_err(|e| store_error(e, &TRUSTSTORE))?;
    if sluice_keystore::is_pem(declared, &bytes) {
        // librdkafka reads a PEM file itself.
        out.insert("ssl.ca.location".to_owned(), location.clone());
        return Ok(());
    }
    let certificates = sluice_keystore::trusted_certificates(
        &bytes,
        input.get(TRUSTSTORE_PASSWORD).map(String::as_str),
    )
    .map_err(|e| store_error(e, &TRUSTSTORE))?;
    let pem: String = certificates
        .iter()
        .map(|der| pem("CERTIFICATE", der))
        .collect();
    out.insert("ssl.ca.pem".to_owned(), pem);
    Ok(())
}

fn translate_keystore(
    input: &BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) -> Result<(), SecurityError> {
    if let Some(chain) = input.get(KEYSTORE_CHAIN) {
        not_both(
            input,
            KEYSTORE_CHAIN,
            &[
                "ssl.certificate.location",
                "ssl.certificate.pem",
                KEYSTORE_LOCATION,
            ],
        )?;
        let key = input.get(KEYSTORE_KEY).ok_or_else(|| {
            SecurityError::new(
                KEYSTORE_KEY,
                "ssl.keystore.certificate.chain needs ssl.keystore.key (the private key, PEM)",
            )
        })?;
        out.insert("ssl.certificate.pem".to_owned(), chain.clone());
        out.insert("ssl.key.pem".to_owned(), key.clone());
        if let Some(password) = input.get(KEY_PASSWORD) {
            out.insert(KEY_PASSWORD.to_owned(), password.clone());
        }
        return Ok(());
    }
    if input.contains_key(KEYSTORE_KEY) {
        return Err(SecurityError::new(
            KEYSTORE_CHAIN,
            "ssl.keystore.key needs ssl.keystore.certificate.chain (the certificates, PEM)",
        ));
    }
    let Some(location) = input.get(KEYSTORE_LOCATION) else {
        return Ok(());
    };
    not_both(
        input,
        KEYSTORE_LOCATION,
        &[
            "ssl.certificate.location",
            "ssl.certificate.pem",
            "ssl.key.location",
            "ssl.key.pem",
        ],
    )?;
    let declared = store_type(input, KEYSTORE_TYPE)?;
    let bytes = sluice_keystore::read_file(location).map_err(|e| store_error(e, &KEYSTORE))?;
    if sluice_keystore::is_pem(declared, &bytes) {
        // One PEM file with the key and the certificates: librdkafka picks each out.
        out.insert("ssl.certificate.location".to_owned(), location.clone());
        out.insert("ssl.key.location".to_owned(), location.clone());
        if let Some(password) = input.get(KEY_PASSWORD) {
            out.insert(KEY_PASSWORD.to_owned(), password.clone());
        }
        return Ok(());
    }
    let store_password = input.get(KEYSTORE_PASSWORD).map(String::as_str);
    let key_password = input
        .get(KEY_PASSWORD)
        .map(String::as_str)
        .or(store_password);
    let key = sluice_keystore::private_key(&bytes, store_password, key_password)
        .map_err(|e| store_error(e, &KEYSTORE))?;
    out.insert(
        "ssl.certificate.pem".to_owned(),
        key.chain
            .iter()
            .map(|der| pem("CERTIFICATE", der))
            .collect(),
    );
    out.insert("ssl.key.pem".to_owned(), pem("PRIVATE KEY", &key.pkcs8));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn jaas_with_quotes_escapes_and_comments_is_parsed() {
        let entry = parse_jaas(
            r#"org.apache.kafka.common.security.plain.PlainLoginModule required
               /* who */ username="al\"ice" // the user
               password='p;w=1\\2' extra=bare;"#,
        )
        .unwrap();
        assert_eq!(
            entry.module,
            "org.apache.kafka.common.security.plain.PlainLoginModule"
        );
        assert_eq!(entry.flag, "required");
        assert_eq!(
            entry.options,
            [
                ("username".to_string(), "al\"ice".to_string()),
                ("password".to_string(), "p;w=1\\2".to_string()),
                ("extra".to_string(), "bare".to_string()),
            ]
        );
        let shown = format!("{entry:?}");
        assert!(!shown.contains("p;w"), "{shown}");
    }

    #[test]
    fn malformed_jaas_is_refused_without_quoting_it() {
        for (text, expected) in [
            (
                r#"org.x.PlainLoginModule required username="u" password="secret""#,
                "must end with `;`",
            ),
            (r#"org.x.PlainLoginModule username="u";"#, "control flag"),
            (
                r#"org.x.PlainLoginModule required password="secret;"#,
                "not closed",
            ),
            (
                r#"a.PlainLoginModule required; b.PlainLoginModule required;"#,
                "exactly one",
            ),
            (r#"org.x.PlainLoginModule required password;"#, "`=`"),
            ("", "login module class name"),
        ] {
            let error = parse_jaas(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(!error.contains("secret"), "{error}");
        }
    }

    #[test]
    fn the_readme_sasl_settings_become_librdkafka_properties() {
        let t = translate(&props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "PLAIN"),
            (
                "sasl.jaas.config",
                r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="key" password="se\"cret";"#,
            ),
            ("ssl.endpoint.identification.algorithm", "https"),
            ("fetch.min.bytes", "1"),
        ]))
        .unwrap();
        assert_eq!(
            t.properties,
            props(&[
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanisms", "PLAIN"),
                ("sasl.username", "key"),
                ("sasl.password", "se\"cret"),
                ("ssl.endpoint.identification.algorithm", "https"),
                ("fetch.min.bytes", "1"),
            ])
        );
        assert!(t.ignored.is_empty());
        assert!(!format!("{t:?}").contains("se\"cret"));
    }

    #[test]
    fn scram_needs_a_matching_mechanism() {
        let scram = r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";"#;
        let t = translate(&props(&[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", "scram-sha-512"),
            ("sasl.jaas.config", scram),
        ]))
        .unwrap();
        assert_eq!(t.properties["sasl.mechanisms"], "SCRAM-SHA-512");
        assert_eq!(t.properties["sasl.username"], "u");
        let e = translate(&props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.jaas.config", scram),
        ]))
        .unwrap_err();
        assert_eq!(e.property, "sasl.mechanism");
        let e = translate(&props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "PLAIN"),
            ("sasl.jaas.config", scram),
        ]))
        .unwrap_err();
        assert_eq!(e.property, "sasl.jaas.config");
        assert!(e.message.contains("does not serve"), "{e}");
        // PlainLoginModule alone means PLAIN.
        let t = translate(&props(&[
            ("security.protocol", "SASL_SSL"),
            (
                "sasl.jaas.config",
                r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";"#,
            ),
        ]))
        .unwrap();
        assert_eq!(t.properties["sasl.mechanisms"], "PLAIN");
    }

    #[test]
    fn unsupported_login_modules_name_the_property() {
        let e = translate(&props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "OAUTHBEARER"),
            (
                "sasl.jaas.config",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;",
            ),
        ]))
        .unwrap_err();
        assert_eq!(e.property, "sasl.jaas.config");
        assert!(
            e.message
                .contains("OAuthBearerLoginModule` is not supported"),
            "{e}"
        );
        let e = translate(&props(&[
            ("security.protocol", "SASL_SSL"),
            (
                "sasl.jaas.config",
                r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="u";"#,
            ),
        ]))
        .unwrap_err();
        assert!(e.message.contains("needs password"), "{e}");
    }

    #[test]
    fn native_names_pass_through_and_doubles_are_refused() {
        let native = props(&[
            ("security.protocol", "sasl_ssl"),
            ("sasl.mechanisms", "PLAIN"),
            ("sasl.username", "u"),
            ("sasl.password", "p"),
            ("ssl.ca.location", "/etc/ca.pem"),
            ("ssl.key.location", "/etc/key.pem"),
            ("ssl.key.password", "kp"),
        ]);
        assert_eq!(translate(&native).unwrap().properties, native);
        let mut both = native.clone();
        both.insert("sasl.jaas.config".into(), "x required;".into());
        assert!(translate(&both).unwrap_err().message.contains("not both"));
        let mut both = native.clone();
        both.insert("ssl.truststore.location".into(), "/t.jks".into());
        let e = translate(&both).unwrap_err();
        assert_eq!(e.property, "ssl.truststore.location");
        assert!(e.message.contains("`ssl.ca.location`"), "{e}");
    }

    #[test]
    fn java_only_and_unused_settings_are_dropped_by_name() {
        let t = translate(&props(&[
            ("security.protocol", "PLAINTEXT"),
            ("ssl.truststore.location", "/nonexistent.jks"),
            ("ssl.truststore.password", "pw"),
            ("sasl.jaas.config", "broken"),
            ("ssl.enabled.protocols", "TLSv1.3"),
            ("sasl.login.refresh.window.factor", "0.8"),
            ("ssl.endpoint.identification.algorithm", ""),
        ]))
        .unwrap();
        assert_eq!(
            t.properties,
            props(&[
                ("security.protocol", "PLAINTEXT"),
                ("ssl.endpoint.identification.algorithm", "none"),
            ])
        );
        assert_eq!(
            t.ignored,
            [
                "sasl.jaas.config",
                "sasl.login.refresh.window.factor",
                "ssl.enabled.protocols",
                "ssl.truststore.location",
                "ssl.truststore.password"
            ]
        );
    }

    #[test]
    fn truststore_problems_name_the_property() {
        let e = translate(&props(&[
            ("security.protocol", "SSL"),
            ("ssl.truststore.location", "/nonexistent/truststore.jks"),
        ]))
        .unwrap_err();
        assert_eq!(e.property, "ssl.truststore.location");
        assert!(e.message.contains("cannot read"), "{e}");
        let e = translate(&props(&[
            ("security.protocol", "SSL"),
            ("ssl.truststore.type", "BCFKS"),
            ("ssl.truststore.location", "/x"),
        ]))
        .unwrap_err();
        assert_eq!(e.property, "ssl.truststore.type");
        let e = translate(&props(&[
            ("security.protocol", "SSL"),
            ("ssl.endpoint.identification.algorithm", "http"),
        ]))
        .unwrap_err();
        assert_eq!(e.property, "ssl.endpoint.identification.algorithm");
    }

    #[test]
    fn a_pem_truststore_is_read_by_librdkafka_itself() {
        let dir = std::env::temp_dir().join(format!("sluice-sec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, pem("CERTIFICATE", b"not really")).unwrap();
        let t = translate(&props(&[
            ("security.protocol", "SSL"),
            ("ssl.truststore.type", "PEM"),
            ("ssl.truststore.location", ca.to_str().unwrap()),
        ]))
        .unwrap();
        assert_eq!(t.properties["ssl.ca.location"], ca.to_str().unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_output_hides_secrets() {
        let shown = format!(
            "{:?}",
            sluice_config::secret::RedactedProperties(&props(&[
                ("sasl.jaas.config", "x password=\"pw1\";"),
                ("ssl.truststore.password", "pw2"),
                ("ssl.key.pem", "pw3"),
                ("sasl.password", "pw4"),
                ("client.id", "visible"),
            ]))
        );
        assert!(!shown.contains("pw"), "{shown}");
        assert!(shown.contains("visible"), "{shown}");
    }

    #[test]
    fn blame_names_what_the_user_set() {
        let b = blame(&props(&[
            ("ssl.truststore.location", "/t"),
            ("sasl.jaas.config", "x"),
        ]));
        assert_eq!(b.trust, Some("ssl.truststore.location"));
        assert_eq!(b.credentials, Some("sasl.jaas.config"));
        assert_eq!(b.client_certificate, None);
        assert!(!is_secured(&props(&[("security.protocol", "plaintext")])));
        assert!(is_secured(&props(&[(
            "security.protocol",
            "sasl_plaintext"
        )])));
    }
}
