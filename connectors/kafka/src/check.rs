//! The start-up check of a secured client: one connection to the cluster, made before
//! the pipeline runs, so that a wrong password or an untrusted certificate stops
//! start-up with an error naming the property, instead of a pipeline that runs and
//! consumes nothing (librdkafka reports such failures only as error events, and keeps
//! retrying).
//!
//! The check is a throw-away producer with the client's own configuration (a producer
//! never joins the group): it asks for the cluster's metadata until the broker answers
//! (the settings work), a TLS handshake or SASL authentication fails (an error naming
//! the property), or no broker can be reached at all (no verdict: the pipeline starts and
//! waits for the brokers as it would without the check).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, DeliveryResult, Producer, ProducerContext};

use crate::security::{self, SecurityError};

/// How long the check waits for a verdict. A healthy cluster answers in milliseconds;
/// this only bounds a cluster that accepts connections but answers nothing.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// Collects the error events librdkafka reports while the check runs.
#[derive(Default)]
struct CheckContext {
    errors: Mutex<Vec<(RDKafkaErrorCode, String)>>,
}

impl ClientContext for CheckContext {
    // librdkafka's own log lines for this throw-away client (e.g. that consumer
    // properties are ignored by a producer) would only confuse: the verdict is reported.
    fn log(&self, _level: RDKafkaLogLevel, _fac: &str, _message: &str) {}

    fn error(&self, error: KafkaError, reason: &str) {
        let code = error.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail);
        self.errors
            .lock()
            .expect("not poisoned")
            .push((code, reason.to_owned()));
    }
}

impl ProducerContext for CheckContext {
    type DeliveryOpaque = ();
    fn delivery(&self, _: &DeliveryResult<'_>, _: Self::DeliveryOpaque) {}
}

/// [`check_connection`] for the consumers of `settings`.
pub(crate) fn check_consumer(settings: &crate::SourceSettings) -> Result<(), SecurityError> {
    let config = crate::config::consumer_config(
        &settings.bootstrap_servers,
        &settings.group_id,
        &settings.properties,
    )?;
    check_connection(&config, &settings.properties)
}

/// [`check_connection`] for a producer with `settings` (a dead letter queue's).
pub(crate) fn check_producer(settings: &crate::ProducerSettings) -> Result<(), SecurityError> {
    let config = crate::config::producer_config(&settings.bootstrap_servers, &settings.properties)?;
    check_connection(&config, &settings.properties)
}

/// Checks that a client with `config` (made from `properties`, the user's properties as
/// written, for naming them) can connect and authenticate. Does nothing for a client
/// without TLS or SASL. Errors name the property to fix, without its prefix.
pub(crate) fn check_connection(
    config: &ClientConfig,
    properties: &BTreeMap<String, String>,
) -> Result<(), SecurityError> {
    if !security::is_secured(properties) {
        return Ok(());
    }
    let blame = security::blame(properties);
    let mut config = config.clone();
    // The check needs no fast reconnects: one failed handshake is the verdict.
    config.set("client.id", "sluice-connection-check");
    let producer: BaseProducer<CheckContext> =
        match config.create_with_context(CheckContext::default()) {
            Ok(producer) => producer,
            // The real client's creation reports a bad property better.
            Err(_) => return Ok(()),
        };
    let deadline = Instant::now() + CHECK_TIMEOUT;
    loop {
        if producer
            .client()
            .fetch_metadata(None, Duration::from_millis(200))
            .is_ok()
        {
            return Ok(());
        }
        // Delivers the error events of the attempt to the context.
        producer.poll(Duration::ZERO);
        let errors = std::mem::take(&mut *producer.context().errors.lock().expect("not poisoned"));
        for (code, reason) in &errors {
            if let Some(problem) = verdict(*code, reason, &blame) {
                return Err(problem);
            }
        }
        let unreachable = errors
            .iter()
            .any(|(code, _)| *code == RDKafkaErrorCode::AllBrokersDown);
        if unreachable || Instant::now() >= deadline {
            tracing::warn!(
                "could not reach a Kafka broker to check the TLS/SASL settings before \
                 starting; the pipeline starts and keeps trying"
            );
            return Ok(());
        }
    }
}

/// Whether the cluster of `settings` answers within `timeout` (`sluice validate
/// --connect`): a metadata request, with the client's TLS and SASL settings. Fails with
/// what librdkafka reported: a TLS or SASL problem naming the property to fix, or that
/// no broker answered and why.
pub fn reach_cluster(
    settings: &crate::ProducerSettings,
    timeout: Duration,
) -> Result<usize, String> {
    let properties = &settings.properties;
    let mut config = crate::config::producer_config(&settings.bootstrap_servers, properties)
        .map_err(|e| e.to_string())?;
    config.set("client.id", "sluice-reachability-check");
    let producer: BaseProducer<CheckContext> = config
        .create_with_context(CheckContext::default())
        .map_err(|e| format!("cannot create a client: {e}"))?;
    let blame = security::blame(properties);
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        if let Ok(metadata) = producer
            .client()
            .fetch_metadata(None, Duration::from_millis(200))
        {
            return Ok(metadata.brokers().len());
        }
        producer.poll(Duration::ZERO);
        let errors = std::mem::take(&mut *producer.context().errors.lock().expect("not poisoned"));
        for (code, reason) in &errors {
            if let Some(problem) = verdict(*code, reason, &blame) {
                return Err(problem.to_string());
            }
        }
        if let Some((_, reason)) = errors.last() {
            last.clone_from(reason);
        }
        if Instant::now() >= deadline {
            return Err(if last.is_empty() {
                format!("no broker answered within {} s", timeout.as_secs())
            } else {
                format!("no broker answered within {} s: {last}", timeout.as_secs())
            });
        }
    }
}

