//! An Apache Kafka broker with TLS and SASL listeners, and the JKS/PKCS12 stores Kafka's
//! Java clients would use with it, all made by Java's `keytool` — for tests of Kafka
//! Connect's security settings (docs/security.md).
//!
//! Listeners, all on 127.0.0.1 (the broker's certificate names `localhost` and
//! `127.0.0.1`, so hostname verification passes):
//!
//! * `PLAINTEXT` ([`SecureBroker::plaintext`]): for creating topics and producing data;
//! * `SASL_SSL` ([`SecureBroker::sasl_ssl`]): SASL `PLAIN` user [`PLAIN_USER`], SCRAM users
//!   [`SCRAM_512_USER`] (`SCRAM-SHA-512`) and [`SCRAM_256_USER`] (`SCRAM-SHA-256`), added
//!   when the log directory is formatted; the server is not asked for a client
//!   certificate;
//! * `SSL` ([`SecureBroker::ssl`]): mutual TLS, the client must show the certificate of
//!   [`SecureBroker::client_keystore`].

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};

use crate::broker::{BROKER_INSTALL_HINT, BrokerExtras, KafkaBroker, find_java, new_dir};

/// The password of every store made here (and of the keys in them).
pub const STORE_PASSWORD: &str = "store-secret";
/// The SASL `PLAIN` user and password.
pub const PLAIN_USER: (&str, &str) = ("alice", "alice-secret");
/// The `SCRAM-SHA-512` user and password.
pub const SCRAM_512_USER: (&str, &str) = ("bob", "bob-secret");
/// The `SCRAM-SHA-256` user and password.
pub const SCRAM_256_USER: (&str, &str) = ("carol", "carol-secret");

/// The store formats Java's clients read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreFormat {
    /// Java's own `JKS`, the default `ssl.truststore.type`.
    Jks,
    /// `PKCS12`, keytool's default since Java 9.
    Pkcs12,
}

impl StoreFormat {
    fn keytool(self) -> &'static str {
        match self {
            StoreFormat::Jks => "JKS",
            StoreFormat::Pkcs12 => "PKCS12",
        }
    }
    fn extension(self) -> &'static str {
        match self {
            StoreFormat::Jks => "jks",
            StoreFormat::Pkcs12 => "p12",
        }
    }
}

/// A [`KafkaBroker`] with `SSL` and `SASL_SSL` listeners, and the stores for its clients;
/// stopped, and everything removed, on drop.
pub struct SecureBroker {
    broker: KafkaBroker,
    stores: PathBuf,
}

/// The secured broker shared by the tests of one test binary (see
/// [`shared_broker`](crate::testing::shared_broker)).
///
/// # Panics
///
/// When it cannot be started, with the reason (e.g. what to install).
pub fn shared_secure_broker() -> &'static SecureBroker {
    static SHARED: std::sync::OnceLock<Result<SecureBroker, String>> = std::sync::OnceLock::new();
    SHARED
        .get_or_init(|| {
            let broker = SecureBroker::start().map_err(|error| format!("{error:#}"))?;
            eprintln!(
                "shared secured Kafka broker: SASL_SSL at {}, SSL at {} (log: {})",
                broker.sasl_ssl(),
                broker.ssl(),
                broker.broker().log_path().display()
            );
            Ok(broker)
        })
        .as_ref()
        .unwrap_or_else(|error| panic!("cannot start the secured Kafka broker: {error}"))
}

impl SecureBroker {
    /// Makes the stores with `keytool` and starts the broker. Fails saying what to
    /// install when Java (with `keytool`) or Maven is missing.
    pub fn start() -> Result<SecureBroker> {
        let keytool = find_keytool()?;
        let stores = new_dir()?;
        let made = make_stores(&keytool, &stores);
        let broker = made.and_then(|()| KafkaBroker::start_with(&extras(&stores)));
        match broker {
            Ok(broker) => Ok(SecureBroker { broker, stores }),
            Err(error) => {
                let _ = std::fs::remove_dir_all(&stores);
                Err(error)
            }
        }
    }

    /// The broker itself (topics, its log, the `PLAINTEXT` listener).
    pub fn broker(&self) -> &KafkaBroker {
        &self.broker
    }

    /// `bootstrap.servers` of the `PLAINTEXT` listener.
    pub fn plaintext(&self) -> &str {
        self.broker.bootstrap_servers()
    }

    /// `bootstrap.servers` of the `SASL_SSL` listener.
    pub fn sasl_ssl(&self) -> &str {
        self.broker.listener("SASL_SSL").expect("started with it")
    }

    /// `bootstrap.servers` of the mutual-TLS `SSL` listener.
    pub fn ssl(&self) -> &str {
        self.broker.listener("SSL").expect("started with it")
    }

    /// A truststore with the broker's certificate.
    pub fn truststore(&self, format: StoreFormat) -> PathBuf {
        self.stores
            .join(format!("client.truststore.{}", format.extension()))
    }

    /// A truststore with an unrelated certificate only: the broker's is not trusted.
    pub fn untrusted_truststore(&self) -> PathBuf {
        self.stores.join("untrusted.truststore.jks")
    }

