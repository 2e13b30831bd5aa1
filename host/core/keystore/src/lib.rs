//! Java's trust and key stores (JKS, PKCS12, PEM files), read for clients that take DER
//! or PEM: librdkafka (`sluice-kafka`'s security translation) and rustls
//! (`sluice-schema-registry`'s HTTPS client). Users of Java clients configure TLS with
//! `*.truststore.location` / `.password` / `.type` and `*.keystore.location` /
//! `.password` / `.type` / `*.key.password`; each client names those properties its own
//! way (`ssl.truststore.location`, `schema.registry.ssl.truststore.location`), so errors
//! here say which of them is at fault ([`Field`]) and the caller names it.
//!
//! The store's format is detected from its content, not only from `.type`: since Java 9
//! a "JKS" store may be a PKCS12 file, and Java reads it either way.
//!
//! Nothing here puts a password, a key or a store's content into an error or `Debug`.

use std::fmt;

/// Which of a store's properties an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `…store.location`: the file.
    Location,
    /// `…store.password`: the store's password.
    Password,
    /// `…store.type`: JKS, PKCS12 or PEM.
    Type,
    /// `…key.password`: the password of the private key inside a keystore.
    KeyPassword,
}

/// A store that cannot be read. The message says what is wrong and what to do, without
/// naming the property (the caller does: [`StoreError::field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StoreError {
    /// The property to change.
    pub field: Field,
    /// What is wrong.
    pub message: String,
}

impl StoreError {
    fn new(field: Field, message: impl Into<String>) -> StoreError {
        StoreError {
            field,
            message: message.into(),
        }
    }
}

/// The store types Java's clients take (`ssl.truststore.type` and the like).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreType {
    /// Java KeyStore, Java's default.
    Jks,
    /// PKCS #12 (`PKCS12`, `P12`).
    Pkcs12,
    /// PEM text: certificates, and for a keystore the private key.
    Pem,
}

impl StoreType {
    /// The type a `…store.type` value names; unset or empty is JKS, as in Java.
    pub fn parse(value: Option<&str>) -> Result<StoreType, StoreError> {
        match value.map(|t| t.trim().to_ascii_uppercase()).as_deref() {
            None | Some("") | Some("JKS") => Ok(StoreType::Jks),
            Some("PKCS12") | Some("P12") => Ok(StoreType::Pkcs12),
            Some("PEM") => Ok(StoreType::Pem),
            Some(_) => Err(StoreError::new(
                Field::Type,
                "must be JKS, PKCS12 or PEM (convert other stores with `keytool \
                 -importkeystore -deststoretype PKCS12`)",
            )),
        }
    }
}

/// Reads a store file; the error names the file ([`Field::Location`]).
pub fn read_file(path: &str) -> Result<Vec<u8>, StoreError> {
    std::fs::read(path)
        .map_err(|e| StoreError::new(Field::Location, format!("cannot read {path}: {e}")))
}

/// Whether a store declared as `declared` with content `bytes` is PEM text (which
/// librdkafka and rustls read themselves).
pub fn is_pem(declared: StoreType, bytes: &[u8]) -> bool {
    declared == StoreType::Pem || bytes.starts_with(b"-----BEGIN")
}

/// The private key of a keystore and its certificate chain. `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKey {
    /// The key, PKCS #8 DER, decrypted.
    pub pkcs8: Vec<u8>,
    /// The certificate chain, DER, the key's own certificate first.
    pub chain: Vec<Vec<u8>>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// The key and its chain as one PEM text (`PRIVATE KEY`, then each `CERTIFICATE`).
    /// Holds the decrypted key: keep it in memory only.
    pub fn to_pem(&self) -> String {
        let mut out = pem("PRIVATE KEY", &self.pkcs8);
        out.extend(self.chain.iter().map(|der| pem("CERTIFICATE", der)));
        out
    }
}

const JKS_MAGIC: [u8; 4] = [0xfe, 0xed, 0xfe, 0xed];

