//! Can a pipeline reach its systems with its settings? What `sluice validate --connect`
//! prints, and what `PUT /connector-plugins/{plugin}/config/validate?connect=true` adds
//! to the properties concerned. Kafka (`bootstrap.servers`), Kinetica (`kinetica.url`)
//! and each converter's Schema Registry (`*.converter.schema.registry.url`) are tried in
//! two steps, so that the answer says why: the network (the host name resolves, the port
//! accepts a connection), then the protocol with the pipeline's credentials and TLS
//! settings (Kafka's metadata, Kinetica's `/show/system/properties`, the registry's
//! `/subjects`).

use std::fmt;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use sluice_config::ConnectorKind;
use sluice_config::pipeline::{ConverterConfig, PipelineConfig, keys};

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a protocol check may take.
const PROTOCOL_TIMEOUT: Duration = Duration::from_secs(10);

/// One system's verdict.
pub struct Reach {
    /// `Kafka`, `Kinetica` or `Schema Registry`.
    pub system: &'static str,
    /// The property that says where it is.
    pub property: String,
    /// Its value (never a secret).
    pub target: String,
    /// What answered, or why nothing did.
    pub outcome: Result<String, String>,
}

impl fmt::Display for Reach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Ok(what) => write!(
                f,
                "  {}: reachable ({} = {}): {what}",
                self.system, self.property, self.target
            ),
            Err(why) => write!(
                f,
                "  {}: NOT reachable ({} = {}): {why}; check `{}`",
                self.system, self.property, self.target, self.property
            ),
        }
    }
}

impl Reach {
    /// Why the system did not answer, as a problem about its property
    /// (`` `kinetica.url`: … ``, the form the REST API's `validate` places on that
    /// property's entry); `None` when it answered.
    pub fn problem(&self) -> Option<String> {
        self.outcome.as_ref().err().map(|why| {
            format!(
                "`{}`: {} is not reachable at {}: {why}",
                self.property, self.system, self.target
            )
        })
    }
}

/// Tries every system `pipeline` talks to.
pub fn check(pipeline: &PipelineConfig) -> Vec<Reach> {
    let mut found = vec![kafka(pipeline)];
    if let Some(url) = pipeline
        .connector
        .config
        .try_string("kinetica.url")
        .filter(|u| !u.is_empty())
    {
        found.push(kinetica(pipeline, url));
    }
    for (key, converter) in [
        (keys::KEY_CONVERTER, &pipeline.key_converter),
        (keys::VALUE_CONVERTER, &pipeline.value_converter),
    ] {
        if let Some(reach) = registry(key, converter) {
            found.push(reach);
        }
    }
    found
}

/// `host:port` of each address, resolved and connected to: `Ok` when one accepts.
fn network(addresses: &[(String, u16)]) -> Result<(), String> {
    let mut why = Vec::new();
    for (host, port) in addresses {
        let resolved = match (host.as_str(), *port).to_socket_addrs() {
            Ok(r) => r.collect::<Vec<_>>(),
            Err(e) => {
                why.push(format!("{host}: the name does not resolve (DNS: {e})"));
                continue;
            }
        };
        let mut refused = None;
        for addr in resolved {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    refused = Some(format!(
                        "{host}:{port}: connection refused (nothing listens)"
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    refused = Some(format!(
                        "{host}:{port}: no answer within {} s (a firewall, or the wrong host)",
                        CONNECT_TIMEOUT.as_secs()
                    ));
                }
                Err(e) => refused = Some(format!("{host}:{port}: {e}")),
            }
        }
        why.extend(refused);
    }
    Err(why.join("; "))
}

/// `host` and `port` of a URL (`http://h:9191/…`), with the scheme's default port.
fn host_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?']).next()?;
    let authority = authority.rsplit('@').next()?;
    let default = if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    };
    match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            Some((h.trim_matches(['[', ']']).to_owned(), p.parse().ok()?))
        }
        _ => Some((authority.trim_matches(['[', ']']).to_owned(), default)),
    }
}