    /// A keystore with the client's key and certificate, which the `SSL` listener trusts.
    pub fn client_keystore(&self, format: StoreFormat) -> PathBuf {
        self.stores
            .join(format!("client.keystore.{}", format.extension()))
    }
}

impl Drop for SecureBroker {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.stores);
    }
}

fn extras(stores: &Path) -> BrokerExtras {
    let store = |name: &str| stores.join(name).display().to_string();
    let jaas = |module: &str, options: &str| {
        format!("org.apache.kafka.common.security.{module} required{options};")
    };
    BrokerExtras {
        listeners: vec![
            ("SSL".into(), "SSL".into()),
            ("SASL_SSL".into(), "SASL_SSL".into()),
        ],
        properties: format!(
            "ssl.keystore.type=PKCS12\n\
             ssl.keystore.location={keystore}\n\
             ssl.keystore.password={STORE_PASSWORD}\n\
             ssl.key.password={STORE_PASSWORD}\n\
             ssl.truststore.type=PKCS12\n\
             ssl.truststore.location={truststore}\n\
             ssl.truststore.password={STORE_PASSWORD}\n\
             listener.name.ssl.ssl.client.auth=required\n\
             sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512\n\
             listener.name.sasl_ssl.plain.sasl.jaas.config={plain}\n\
             listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config={scram}\n\
             listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={scram}\n",
            keystore = store("broker.keystore.p12"),
            truststore = store("broker.truststore.p12"),
            plain = jaas(
                "plain.PlainLoginModule",
                &format!(" user_{}=\"{}\"", PLAIN_USER.0, PLAIN_USER.1)
            ),
            scram = jaas("scram.ScramLoginModule", ""),
        ),
        format_args: vec![
            "--add-scram".into(),
            format!(
                "SCRAM-SHA-512=[name={},password={}]",
                SCRAM_512_USER.0, SCRAM_512_USER.1
            ),
            "--add-scram".into(),
            format!(
                "SCRAM-SHA-256=[name={},password={}]",
                SCRAM_256_USER.0, SCRAM_256_USER.1
            ),
        ],
    }
}

/// `keytool` beside the `java` the broker runs on.
fn find_keytool() -> Result<PathBuf> {
    let java = find_java()?;
    let java = std::fs::canonicalize(&java).unwrap_or(java);
    let keytool = java.with_file_name("keytool");
    if keytool.is_file() {
        Ok(keytool)
    } else {
        bail!(
            "`keytool` is not beside {} (it makes the test's TLS stores): {BROKER_INSTALL_HINT}",
            java.display()
        )
    }
}

/// The broker's and the clients' stores: self-signed EC certificates (quick to make)
/// for the broker, the client and a stranger, each imported where it is trusted.
fn make_stores(keytool: &Path, dir: &Path) -> Result<()> {
    let run = |args: &[&str]| -> Result<()> {
        let output = Command::new(keytool)
            .args(args)
            .args(["-storepass", STORE_PASSWORD, "-noprompt"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", keytool.display()))?;
        if !output.status.success() {
            bail!(
                "keytool {} failed ({}):\n{}{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    };
    let keypair = |alias: &str, store: &str, format: StoreFormat, name: &str| {
        run(&[
            "-genkeypair",
            "-alias",
            alias,
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-validity",
            "30",
            "-dname",
            &format!("CN={name}"),
            "-ext",
            "SAN=dns:localhost,ip:127.0.0.1",
            "-keystore",
            store,
            "-storetype",
            format.keytool(),
            "-keypass",
            STORE_PASSWORD,
        ])
    };
    let export = |alias: &str, store: &str, file: &str| {
        run(&[
            "-exportcert",
            "-rfc",
            "-alias",
            alias,
            "-keystore",
            store,
            "-file",
            file,
        ])
    };
    let import = |alias: &str, file: &str, store: &str, format: StoreFormat| {
        run(&[
            "-importcert",
            "-alias",
            alias,
            "-file",
            file,
            "-keystore",
            store,
            "-storetype",
            format.keytool(),
        ])
    };
    keypair(
        "broker",
        "broker.keystore.p12",
        StoreFormat::Pkcs12,
        "localhost",
    )?;
    export("broker", "broker.keystore.p12", "broker.pem")?;
    for format in [StoreFormat::Jks, StoreFormat::Pkcs12] {
        import(
            "broker",
            "broker.pem",
            &format!("client.truststore.{}", format.extension()),
            format,
        )?;
    }
    keypair(
        "stranger",
        "stranger.keystore.p12",
        StoreFormat::Pkcs12,
        "stranger",
    )?;
    export("stranger", "stranger.keystore.p12", "stranger.pem")?;
    import(
        "stranger",
        "stranger.pem",
        "untrusted.truststore.jks",
        StoreFormat::Jks,
    )?;
    for format in [StoreFormat::Jks, StoreFormat::Pkcs12] {
        let store = format!("client.keystore.{}", format.extension());
        let alias = format!("client-{}", format.extension());
        keypair(&alias, &store, format, "sluice-client")?;
        let pem = format!("{alias}.pem");
        export(&alias, &store, &pem)?;
        import(&alias, &pem, "broker.truststore.p12", StoreFormat::Pkcs12)?;
    }
    Ok(())
}
