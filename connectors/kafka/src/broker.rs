//! Apache Kafka itself (4.x, KRaft, one node that is both broker and controller) as a
//! child process, for system tests and benchmarks (docs: `connectors/kafka/README.md`,
//! "Test brokers").
//!
//! The jars come from Maven Central through `connectors/kafka/broker/pom.xml`, cached in
//! `<workspace>/target/kafka-broker/libs` (`.ci/run` fills it; if it is missing it is
//! filled here with `mvn`). A broker gets a directory of its own with a generated
//! `server.properties` (free loopback ports for the broker and controller listeners), a
//! log directory formatted by Kafka's storage tool, and the broker's own log
//! (`broker.log`), and is ready once it answers a metadata request.
//!
//! The JVM is started through a small `sh` wrapper that holds the read end of a pipe
//! whose write end only this process has: when this process exits, however it exits,
//! the pipe closes, and the wrapper kills the JVM and removes the broker's directory. So
//! the broker shared by a test binary (`shared_broker`, with the `testing` feature: a
//! `static` that is never dropped) does not outlive `cargo test`.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::future::Future;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};

/// What to install when Java or Maven is missing.
pub const BROKER_INSTALL_HINT: &str = "the Apache Kafka broker for tests needs a JDK (17 or newer) and \
     Maven: on Debian `apt-get install default-jdk-headless maven` (`.ci/run` installs both)";

/// The pom whose dependencies are the broker's classpath.
const POM: &str = include_str!("../broker/pom.xml");
const POM_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/broker/pom.xml");

/// How long a JVM may take to format a log directory or to accept clients: seconds when
/// the machine is idle, much more on two cores shared with builds.
const START_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a clean shutdown may take before the JVM is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the JVM given as arguments. Reads signal names (`TERM`, `KILL`) from fd 3 (the
/// pipe from the test process) and sends them to the JVM; at the end of that pipe, which
/// comes when the test process exits, kills the JVM and removes `$SLUICE_KAFKA_DIR`.
/// Exits with the JVM's status once the JVM has exited.
const WRAPPER: &str = r#"
exec 3<&0 </dev/null
"$@" 3<&- &
java=$!
(
  while read -r signal <&3; do kill -s "$signal" "$java"; done
  : > "$SLUICE_KAFKA_DIR/orphaned"
  kill -s KILL "$java"
) &
watcher=$!
wait "$java"
status=$?
kill "$watcher" 2>/dev/null
if [ -e "$SLUICE_KAFKA_DIR/orphaned" ]; then rm -rf "$SLUICE_KAFKA_DIR"; fi
exit "$status"
"#;

/// An Apache Kafka broker process on free loopback ports, with a log directory of its
/// own; killed, and its directory removed, on drop (or when this process exits).
pub struct KafkaBroker {
    java: PathBuf,
    libs: PathBuf,
    /// `server.properties`, `log4j2.properties`, `data/` and `broker.log`.
    dir: PathBuf,
    bootstrap_servers: String,
    /// `bootstrap.servers` of each extra listener, by name.
    listeners: Vec<(String, String)>,
    process: Option<Process>,
}

/// Extra listeners and settings for a broker: TLS and SASL listeners for tests of
/// secured clients (`sluice_kafka::testing::SecureBroker` builds them).
#[derive(Debug, Clone, Default)]
pub struct BrokerExtras {
    /// Listeners besides `PLAINTEXT`, as (name, security protocol), e.g.
    /// `("SASL_SSL", "SASL_SSL")`; each gets a free port on 127.0.0.1.
    pub listeners: Vec<(String, String)>,
    /// More `server.properties` lines (keystores, `sasl.enabled.mechanisms`, JAAS).
    pub properties: String,
    /// More arguments of the storage tool's `format` (e.g. `--add-scram …`).
    pub format_args: Vec<String>,
}

/// A running JVM: its wrapper, and the pipe the wrapper reads signals from.
struct Process {
    wrapper: Child,
    control: ChildStdin,
}

/// The broker shared by the tests of one test binary, started by the first test that
/// asks (JVM start-up takes seconds, see `connectors/kafka/README.md`). Tests sharing it
/// must use topics and group ids of their own, and must not stop it: a test that
/// restarts a broker starts its own with [`KafkaBroker::start`].
///
/// # Panics
///
/// When the broker cannot be started, with the reason (e.g. [`BROKER_INSTALL_HINT`]); every
/// test that asks afterwards panics with the same reason.
#[cfg(feature = "testing")]
pub fn shared_broker() -> &'static KafkaBroker {
    static SHARED: std::sync::OnceLock<Result<KafkaBroker, String>> = std::sync::OnceLock::new();
    SHARED
        .get_or_init(|| {
            let broker = KafkaBroker::start().map_err(|error| format!("{error:#}"))?;
            eprintln!(
                "shared Kafka broker at {} (log: {})",
                broker.bootstrap_servers(),
                broker.log_path().display()
            );
            Ok(broker)
        })
        .as_ref()
        .unwrap_or_else(|error| panic!("cannot start the shared Kafka broker: {error}"))
}