/// The certificates (DER) of a JKS or PKCS12 truststore: the trusted ones and those of
/// key entries. At least one, or an error.
pub fn trusted_certificates(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let certificates = if bytes.starts_with(&JKS_MAGIC) {
        let password = password.ok_or_else(|| {
            StoreError::new(
                Field::Password,
                "is needed to read the JKS store (its integrity check uses it)",
            )
        })?;
        let store = load_jks(bytes, password, Field::Password)?;
        let mut certificates = Vec::new();
        for alias in store.aliases() {
            if let Ok(entry) = store.get_trusted_certificate_entry(&alias) {
                certificates.push(entry.certificate.content);
            } else if let Ok(chain) = store.get_private_key_entry_certificate_chain(&alias)
                && let Some(first) = chain.into_iter().next()
            {
                certificates.push(first.content);
            }
        }
        certificates
    } else if bytes.first() == Some(&0x30) {
        pkcs12::certificates(bytes, password.unwrap_or(""))?
    } else {
        return Err(StoreError::new(
            Field::Location,
            "is neither a JKS, a PKCS12 nor a PEM file",
        ));
    };
    if certificates.is_empty() {
        return Err(StoreError::new(
            Field::Location,
            "the truststore holds no certificate",
        ));
    }
    Ok(certificates)
}

/// The one private key of a JKS or PKCS12 keystore and its certificate chain. The key's
/// password defaults to the store's, as in Java.
pub fn private_key(
    bytes: &[u8],
    store_password: Option<&str>,
    key_password: Option<&str>,
) -> Result<PrivateKey, StoreError> {
    if bytes.starts_with(&JKS_MAGIC) {
        let password = store_password.ok_or_else(|| {
            StoreError::new(Field::Password, "is needed to read the JKS keystore")
        })?;
        let store = load_jks(bytes, password, Field::Password)?;
        let aliases: Vec<String> = store
            .aliases()
            .into_iter()
            .filter(|a| store.is_private_key_entry(a))
            .collect();
        let alias = only_key(&aliases)?;
        let key_password = key_password.unwrap_or(password);
        let entry = store
            .get_private_key_entry(alias, key_password.as_bytes())
            .map_err(|_| {
                StoreError::new(
                    Field::KeyPassword,
                    "cannot decrypt the keystore's private key: the key password is wrong \
                     (when it is unset, the keystore's password is tried)",
                )
            })?;
        let chain = entry
            .certificate_chain
            .into_iter()
            .map(|c| c.content)
            .collect();
        Ok(PrivateKey {
            pkcs8: entry.private_key,
            chain,
        })
    } else if bytes.first() == Some(&0x30) {
        pkcs12::key(bytes, store_password.unwrap_or(""))
    } else {
        Err(StoreError::new(
            Field::Location,
            "is neither a JKS, a PKCS12 nor a PEM file",
        ))
    }
}

fn only_key(aliases: &[String]) -> Result<&str, StoreError> {
    match aliases {
        [one] => Ok(one),
        [] => Err(StoreError::new(
            Field::Location,
            "the keystore holds no private key",
        )),
        _ => Err(StoreError::new(
            Field::Location,
            format!(
                "the keystore holds {} private keys ({}); keep only the client's",
                aliases.len(),
                aliases.join(", ")
            ),
        )),
    }
}

fn load_jks(bytes: &[u8], password: &str, field: Field) -> Result<jks::KeyStore, StoreError> {
    let mut store = jks::KeyStore::new();
    store
        .load(bytes, password.as_bytes())
        .map_err(|e| match e {
            jks::KeyStoreError::InvalidDigest => StoreError::new(
                field,
                "the JKS store's integrity check failed: the password is wrong (or the file \
                 was changed)",
            ),
            other => StoreError::new(field, format!("cannot read the JKS store: {other}")),
        })?;
    Ok(store)
}

/// `der` as PEM text with the given label, in 64-character lines.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(feature = "pkcs12")]
mod pkcs12 {
    //! PKCS12 through OpenSSL: it knows every algorithm Java's keytool writes (PBES2 with
    //! AES, HMAC-SHA-256 MACs).
    use openssl::pkcs12::{ParsedPkcs12_2, Pkcs12};
    use openssl::x509::X509Ref;

    use super::{Field, PrivateKey, StoreError};

    fn parse(bytes: &[u8], password: &str) -> Result<ParsedPkcs12_2, StoreError> {
        let archive = Pkcs12::from_der(bytes).map_err(|_| {
            StoreError::new(Field::Location, "is neither a JKS, a PKCS12 nor a PEM file")
        })?;
        archive.parse2(password).map_err(|_| {
            StoreError::new(
                Field::Password,
                "cannot open the PKCS12 store: the password is wrong",
            )
        })
    }

