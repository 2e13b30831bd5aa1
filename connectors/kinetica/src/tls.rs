//! TLS for `https://` URLs: which certificate authorities to trust
//! (`kinetica.ssl.ca.location`) and whether the server's certificate must name the host
//! of the URL (`kinetica.ssl.endpoint.identification.enable`), and how a failed
//! handshake is told apart from a network failure.
//!
//! Without a CA file the system's roots are trusted (through reqwest's platform
//! verifier). With one, **only** its certificates are: as a Java trust store replaces
//! the JVM's `cacerts`, and as `ssl.ca.location` does for Kafka. Hostname verification
//! can only be turned off together with a CA file (rustls checks names inside the same
//! verifier that uses the system roots), which also keeps "trust anything" impossible.

use std::error::Error as StdError;
use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sluice_error::find_cause;

/// The property naming the CA file, used in error messages.
pub const CA_LOCATION: &str = "kinetica.ssl.ca.location";
/// The property switching hostname verification, used in error messages.
pub const ENDPOINT_IDENTIFICATION: &str = "kinetica.ssl.endpoint.identification.enable";

/// The certificates of a PEM CA bundle, each checked to be usable as a trust anchor.
#[derive(Clone, PartialEq, Eq)]
pub struct CaCertificates {
    source: String,
    certificates: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for CaCertificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaCertificates")
            .field("source", &self.source)
            .field("certificates", &self.certificates.len())
            .finish()
    }
}

impl CaCertificates {
    /// Reads a PEM file of one or more `CERTIFICATE` blocks. The error says what is
    /// wrong (unreadable, no certificate, a certificate that does not parse) and names
    /// the file, but not the property: callers add it.
    pub fn from_file(path: &Path) -> Result<CaCertificates, String> {
        let pem =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::from_pem(&path.display().to_string(), &pem)
    }

    /// Parses PEM text; `source` names it in errors and `Debug` (a path, usually).
    pub fn from_pem(source: &str, pem: &[u8]) -> Result<CaCertificates, String> {
        let mut certificates = Vec::new();
        for (i, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
            let cert =
                cert.map_err(|e| format!("{source}: certificate {} is not valid PEM: {e}", i + 1))?;
            // The same check rustls makes when the client is built, made here so the
            // error can say which certificate of which file is wrong.
            rustls::RootCertStore::empty()
                .add(cert.clone())
                .map_err(|e| format!("{source}: certificate {} does not parse: {e}", i + 1))?;
            certificates.push(cert);
        }
        if certificates.is_empty() {
            return Err(format!(
                "{source} holds no PEM certificate (expected -----BEGIN CERTIFICATE----- \
                 blocks)"
            ));
        }
        Ok(CaCertificates {
            source: source.to_owned(),
            certificates,
        })
    }

    /// Where the certificates came from (the file's path).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// How many certificates the bundle holds (at least one).
    pub fn len(&self) -> usize {
        self.certificates.len()
    }

    /// Always false: a bundle without certificates is refused when parsed.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }

    /// The certificates in DER form, in file order.
    pub fn certificates(&self) -> &[CertificateDer<'static>] {
        &self.certificates
    }
}

/// How the client checks an `https` server's certificate. Ignored for `http` URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// Trust only these CAs (`kinetica.ssl.ca.location`); `None`: the system's roots.
    pub ca: Option<CaCertificates>,
    /// Check that the certificate names the URL's host
    /// (`kinetica.ssl.endpoint.identification.enable`, default true). `false` needs
    /// [`TlsConfig::ca`]: the chain is still verified against those CAs.
    pub verify_hostname: bool,
}

impl Default for TlsConfig {
    /// System roots, hostname verification on.
    fn default() -> Self {
        TlsConfig {
            ca: None,
            verify_hostname: true,
        }
    }
}