impl KafkaBroker {
    /// Starts a broker with an empty log directory and returns once it answers metadata
    /// requests. Fails with [`BROKER_INSTALL_HINT`] when Java or Maven is missing.
    pub fn start() -> Result<KafkaBroker> {
        KafkaBroker::start_with(&BrokerExtras::default())
    }

    /// [`start`](KafkaBroker::start) with extra listeners and settings; the extra
    /// listeners' addresses are [`listener`](KafkaBroker::listener).
    pub fn start_with(extras: &BrokerExtras) -> Result<KafkaBroker> {
        let java = find_java()?;
        let libs = broker_libs()?;
        // The ports are free when picked but could be taken before the JVM binds them.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut broker = KafkaBroker::prepare(&java, &libs, extras)?;
            match broker.launch() {
                Ok(()) => return Ok(broker),
                Err(error) if attempts < 3 && broker.log().contains("Address already in use") => {
                    tracing::warn!("Kafka broker port taken, retrying on others: {error:#}");
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// A new directory with the broker's configuration and a formatted log directory.
    fn prepare(java: &Path, libs: &Path, extras: &BrokerExtras) -> Result<KafkaBroker> {
        let dir = new_dir()?;
        let mut broker = KafkaBroker {
            java: java.to_path_buf(),
            libs: libs.to_path_buf(),
            dir,
            bootstrap_servers: String::new(),
            listeners: Vec::new(),
            process: None,
        };
        // All held at once, so that they differ.
        let (broker_listener, controller_listener) = (free_port()?, free_port()?);
        let extra_ports = extras
            .listeners
            .iter()
            .map(|_| free_port())
            .collect::<Result<Vec<_>>>()?;
        let (port, controller_port) = (
            broker_listener.local_addr()?.port(),
            controller_listener.local_addr()?.port(),
        );
        let mut listeners = format!("PLAINTEXT://127.0.0.1:{port}");
        let mut protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT".to_owned();
        for ((name, protocol), listener) in extras.listeners.iter().zip(&extra_ports) {
            let address = format!("127.0.0.1:{}", listener.local_addr()?.port());
            listeners.push_str(&format!(",{name}://{address}"));
            protocols.push_str(&format!(",{name}:{protocol}"));
            broker.listeners.push((name.clone(), address));
        }
        drop((broker_listener, controller_listener, extra_ports));
        broker.bootstrap_servers = format!("127.0.0.1:{port}");
        let data = broker.data_dir();
        let properties = format!(
            "# Generated by sluice_kafka::testing (connectors/kafka/src/testing/broker.rs).\n\
             process.roles=broker,controller\n\
             node.id=1\n\
             controller.quorum.voters=1@127.0.0.1:{controller_port}\n\
             listeners={listeners},CONTROLLER://127.0.0.1:{controller_port}\n\
             advertised.listeners={listeners}\n\
             listener.security.protocol.map={protocols}\n\
             controller.listener.names=CONTROLLER\n\
             inter.broker.listener.name=PLAINTEXT\n\
             log.dirs={data}\n\
             num.partitions=1\n\
             # One node: every internal topic has one replica (the defaults want three).\n\
             offsets.topic.replication.factor=1\n\
             offsets.topic.num.partitions=1\n\
             transaction.state.log.replication.factor=1\n\
             transaction.state.log.min.isr=1\n\
             transaction.state.log.num.partitions=1\n\
             share.coordinator.state.topic.replication.factor=1\n\
             share.coordinator.state.topic.min.isr=1\n\
             # A group's first assignment without the 3 s wait for more members, and short\n\
             # session timeouts allowed for tests of members that die.\n\
             group.initial.rebalance.delay.ms=0\n\
             group.min.session.timeout.ms=1000\n\
             {extra}\n",
            data = data.display(),
            extra = extras.properties,
        );
        fs::write(broker.dir.join("server.properties"), properties)?;
        // Kafka logs through Log4j 2; to stdout, which the wrapper sends to broker.log.
        fs::write(
            broker.dir.join("log4j2.properties"),
            "rootLogger.level=INFO\n\
             rootLogger.appenderRef.stdout.ref=STDOUT\n\
             appender.stdout.type=Console\n\
             appender.stdout.name=STDOUT\n\
             appender.stdout.layout.type=PatternLayout\n\
             appender.stdout.layout.pattern=[%d] %p %m (%c)%n\n",
        )?;
        broker.format(&extras.format_args)?;
        Ok(broker)
    }

    /// `kafka-storage.sh format` on the log directory, with a new cluster id.
    fn format(&self, extra_args: &[String]) -> Result<()> {
        // A short-lived tool: a small heap and the quick compiler start it sooner.
        let output = Command::new(&self.java)
            .args(self.jvm_args())
            .args(["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"])
            .args([
                "kafka.tools.StorageTool",
                "format",
                "-t",
                &cluster_id()?,
                "-c",
            ])
            .arg(self.dir.join("server.properties"))
            .args(extra_args)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", self.java.display()))?;
        let mut log = self.open_log()?;
        log.write_all(&output.stdout)?;
        log.write_all(&output.stderr)?;
        if !output.status.success() {
            bail!(
                "Kafka's storage tool failed ({}) to format {}:\n{}",
                output.status,
                self.data_dir().display(),
                self.log_tail()
            );
        }
        Ok(())
    }

    /// Starts the JVM on the prepared directory and waits until it serves clients.
    fn launch(&mut self) -> Result<()> {
        if self.process.is_some() {
            bail!("the Kafka broker at {} is running", self.bootstrap_servers);
        }
        let log = self.open_log()?;
        let mut wrapper = Command::new("sh")
            .args(["-c", WRAPPER, "sluice-kafka-broker"])
            .arg(&self.java)
            .args(self.jvm_args())
            // As `kafka-server-start.sh`, with a smaller initial heap.
            .args([
                "-Xms256m",
                "-Xmx1g",
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
            ])
            .arg("kafka.Kafka")
            .arg(self.dir.join("server.properties"))
            .env("SLUICE_KAFKA_DIR", &self.dir)
            .stdin(Stdio::piped())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot run sh")?;
        let control = wrapper.stdin.take().expect("stdin is piped");
        self.process = Some(Process { wrapper, control });
        if let Err(error) = self.wait_until_ready() {
            let _ = self.signal_and_wait("KILL");
            return Err(error);
        }
        Ok(())
    }

    /// The JVM's classpath and logging configuration.
    fn jvm_args(&self) -> Vec<OsString> {
        let mut classpath = self.libs.clone().into_os_string();
        // Java expands `dir/*` to the jars in dir itself.
        classpath.push("/*");
        let mut log4j = OsString::from("-Dlog4j2.configurationFile=");
        log4j.push(self.dir.join("log4j2.properties"));
        vec![
            "-cp".into(),
            classpath,
            log4j,
            "-Djava.awt.headless=true".into(),
        ]
    }

    /// Sends metadata requests until the broker answers one listing itself, the JVM
    /// exits, or [`START_TIMEOUT`] passes. Each request waits for its answer (or its
    /// timeout), and librdkafka paces the reconnects: no fixed sleeps.
    fn wait_until_ready(&mut self) -> Result<()> {
        let client: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap_servers)
            .set("reconnect.backoff.ms", "10")
            .set("reconnect.backoff.max.ms", "100")
            .create()
            .context("cannot create a metadata client")?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let process = self.process.as_mut().expect("launched");
            if let Some(status) = process.wrapper.try_wait()? {
                self.process = None;
                bail!(
                    "the Kafka broker exited ({status}) before accepting clients on {}:\n{}",
                    self.bootstrap_servers,
                    self.log_tail()
                );
            }
            match client.fetch_metadata(None, Duration::from_millis(500)) {
                Ok(metadata) if !metadata.brokers().is_empty() => return Ok(()),
                _ if Instant::now() >= deadline => bail!(
                    "the Kafka broker did not answer on {} within {START_TIMEOUT:?}:\n{}",
                    self.bootstrap_servers,
                    self.log_tail()
                ),
                _ => {}
            }
        }
    }

    /// The broker's `bootstrap.servers` (`127.0.0.1:<port>`), the same after
    /// [`start_again`](KafkaBroker::start_again).
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap_servers
    }