    fn ders(parsed: &ParsedPkcs12_2) -> Result<Vec<Vec<u8>>, StoreError> {
        parsed
            .cert
            .iter()
            .map(|c| &**c)
            .chain(parsed.ca.iter().flatten())
            .map(|cert: &X509Ref| {
                cert.to_der().map_err(|e| {
                    StoreError::new(
                        Field::Location,
                        format!("a certificate cannot be read: {e}"),
                    )
                })
            })
            .collect()
    }

    pub(super) fn certificates(bytes: &[u8], password: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        ders(&parse(bytes, password)?)
    }

    pub(super) fn key(bytes: &[u8], password: &str) -> Result<PrivateKey, StoreError> {
        let parsed = parse(bytes, password)?;
        let key = parsed
            .pkey
            .as_ref()
            .ok_or_else(|| StoreError::new(Field::Location, "the keystore holds no private key"))?;
        let pkcs8 = key.private_key_to_pkcs8().map_err(|e| {
            StoreError::new(
                Field::Location,
                format!("the private key cannot be read: {e}"),
            )
        })?;
        Ok(PrivateKey {
            pkcs8,
            chain: ders(&parsed)?,
        })
    }
}

#[cfg(not(feature = "pkcs12"))]
mod pkcs12 {
    //! Without the `pkcs12` feature there is no OpenSSL to read PKCS12 with.
    use super::{Field, PrivateKey, StoreError};

    const WHY: &str = "is a PKCS12 store, and this build reads none (the `pkcs12` feature of \
                       sluice-keystore): convert it to JKS or PEM";

    pub(super) fn certificates(_: &[u8], _: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        Err(StoreError::new(Field::Location, WHY))
    }

    pub(super) fn key(_: &[u8], _: &str) -> Result<PrivateKey, StoreError> {
        Err(StoreError::new(Field::Location, WHY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_types_are_java_s() {
        assert_eq!(StoreType::parse(None).unwrap(), StoreType::Jks);
        assert_eq!(
            StoreType::parse(Some(" pkcs12")).unwrap(),
            StoreType::Pkcs12
        );
        assert_eq!(StoreType::parse(Some("P12")).unwrap(), StoreType::Pkcs12);
        assert_eq!(StoreType::parse(Some("pem")).unwrap(), StoreType::Pem);
        assert_eq!(
            StoreType::parse(Some("BCFKS")).unwrap_err().field,
            Field::Type
        );
    }

    #[test]
    fn unreadable_and_unknown_files_blame_the_location() {
        let e = read_file("/nonexistent/store.jks").unwrap_err();
        assert_eq!(e.field, Field::Location);
        assert!(
            e.message.contains("cannot read /nonexistent/store.jks"),
            "{e}"
        );
        let e = trusted_certificates(b"plain text", Some("pw")).unwrap_err();
        assert_eq!(e.field, Field::Location);
        assert!(e.message.contains("neither a JKS"), "{e}");
        let e = private_key(b"plain text", Some("pw"), None).unwrap_err();
        assert_eq!(e.field, Field::Location);
    }

    #[test]
    fn a_jks_store_needs_its_password() {
        let mut fake = JKS_MAGIC.to_vec();
        fake.extend([0, 0, 0, 2]);
        let e = trusted_certificates(&fake, None).unwrap_err();
        assert_eq!(e.field, Field::Password);
        let e = private_key(&fake, None, Some("kp")).unwrap_err();
        assert_eq!(e.field, Field::Password);
    }

    #[test]
    fn pem_is_detected_by_content_or_type() {
        assert!(is_pem(StoreType::Jks, b"-----BEGIN CERTIFICATE-----"));
        assert!(is_pem(StoreType::Pem, b"anything"));
        assert!(!is_pem(StoreType::Jks, &JKS_MAGIC));
    }

    #[test]
    fn pem_lines_are_64_characters() {
        let text = pem("CERTIFICATE", &[7u8; 100]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
    }

    #[test]
    fn a_private_key_s_debug_hides_the_key() {
        let key = PrivateKey {
            pkcs8: b"SECRETKEY".to_vec(),
            chain: vec![vec![1, 2, 3]],
        };
        let shown = format!("{key:?}");
        assert!(
            !shown.contains("83") && !shown.contains("SECRET"),
            "{shown}"
        );
        let text = key.to_pem();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{text}");
        assert!(text.contains("-----BEGIN CERTIFICATE-----"), "{text}");
    }
}
