//! Logging for every command: `tracing` events to stderr, human-readable by default or
//! one JSON object per line with `--log-format json` (for log shippers). stdout stays
//! free for the commands' own output, so it can be piped. Levels can change while the
//! daemon runs (`PUT /admin/loggers/{logger}`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer, Registry, reload};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Global logging flags, accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct LoggingArgs {
    /// How log lines are written to stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// Log filter, e.g. `info` or `sluice=debug,warn` (overrides RUST_LOG; default `info`).
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
}

/// Installs the global subscriber. The filter comes from `--log-level`, else
/// `RUST_LOG`, else `info`; the REST API's `/admin/loggers` changes it at run time.
pub fn init(args: &LoggingArgs) -> anyhow::Result<()> {
    let base = match &args.log_level {
        Some(level) => {
            EnvFilter::try_new(level)
                .map_err(|e| anyhow::anyhow!("invalid --log-level `{level}`: {e}"))?;
            level.clone()
        }
        None => std::env::var(EnvFilter::DEFAULT_ENV)
            .ok()
            .filter(|f| EnvFilter::try_new(f).is_ok())
            .unwrap_or_else(|| "info".to_owned()),
    };
    let (filter, handle) = reload::Layer::new(EnvFilter::new(&base));
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        // Through the progress bar, when one is drawn (crate::progress_bar).
        .with_writer(|| crate::progress_bar::LogWriter);
    let fmt: Box<dyn Layer<Registry> + Send + Sync> = match args.log_format {
        LogFormat::Human => fmt.boxed(),
        LogFormat::Json => fmt.json().boxed(),
    };
    tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))?;
    let _ = LEVELS.set(Levels {
        handle,
        state: Mutex::new(LevelState {
            base,
            set: BTreeMap::new(),
        }),
    });
    Ok(())
}

/// The filter of the installed subscriber and the levels set on it at run time.
struct Levels {
    handle: reload::Handle<EnvFilter, Registry>,
    state: Mutex<LevelState>,
}

struct LevelState {
    /// The filter the process started with (`--log-level`, `RUST_LOG`, `info`).
    base: String,
    /// Levels set at run time: logger (a target prefix, e.g. `sluice_runtime`) →
    /// (level, when).
    set: BTreeMap<String, (String, SystemTime)>,
}

static LEVELS: OnceLock<Levels> = OnceLock::new();

/// A logger's level as `/admin/loggers` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoggerLevel {
    pub level: String,
    /// Milliseconds since the epoch of the last change at run time, or null.
    pub last_modified: Option<u64>,
}

/// The levels set at run time, and `root` (the base filter's default level).
pub fn levels() -> BTreeMap<String, LoggerLevel> {
    let Some(levels) = LEVELS.get() else {
        return BTreeMap::new();
    };
    let state = levels.state.lock().unwrap_or_else(|p| p.into_inner());
    let mut out: BTreeMap<String, LoggerLevel> = state
        .set
        .iter()
        .map(|(logger, (level, when))| {
            (
                logger.clone(),
                LoggerLevel {
                    level: level.clone(),
                    last_modified: Some(millis(*when)),
                },
            )
        })
        .collect();
    out.entry("root".to_owned()).or_insert_with(|| LoggerLevel {
        level: root_level(&state.base),
        last_modified: None,
    });
    out
}

/// The default level of a filter (its directive without a target), upper case.
fn root_level(filter: &str) -> String {
    filter
        .split(',')
        .rev()
        .find(|d| !d.contains('='))
        .unwrap_or("info")
        .trim()
        .to_ascii_uppercase()
}

/// Sets `logger` (a target prefix, or `root`) to `level` (Kafka Connect's log4j names:
/// TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF, ALL). Returns the loggers affected, or
/// why not.
pub fn set_level(logger: &str, level: &str) -> Result<Vec<String>, String> {
    let directive = match level.to_ascii_uppercase().as_str() {
        "ALL" | "TRACE" => "trace",
        "DEBUG" => "debug",
        "INFO" => "info",
        "WARN" => "warn",
        "ERROR" | "FATAL" => "error",
        "OFF" => "off",
        _ => return Err(format!("invalid log level '{level}'.")),
    };
    let levels = LEVELS.get().ok_or("logging is not installed")?;
    let mut state = levels.state.lock().unwrap_or_else(|p| p.into_inner());
    let now = SystemTime::now();
    let affected: Vec<String> = if logger.eq_ignore_ascii_case("root") {
        // Every level set at run time gives way to the new root level.
        state.set.clear();
        state.base = directive.to_owned();
        vec!["root".to_owned()]
    } else {
        if logger.is_empty()
            || !logger
                .chars()
                .all(|c| c.is_alphanumeric() || "._:-".contains(c))
        {
            return Err(format!("Logger {logger} not found."));
        }
        let under: Vec<String> = state
            .set
            .keys()
            .filter(|k| k.starts_with(logger))
            .cloned()
            .collect();
        for k in &under {
            state.set.remove(k);
        }
        state
            .set
            .insert(logger.to_owned(), (level.to_ascii_uppercase(), now));
        let mut affected = under;
        affected.push(logger.to_owned());
        affected.sort();
        affected.dedup();
        affected
    };
    let mut filter = state.base.clone();
    for (target, (level, _)) in &state.set {
        let _ = write!(filter, ",{target}={}", level.to_ascii_lowercase());
    }
    let filter = EnvFilter::try_new(&filter).map_err(|e| e.to_string())?;
    levels.handle.reload(filter).map_err(|e| e.to_string())?;
    Ok(affected)
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