/// The problem an error event means, if it is one the configuration must fix.
fn verdict(code: RDKafkaErrorCode, reason: &str, blame: &security::Blame) -> Option<SecurityError> {
    // librdkafka's advice names its own property, which a user of Java's names never set.
    let cut = reason.find(", verify that ssl.ca.location").map(|start| {
        let end = reason[start..]
            .find(" (after ")
            .map_or(reason.len(), |e| start + e);
        format!("{}{}", &reason[..start], &reason[end..])
    });
    let reason = cut.as_deref().unwrap_or(reason);
    let lower = reason.to_ascii_lowercase();
    let tls = code == RDKafkaErrorCode::SSL
        || lower.contains("ssl handshake failed")
        || lower.contains("certificate verify failed");
    if code == RDKafkaErrorCode::Authentication && !tls {
        let property = blame.credentials.unwrap_or("sasl.jaas.config");
        return Some(SecurityError {
            property: property.to_owned(),
            message: format!(
                "the broker refused the SASL credentials ({reason}); check the username and \
                 password in {property} and sasl.mechanism"
            ),
        });
    }
    if !tls {
        return None;
    }
    if lower.contains("certificate verify failed") || lower.contains("unable to get") {
        let property = blame.trust.unwrap_or("ssl.truststore.location");
        let hint = if blame.trust.is_some() {
            "the broker's certificate is not signed by a certificate of this truststore"
        } else {
            "the broker's certificate is not signed by a CA of this system: set \
             ssl.truststore.location to a truststore with the broker's CA"
        };
        return Some(SecurityError {
            property: property.to_owned(),
            message: format!("the TLS handshake with the broker failed ({reason}): {hint}"),
        });
    }
    if lower.contains("hostname") || lower.contains("ip address mismatch") {
        return Some(SecurityError {
            property: "ssl.endpoint.identification.algorithm".to_owned(),
            message: format!(
                "the broker's certificate does not name the host connected to ({reason}); fix \
                 the certificate or bootstrap.servers, or set the property empty to skip \
                 the check"
            ),
        });
    }
    let property = blame
        .client_certificate
        .or(blame.trust)
        .unwrap_or("security.protocol");
    Some(SecurityError {
        property: property.to_owned(),
        message: format!(
            "the TLS handshake with the broker failed ({reason}); check the keystore, the \
             truststore and that the listener speaks {}",
            "the configured security.protocol"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_property_that_caused_them() {
        let blame = security::Blame {
            trust: Some("ssl.truststore.location"),
            credentials: Some("sasl.jaas.config"),
            client_certificate: None,
        };
        let auth = verdict(
            RDKafkaErrorCode::Authentication,
            "SASL authentication error: Authentication failed: Invalid username or password",
            &blame,
        )
        .unwrap();
        assert_eq!(auth.property, "sasl.jaas.config");
        let tls = verdict(
            RDKafkaErrorCode::SSL,
            "ssl://127.0.0.1:1/bootstrap: SSL handshake failed: error:0A000086:SSL \
             routines::certificate verify failed: broker certificate could not be verified, \
             verify that ssl.ca.location is correctly configured or root CA certificates are \
             installed (install ca-certificates package) (after 183ms in state SSL_HANDSHAKE)",
            &blame,
        )
        .unwrap();
        assert_eq!(tls.property, "ssl.truststore.location");
        assert!(!tls.message.contains("ssl.ca.location"), "{}", tls.message);
        assert!(
            verdict(
                RDKafkaErrorCode::AllBrokersDown,
                "1/1 brokers are down",
                &blame
            )
            .is_none()
        );
        assert!(
            verdict(
                RDKafkaErrorCode::BrokerTransportFailure,
                "Connection refused",
                &blame
            )
            .is_none()
        );
    }
}