impl TlsConfig {
    /// Applies the settings to a reqwest client builder.
    pub(crate) fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, String> {
        let mut builder = builder;
        if let Some(ca) = &self.ca {
            let certs = ca
                .certificates
                .iter()
                .map(|der| reqwest::Certificate::from_der(der))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{CA_LOCATION}: {}: {e}", ca.source))?;
            builder = builder.tls_certs_only(certs);
        } else if !self.verify_hostname {
            return Err(format!(
                "{ENDPOINT_IDENTIFICATION}=false needs {CA_LOCATION}: hostname verification \
                 can only be turned off for certificates signed by the CAs of that file"
            ));
        }
        Ok(builder.tls_danger_accept_invalid_hostnames(!self.verify_hostname))
    }

    /// What to check when a handshake failed with `error`: the property, and a text
    /// naming it.
    fn hint(&self, error: &rustls::Error) -> (&'static str, String) {
        use rustls::CertificateError as C;
        let trusted = match &self.ca {
            Some(ca) => format!("{CA_LOCATION} ({})", ca.source),
            None => format!("the system's roots ({CA_LOCATION} is not set)"),
        };
        let text = match error {
            rustls::Error::InvalidCertificate(
                C::NotValidForName | C::NotValidForNameContext { .. },
            ) => {
                return (
                    ENDPOINT_IDENTIFICATION,
                    format!(
                        "the server's certificate does not name the host of kinetica.url: connect \
                 with a host name the certificate has, or set {ENDPOINT_IDENTIFICATION}=false \
                 (with {CA_LOCATION})"
                    ),
                );
            }
            rustls::Error::InvalidCertificate(
                C::Expired
                | C::ExpiredContext { .. }
                | C::NotValidYet
                | C::NotValidYetContext { .. },
            ) => "the server's certificate is outside its validity period: renew it, or \
                  check the clocks"
                .to_owned(),
            rustls::Error::InvalidCertificate(_) => format!(
                "the server's certificate is not signed by a trusted CA (trusted: {trusted}): \
                 set {CA_LOCATION} to a PEM file with the CA that signed it"
            ),
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                return (
                    "kinetica.url",
                    "the server does not speak TLS as expected: does it serve HTTPS on that \
                     port (kinetica.url https:// against a plain HTTP server)?"
                        .to_owned(),
                );
            }
            _ => format!("check kinetica.url and {CA_LOCATION} (trusting {trusted})"),
        };
        (CA_LOCATION, text)
    }
}

/// For a failed request: `Some((property, hint))` when TLS verification or negotiation
/// failed. Such failures are not retried: the same certificate fails the same way.
pub(crate) fn handshake_failure(
    config: &TlsConfig,
    error: &(dyn StdError + 'static),
) -> Option<(&'static str, String)> {
    find_cause::<rustls::Error>(error).map(|e| config.hint(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_certificates_is_refused() {
        let err = CaCertificates::from_pem("ca.pem", b"not a certificate\n").unwrap_err();
        assert!(err.contains("ca.pem holds no PEM certificate"), "{err}");
        let bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let err = CaCertificates::from_pem("ca.pem", bad).unwrap_err();
        assert!(err.contains("certificate 1 does not parse"), "{err}");
        let err = CaCertificates::from_file(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(err.contains("cannot read /nonexistent/ca.pem"), "{err}");
    }

    #[test]
    fn hostname_verification_off_needs_a_ca_file() {
        let config = TlsConfig {
            ca: None,
            verify_hostname: false,
        };
        let err = config.apply(reqwest::Client::builder()).unwrap_err();
        assert!(
            err.contains(CA_LOCATION) && err.contains(ENDPOINT_IDENTIFICATION),
            "{err}"
        );
    }

    #[test]
    fn tls_causes_are_found_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls.clone());
        assert_eq!(find_cause::<rustls::Error>(&io), Some(&tls));
        let io = std::io::Error::other(io);
        assert_eq!(find_cause::<rustls::Error>(&io), Some(&tls));
        let (setting, hint) = handshake_failure(&TlsConfig::default(), &io).unwrap();
        assert_eq!(setting, CA_LOCATION);
        assert!(hint.contains(CA_LOCATION), "{hint}");
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(handshake_failure(&TlsConfig::default(), &reset), None);
    }
}