    /// The `bootstrap.servers` of the extra listener `name` (see
    /// [`start_with`](KafkaBroker::start_with)).
    pub fn listener(&self, name: &str) -> Option<&str> {
        self.listeners
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, address)| address.as_str())
    }

    /// This broker's directory (configuration, log directory, broker log), removed with
    /// the broker: a place for files that live as long as it.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates a topic with one replica and returns once the broker's metadata shows a
    /// leader for every partition.
    pub fn create_topic(&self, topic: &str, partitions: i32) -> Result<()> {
        let context = || format!("cannot create topic {topic} on {}", self.bootstrap_servers);
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap_servers)
            .create()
            .with_context(context)?;
        let options = AdminOptions::new()
            .request_timeout(Some(START_TIMEOUT))
            .operation_timeout(Some(START_TIMEOUT));
        let results = block_on(admin.create_topics(
            &[NewTopic::new(topic, partitions, TopicReplication::Fixed(1))],
            &options,
        ))
        .with_context(context)?;
        for result in results {
            if let Err((_, code)) = result {
                return Err(anyhow!("{code}")).with_context(context);
            }
        }
        // The controller has created it; the broker's metadata follows a moment later.
        // Kafka sends no notice of that, so ask until it shows (usually the first answer).
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let metadata = admin
                .inner()
                .fetch_metadata(Some(topic), START_TIMEOUT)
                .with_context(context)?;
            let ready = metadata.topics().iter().any(|t| {
                t.name() == topic
                    && t.error().is_none()
                    && t.partitions().len() == partitions as usize
                    && t.partitions().iter().all(|p| p.leader() >= 0)
            });
            if ready {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("{}: no leaders after {START_TIMEOUT:?}", context());
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Shuts the broker down cleanly (SIGTERM, as `kafka-server-stop.sh` does) and waits
    /// until the JVM has exited; kills it if that takes longer than a minute. The log
    /// directory and the ports stay for [`start_again`](KafkaBroker::start_again).
    pub fn stop(&mut self) -> Result<()> {
        self.signal_and_wait("TERM").map(drop)
    }

    /// Kills the broker (SIGKILL: a crash, nothing flushed) and waits until it is gone.
    pub fn kill(&mut self) -> Result<()> {
        self.signal_and_wait("KILL").map(drop)
    }

    /// Starts the broker again after [`stop`](KafkaBroker::stop) or
    /// [`kill`](KafkaBroker::kill): same ports, same log directory (topics, records and
    /// committed offsets are kept), so clients reconnect to the address they had.
    pub fn start_again(&mut self) -> Result<()> {
        self.launch()
    }

    /// [`stop`](KafkaBroker::stop), then [`start_again`](KafkaBroker::start_again).
    pub fn restart(&mut self) -> Result<()> {
        self.stop()?;
        self.start_again()
    }

    /// Whether the JVM is running (it may have died by itself).
    pub fn is_running(&mut self) -> bool {
        match self.process.as_mut().map(|p| p.wrapper.try_wait()) {
            Some(Ok(None)) => true,
            Some(_) => {
                self.process = None;
                false
            }
            None => false,
        }
    }

    /// The broker's own log (all its runs), for diagnosing a failed test.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("broker.log")
    }

    /// Kafka's log directory (`log.dirs`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Sends `signal` to the JVM and waits until it has exited, killing it after
    /// [`STOP_TIMEOUT`]. `None` when it was not running.
    fn signal_and_wait(&mut self, signal: &str) -> Result<Option<ExitStatus>> {
        let Some(Process {
            mut wrapper,
            mut control,
        }) = self.process.take()
        else {
            return Ok(None);
        };
        // Fails only if the wrapper is gone already; waiting below tells.
        let _ = writeln!(control, "{signal}");
        let (exited_tx, exited) = mpsc::channel();
        let waiter = thread::spawn(move || {
            let status = wrapper.wait();
            let _ = exited_tx.send(());
            status
        });
        if exited.recv_timeout(STOP_TIMEOUT).is_err() {
            tracing::warn!(
                "the Kafka broker at {} did not stop within {STOP_TIMEOUT:?}: killing it",
                self.bootstrap_servers
            );
            let _ = writeln!(control, "KILL");
        }
        let status = waiter.join().expect("the waiter does not panic")?;
        // Only now: the end of the pipe would make the wrapper remove the directory.
        drop(control);
        Ok(Some(status))
    }

    fn open_log(&self) -> Result<File> {
        let path = self.log_path();
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))
    }

    fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        format!(
            "(last lines of {})\n{}",
            self.log_path().display(),
            lines[lines.len().saturating_sub(30)..].join("\n")
        )
    }
}

