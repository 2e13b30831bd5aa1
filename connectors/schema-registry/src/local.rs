//! Apicurio Registry 2.4.2.Final, a real registry with a Confluent-compatible API
//! (`/apis/ccompat/v7`), as a child JVM on a free loopback port with in-memory storage:
//! [`SchemaRegistry`]. Not behind the `testing` feature, so that `sluice bench` can start
//! one (as it starts `sluice_kafka::broker::KafkaBroker`); the tests reach it through
//! [`crate::testing`], which adds a registry shared by a test binary, unique subjects and
//! Confluent's Python client.
//!
//! Built from Maven Central through `connectors/schema-registry/apicurio/pom.xml` into
//! `<workspace>/target/schema-registry/apicurio` (`.ci/run` builds it; if it is missing
//! it is built here with `mvn`). Needs a JDK and Maven ([`REGISTRY_INSTALL_HINT`]).
//!
//! The JVM is started through a small `sh` wrapper that holds the read end of a pipe
//! whose write end only this process has: when this process exits, however it exits,
//! the pipe closes and the wrapper kills the JVM. So the registry shared by a test
//! binary (a `static` that is never dropped) does not outlive `cargo test`.

use std::fs::{self, File};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};

/// What to install when Java or Maven is missing.
pub const REGISTRY_INSTALL_HINT: &str = "the Schema Registry for tests (Apicurio Registry) needs a \
     JDK (11 or newer) and Maven: on Debian `apt-get install default-jdk-headless maven` \
     (`.ci/run` installs both)";

/// The path of Apicurio's Confluent-compatible API below the server's root.
pub const CCOMPAT_PATH: &str = "/apis/ccompat/v7";

const POM_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/apicurio/pom.xml");
/// The build's inputs: a change to any of them rebuilds the runner.
const INPUTS: &[&str] = &[
    include_str!("../apicurio/pom.xml"),
    include_str!("../apicurio/src/main/java/dev/sluice/apicurio/ConfigIndexStub.java"),
    include_str!("../apicurio/src/main/resources/application.properties"),
];
const RUNNER_JAR: &str = "apicurio-runner-1-runner.jar";

/// How long a JVM may take to serve requests: seconds when the machine is idle, much
/// more on two cores shared with builds.
const START_TIMEOUT: Duration = Duration::from_secs(180);
/// How often readiness is polled while the JVM starts.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Kills the JVM, and removes its log `$SLUICE_REGISTRY_LOG`, when the pipe on fd 0
/// (from the test process) reaches its end: on drop, or when the test process exits
/// however it exits.
const WRAPPER: &str = r#"
exec 3<&0 </dev/null
"$@" 3<&- &
java=$!
( cat <&3 >/dev/null; kill -s KILL "$java" 2>/dev/null; rm -f "$SLUICE_REGISTRY_LOG" ) &
wait "$java"
"#;

/// An Apicurio Registry process with in-memory storage on a free loopback port; killed
/// on drop (or when this process exits).
pub struct SchemaRegistry {
    root: String,
    /// `https://127.0.0.1:<port>` when started with [`SchemaRegistry::start_https`].
    https_root: Option<String>,
    log: PathBuf,
    wrapper: Child,
    control: Option<ChildStdin>,
}

/// The PEM files a registry serves HTTPS with.
#[derive(Debug, Clone)]
pub struct HttpsFiles {
    /// The server's certificate, then intermediates.
    pub cert_chain: PathBuf,
    /// Its private key (PKCS#8).
    pub key: PathBuf,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .context("no free port on 127.0.0.1")?
        .port())
}

impl SchemaRegistry {
    /// Builds the runner if needed, starts the JVM and returns once the Confluent API
    /// answers. Fails with [`REGISTRY_INSTALL_HINT`] when Java or Maven is missing.
    pub fn start() -> Result<SchemaRegistry> {
        SchemaRegistry::launch(None)
    }

    /// As [`SchemaRegistry::start`], and also serving HTTPS with the PEM certificate
    /// chain and key in `tls`; [`SchemaRegistry::https_url`] is its API's URL.
    pub fn start_https(tls: &HttpsFiles) -> Result<SchemaRegistry> {
        SchemaRegistry::launch(Some(tls))
    }