fn kafka(pipeline: &PipelineConfig) -> Reach {
    let target = pipeline.bootstrap_servers.join(",");
    let addresses: Vec<(String, u16)> = pipeline
        .bootstrap_servers
        .iter()
        .filter_map(|s| {
            let (h, p) = s.trim().rsplit_once(':')?;
            Some((h.trim_matches(['[', ']']).to_owned(), p.parse().ok()?))
        })
        .collect();
    // A sink's clients are consumers, a source's producers: their security settings.
    let client = match pipeline.connector.kind {
        ConnectorKind::Sink => &pipeline.consumer,
        ConnectorKind::Source => &pipeline.producer,
    };
    let outcome = network(&addresses).and_then(|()| {
        let settings = sluice_kafka::ProducerSettings {
            bootstrap_servers: target.clone(),
            properties: client
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        };
        sluice_kafka::reach_cluster(&settings, PROTOCOL_TIMEOUT)
            .map(|brokers| format!("the cluster answered ({brokers} broker(s))"))
    });
    Reach {
        system: "Kafka",
        property: keys::BOOTSTRAP_SERVERS.to_owned(),
        target,
        outcome,
    }
}

fn kinetica(pipeline: &PipelineConfig, url: &str) -> Reach {
    let outcome = match host_port(url) {
        None => Err("not a URL".to_owned()),
        Some(address) => network(&[address]).and_then(|()| kinetica_answers(pipeline, url)),
    };
    Reach {
        system: "Kinetica",
        property: "kinetica.url".to_owned(),
        target: url.to_owned(),
        outcome,
    }
}

/// `/show/system/properties` with the file's user and password.
fn kinetica_answers(pipeline: &PipelineConfig, url: &str) -> Result<String, String> {
    let config = &pipeline.connector.config;
    let user = config.try_string("kinetica.username").unwrap_or_default();
    let password = config
        .get("kinetica.password")
        .map(|p| p.expose_text())
        .unwrap_or_default();
    let client = sluice_kinetica::KineticaClient::new(sluice_kinetica::ClientConfig {
        url: url.to_owned(),
        auth: sluice_kinetica::Auth::basic(user.to_owned(), password),
        timeout: PROTOCOL_TIMEOUT,
        retry: sluice_kinetica::RetryPolicy::none(),
        tls: sluice_kinetica::TlsConfig::default(),
        requests: None,
    })
    .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(client.show_system_properties())
        .map(|props| {
            let version = props
                .get("version.gpudb_core_version")
                .or_else(|| props.get("version.gpudb_version"))
                .map_or(String::new(), |v| format!(", version {v}"));
            format!("the head node answered{version}")
        })
        .map_err(|e| {
            let text = e.to_string();
            if text.contains("401") || text.to_lowercase().contains("unauthori") {
                format!(
                    "authentication refused ({text}): check kinetica.username and kinetica.password"
                )
            } else {
                text
            }
        })
}

fn registry(key: &str, converter: &ConverterConfig) -> Option<Reach> {
    let urls = converter.props.get("schema.registry.url")?.joined();
    let property = format!("{key}.schema.registry.url");
    let url = urls.split(',').next()?.trim().to_owned();
    let outcome = match host_port(&url) {
        None => Err("not a URL".to_owned()),
        Some(address) => network(&[address]).and_then(|()| {
            let subjects = format!("{}/subjects", url.trim_end_matches('/'));
            let response = reqwest::blocking::Client::builder()
                .timeout(PROTOCOL_TIMEOUT)
                .build()
                .and_then(|c| c.get(&subjects).send())
                .map_err(|e| format!("{subjects}: {e}"))?;
            match response.status() {
                s if s.is_success() => Ok("the registry answered".to_owned()),
                s if s.as_u16() == 401 || s.as_u16() == 403 => Err(format!(
                    "{subjects}: {s}: authentication refused; check {key}.basic.auth.*"
                )),
                s => Err(format!(
                    "{subjects}: {s}: not a Schema Registry at this URL?"
                )),
            }
        }),
    };
    Some(Reach {
        system: "Schema Registry",
        property,
        target: url,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_their_host_and_port() {
        assert_eq!(host_port("http://k:9191"), Some(("k".into(), 9191)));
        assert_eq!(host_port("https://k/gpudb-0"), Some(("k".into(), 443)));
        assert_eq!(host_port("http://u:p@k:81/x"), Some(("k".into(), 81)));
        assert_eq!(host_port("http://[::1]:9191"), Some(("::1".into(), 9191)));
        assert_eq!(host_port("k:9191"), None);
    }

    #[test]
    fn a_closed_port_is_refused_and_an_unknown_host_does_not_resolve() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let refused = network(&[("127.0.0.1".into(), port)]).unwrap_err();
        assert!(refused.contains("connection refused"), "{refused}");
        let unknown = network(&[("no-such-host.invalid".into(), 80)]).unwrap_err();
        assert!(unknown.contains("does not resolve"), "{unknown}");
    }
}