impl Drop for KafkaBroker {
    fn drop(&mut self) {
        // Everything is deleted next, so there is nothing to shut down cleanly for.
        let _ = self.signal_and_wait("KILL");
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The directory of the broker's jars: `$SLUICE_KAFKA_LIBS` if set, else the cache
/// `<workspace>/target/kafka-broker/libs`, filled with `mvn dependency:copy-dependencies`
/// of `connectors/kafka/broker/pom.xml` when it does not hold this pom's Kafka.
fn broker_libs() -> Result<PathBuf> {
    let jar = format!("kafka_2.13-{}.jar", kafka_version()?);
    if let Some(dir) = std::env::var_os("SLUICE_KAFKA_LIBS") {
        let dir = PathBuf::from(dir);
        if !dir.join(&jar).is_file() {
            bail!(
                "SLUICE_KAFKA_LIBS={} has no {jar}; unset it to have the jars fetched with \
                 Maven, or fill it with `mvn dependency:copy-dependencies -f {POM_PATH} \
                 -DoutputDirectory={}`",
                dir.display(),
                dir.display()
            );
        }
        return Ok(dir);
    }
    let cache = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("connectors/kafka is two levels below the workspace")
        .join("target/kafka-broker");
    let libs = cache.join("libs");
    if libs.join(&jar).is_file() {
        return Ok(libs);
    }
    let mvn = find_program("mvn").ok_or_else(|| {
        anyhow!(
            "the Apache Kafka broker's jars are not in {} and Maven (`mvn`) is not on the \
             PATH to fetch them: {BROKER_INSTALL_HINT}",
            libs.display()
        )
    })?;
    // Into a directory of its own, then renamed: an interrupted download leaves no
    // half-filled cache, and the jars of an older pom are not mixed with these.
    fs::create_dir_all(&cache).with_context(|| format!("cannot create {}", cache.display()))?;
    let fresh = cache.join(format!("libs.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&fresh);
    let output = Command::new(&mvn)
        .args(["-q", "-B", "-Dstyle.color=never", "-f", POM_PATH])
        .arg("dependency:copy-dependencies")
        .arg(format!("-DoutputDirectory={}", fresh.display()))
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", mvn.display()))?;
    if !output.status.success() || !fresh.join(&jar).is_file() {
        let _ = fs::remove_dir_all(&fresh);
        bail!(
            "`mvn dependency:copy-dependencies -f {POM_PATH}` did not fetch {jar} ({}); Maven \
             Central must be reachable:\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let _ = fs::remove_dir_all(&libs);
    if let Err(error) = fs::rename(&fresh, &libs) {
        let _ = fs::remove_dir_all(&fresh);
        // Another test binary filled it at the same time.
        if !libs.join(&jar).is_file() {
            return Err(error).with_context(|| format!("cannot fill {}", libs.display()));
        }
    }
    Ok(libs)
}

/// The `kafka_2.13` version in the pom.
fn kafka_version() -> Result<&'static str> {
    let after = POM
        .split_once("<artifactId>kafka_2.13</artifactId>")
        .map(|(_, after)| after);
    after
        .and_then(|after| after.split_once("<version>"))
        .and_then(|(_, rest)| rest.split_once("</version>"))
        .map(|(version, _)| version.trim())
        .ok_or_else(|| anyhow!("{POM_PATH} names no kafka_2.13 version"))
}

/// `$JAVA_HOME/bin/java`, else `java` on the PATH.
pub(crate) fn find_java() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        let java = PathBuf::from(home).join("bin/java");
        if java.is_file() {
            return Ok(java);
        }
    }
    find_program("java").ok_or_else(|| {
        anyhow!("`java` is not on the PATH (nor in $JAVA_HOME/bin): {BROKER_INSTALL_HINT}")
    })
}

fn find_program(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A new, empty directory under the system's temporary directory.
pub(crate) fn new_dir() -> Result<PathBuf> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    loop {
        let dir = std::env::temp_dir().join(format!(
            "sluice-kafka-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            // Left by an earlier process with the same id.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => {
                return Err(error).with_context(|| format!("cannot create {}", dir.display()));
            }
        }
    }
}

fn free_port() -> Result<TcpListener> {
    TcpListener::bind("127.0.0.1:0").context("no free port on 127.0.0.1")
}

/// A random cluster id. Never one starting with `-`, which the storage tool would take
/// for an option (Kafka's own `Uuid.randomUuid` avoids them too).
fn cluster_id() -> Result<String> {
    let mut urandom = File::open("/dev/urandom").context("cannot open /dev/urandom")?;
    loop {
        let mut bytes = [0u8; 16];
        std::io::Read::read_exact(&mut urandom, &mut bytes).context("cannot read /dev/urandom")?;
        let id = encode_uuid(bytes);
        if !id.starts_with('-') && bytes != [0; 16] {
            return Ok(id);
        }
    }
}

/// A UUID as Kafka writes them: URL-safe base64 without padding.
fn encode_uuid(bytes: [u8; 16]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bits = u128::from_be_bytes(bytes);
    // 22 characters of 6 bits = 132 bits: the 128 bits, then 4 zero bits.
    (0..22)
        .map(|i| {
            let shift = 128i32 - 6 * (i + 1);
            let sextet = if shift >= 0 {
                (bits >> shift) & 0x3f
            } else {
                (bits << -shift) & 0x3f
            };
            ALPHABET[sextet as usize] as char
        })
        .collect()
}

/// Runs a future to completion on this thread. rdkafka's admin futures are completed by
/// the admin client's own polling thread, so no async runtime is needed.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pom_names_a_kafka_4_broker() {
        assert!(kafka_version().unwrap().starts_with("4."));
    }

    #[test]
    fn uuids_are_url_safe_base64_without_padding() {
        let bytes: [u8; 16] = std::array::from_fn(|i| i as u8);
        assert_eq!(encode_uuid(bytes), "AAECAwQFBgcICQoLDA0ODw");
        assert_eq!(encode_uuid([0xff; 16]), "_____________________w");
    }

    #[test]
    fn cluster_ids_are_22_url_safe_characters() {
        let id = cluster_id().unwrap();
        assert_eq!(id.len(), 22, "{id}");
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{id}"
        );
        assert_ne!(id, cluster_id().unwrap());
        // 1 in 64 would start with `-` if that were not avoided.
        assert!((0..1000).all(|_| !cluster_id().unwrap().starts_with('-')));
    }
}