    fn launch(tls: Option<&HttpsFiles>) -> Result<SchemaRegistry> {
        let java = find_java()?;
        let runner = runner_dir()?;
        let port = free_port()?;
        let mut https = Vec::new();
        let mut https_root = None;
        if let Some(tls) = tls {
            let ssl_port = free_port()?;
            https = vec![
                format!("-Dquarkus.http.ssl-port={ssl_port}"),
                format!(
                    "-Dquarkus.http.ssl.certificate.file={}",
                    tls.cert_chain.display()
                ),
                format!(
                    "-Dquarkus.http.ssl.certificate.key-file={}",
                    tls.key.display()
                ),
            ];
            https_root = Some(format!("https://127.0.0.1:{ssl_port}"));
        }
        let log = new_log_path()?;
        let out = File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let mut wrapper = Command::new("sh")
            .args(["-c", WRAPPER, "sluice-schema-registry"])
            .arg(&java)
            .args([
                "-Xmx256m".to_owned(),
                "-Djava.awt.headless=true".to_owned(),
                format!("-Dquarkus.http.port={port}"),
                "-Dquarkus.http.host=127.0.0.1".to_owned(),
            ])
            .args(https)
            .arg("-jar")
            .arg(runner.join(RUNNER_JAR))
            .current_dir(&runner)
            .env("SLUICE_REGISTRY_LOG", &log)
            .stdin(Stdio::piped())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("cannot run sh")?;
        let control = wrapper.stdin.take();
        let mut registry = SchemaRegistry {
            root: format!("http://127.0.0.1:{port}"),
            https_root,
            log,
            wrapper,
            control,
        };
        registry.wait_until_ready(port)?;
        Ok(registry)
    }

    /// The Confluent-compatible API's URL, `http://127.0.0.1:<port>/apis/ccompat/v7`:
    /// what `schema.registry.url` is set to.
    pub fn url(&self) -> String {
        format!("{}{CCOMPAT_PATH}", self.root)
    }

    /// The HTTPS API's URL, when started with [`SchemaRegistry::start_https`].
    pub fn https_url(&self) -> Option<String> {
        self.https_root
            .as_ref()
            .map(|root| format!("{root}{CCOMPAT_PATH}"))
    }

    /// The server's root, `http://127.0.0.1:<port>`.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The JVM's output.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Polls `GET …/subjects` until it answers 200, the JVM exits or [`START_TIMEOUT`]
    /// passes.
    fn wait_until_ready(&mut self, port: u16) -> Result<()> {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.wrapper.try_wait()? {
                bail!(
                    "the Schema Registry (Apicurio) exited ({status}) before answering on {}:\n{}",
                    self.root,
                    self.log_tail()
                );
            }
            if http_status(address, "GET", &format!("{CCOMPAT_PATH}/subjects"), "") == Some(200) {
                return self.warm_up(address);
            }
            if Instant::now() >= deadline {
                bail!(
                    "the Schema Registry (Apicurio) did not answer on {} within \
                     {START_TIMEOUT:?}:\n{}",
                    self.root,
                    self.log_tail()
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Registers one schema before any test does. Apicurio creates its id sequences
    /// on the first registration, and tests registering in parallel on a fresh
    /// registry raced to create them (500s: "Unique index or primary key violation",
    /// "Timeout trying to lock table").
    fn warm_up(&self, address: SocketAddr) -> Result<()> {
        let path = format!("{CCOMPAT_PATH}/subjects/sluice-warm-up/versions");
        match http_status(address, "POST", &path, r#"{"schema":"\"string\""}"#) {
            Some(200) => Ok(()),
            status => bail!(
                "the Schema Registry (Apicurio) at {} refused its first registration                  ({status:?}):\n{}",
                self.root,
                self.log_tail()
            ),
        }
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        format!(
            "(last lines of {})\n{}",
            self.log.display(),
            lines[lines.len().saturating_sub(30)..].join("\n")
        )
    }
}

impl Drop for SchemaRegistry {
    fn drop(&mut self) {
        // The end of the pipe makes the wrapper kill the JVM.
        drop(self.control.take());
        let _ = self.wrapper.wait();
        let _ = fs::remove_file(&self.log);
    }
}

/// The status of `GET path` on `address`, `None` when nothing answers.
fn http_status(address: SocketAddr, method: &str, path: &str, body: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Type: application/vnd.schemaregistry.v1+json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    // `HTTP/1.1 200`
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// The directory with the runner jar and its `lib/`: `$SLUICE_APICURIO_DIR` if set,
/// else `<workspace>/target/schema-registry/apicurio`, built with Maven when it does not
/// hold a build of the current pom and sources.
fn runner_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("SLUICE_APICURIO_DIR") {
        let dir = PathBuf::from(dir);
        if !dir.join(RUNNER_JAR).is_file() {
            bail!(
                "SLUICE_APICURIO_DIR={} has no {RUNNER_JAR}; unset it to have the registry \
                 built with Maven, or build it with `mvn -B package -DskipTests -f {POM_PATH} \
                 -Drunner.build.directory={}`",
                dir.display(),
                dir.display()
            );
        }
        return Ok(dir);
    }
    let cache = workspace_target().join("schema-registry");
    let dir = cache.join("apicurio");
    let stamp = inputs_stamp();
    if dir.join(RUNNER_JAR).is_file()
        && fs::read_to_string(dir.join("inputs.stamp")).ok().as_deref() == Some(stamp.as_str())
    {
        return Ok(dir);
    }
    let mvn = find_program("mvn").ok_or_else(|| {
        anyhow!(
            "the Schema Registry for tests is not built in {} and Maven (`mvn`) is not on the \
             PATH to build it: {REGISTRY_INSTALL_HINT}",
            dir.display()
        )
    })?;
    // Into a directory of its own, then renamed: an interrupted build leaves no
    // half-filled cache, and a build of older sources is not mixed with this one.
    fs::create_dir_all(&cache).with_context(|| format!("cannot create {}", cache.display()))?;
    let fresh = cache.join(format!("apicurio.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&fresh);
    let output = Command::new(&mvn)
        .args([
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-DskipTests",
            "-f",
            POM_PATH,
        ])
        .arg(format!("-Drunner.build.directory={}", fresh.display()))
        .arg("package")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", mvn.display()))?;
    if !output.status.success() || !fresh.join(RUNNER_JAR).is_file() {
        let _ = fs::remove_dir_all(&fresh);
        bail!(
            "`mvn package -f {POM_PATH}` did not build {RUNNER_JAR} ({}); Maven Central must \
             be reachable:\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    fs::write(fresh.join("inputs.stamp"), &stamp)?;
    let _ = fs::remove_dir_all(&dir);
    if let Err(error) = fs::rename(&fresh, &dir) {
        let _ = fs::remove_dir_all(&fresh);
        // Another test binary built it at the same time.
        if !dir.join(RUNNER_JAR).is_file() {
            return Err(error).with_context(|| format!("cannot fill {}", dir.display()));
        }
    }
    Ok(dir)
}

/// What a build records of its inputs (`inputs.stamp`): the pom, the Java source and
/// `application.properties`, concatenated in that order (`.ci/run` writes the same with
/// `cat`). A build whose stamp differs is of other sources, and is rebuilt.
pub fn inputs_stamp() -> String {
    INPUTS.concat()
}

/// `<workspace>/target` (the workspace is two levels above this crate).
fn workspace_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("connectors/schema-registry is two levels below the workspace")
        .join("target")
}

fn new_log_path() -> Result<PathBuf> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir();
    Ok(dir.join(format!(
        "sluice-schema-registry-{}-{}.log",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )))
}

/// `$JAVA_HOME/bin/java`, else `java` on the PATH.
fn find_java() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        let java = PathBuf::from(home).join("bin/java");
        if java.is_file() {
            return Ok(java);
        }
    }
    find_program("java").ok_or_else(|| {
        anyhow!("`java` is not on the PATH (nor in $JAVA_HOME/bin): {REGISTRY_INSTALL_HINT}")
    })
}

pub(crate) fn find_program(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
