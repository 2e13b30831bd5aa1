//! `sluice transform test COMPONENT --input RECORDS.jsonl [--config k=v]... [--expect FILE]`

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use sluice_engine::{
    FlattenerPlugin, PluginErrorKind, SandboxLimits, TransformPlugin, WasmEngine, WorldKind,
};

use super::jsonl::{parse_record, render_record};

/// What `sluice transform test` and `bench` both take: a component, records for it and
/// its configuration.
#[derive(Debug, clap::Args)]
pub struct Run {
    /// The transform or flattener component (.wasm).
    pub component: PathBuf,
    /// Input records, one JSON object per line (`-` for stdin).
    #[arg(long, short)]
    pub input: PathBuf,
    /// A property of the component, as `name=value` (repeatable).
    #[arg(long = "config", short = 'c', value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub config: Vec<(String, String)>,
    /// CPU budget for a batch, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Memory limit of the instance, in MiB.
    #[arg(long, default_value_t = 64)]
    pub memory_mb: usize,
}

/// Arguments of `sluice transform test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    run: Run,
    /// Expected output records; prints a diff and exits 1 if the output differs.
    #[arg(long)]
    expect: Option<PathBuf>,
}

/// A loaded component, ready to run batches.
pub enum Runner {
    /// A transform.
    Transform(sluice_engine::TransformInstance),
    /// A flattener, which rewrites a batch as a transform does.
    Flattener(sluice_engine::FlattenerInstance),
}

impl Runner {
    /// Loads and configures `run.component` (a transform, else a flattener).
    pub fn load(run: &Run) -> anyhow::Result<Runner> {
        let engine = WasmEngine::new(WasmEngine::default_cache_dir())?;
        let limits = SandboxLimits {
            memory_max_bytes: (run.memory_mb as u64) << 20,
            cpu_budget: Duration::from_millis(run.timeout_ms),
            ..SandboxLimits::default()
        };
        Ok(
            match engine.load_file(&run.component, WorldKind::Transform) {
                Ok(loaded) => Runner::Transform(
                    TransformPlugin::new(&engine, loaded, run.config.clone(), limits)?
                        .instantiate()?,
                ),
                Err(e) if matches!(e.kind, PluginErrorKind::WrongWorld(_)) => {
                    let Ok(loaded) = engine.load_file(&run.component, WorldKind::Flattener) else {
                        return Err(e.into());
                    };
                    Runner::Flattener(
                        FlattenerPlugin::new(&engine, loaded, run.config.clone(), limits)?
                            .instantiate()?,
                    )
                }
                Err(e) => return Err(e.into()),
            },
        )
    }

    /// Runs one batch.
    pub fn run(
        &mut self,
        records: Vec<sluice_record::Record>,
    ) -> Result<sluice_engine::TransformOutput, sluice_engine::PluginError> {
        match self {
            Runner::Transform(t) => t.apply(records),
            Runner::Flattener(f) => f.flatten(records),
        }
    }
}

/// The records of `run.input`.
pub fn read_records(run: &Run) -> anyhow::Result<Vec<sluice_record::Record>> {
    read_lines(&run.input)?
        .iter()
        .enumerate()
        .map(|(i, (n, text))| {
            parse_record(text, i).with_context(|| format!("{}: line {n}", run.input.display()))
        })
        .collect()
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, got `{s}`"))
}

fn read_lines(path: &PathBuf) -> anyhow::Result<Vec<(usize, String)>> {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let mut lines = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line =
            line.with_context(|| format!("{}: cannot read line {}", path.display(), n + 1))?;
        if !line.trim().is_empty() {
            lines.push((n + 1, line));
        }
    }
    Ok(lines)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let records = read_records(&args.run)?;
    let coordinates: Vec<String> = records.iter().map(|r| r.coordinates()).collect();
    let result = Runner::load(&args.run)?.run(records);
    let output = match result {
        Ok(output) => output,
        Err(e) => {
            if let PluginErrorKind::BadRecord { index, .. } = &e.kind {
                let at = coordinates
                    .get(*index as usize)
                    .map(String::as_str)
                    .unwrap_or("?");
                bail!("record {index} ({at}): {e}");
            }
            return Err(e.into());
        }
    };

    let mut failed = false;
    for (record, reason) in &output.rejected {
        let index = coordinates.iter().position(|c| *c == record.coordinates());
        eprintln!(
            "rejected: record {} ({}): {reason}",
            index.map_or("?".to_string(), |i| i.to_string()),
            record.coordinates()
        );
        failed = true;
    }
    let rendered: Vec<serde_json::Value> = output.records.iter().map(render_record).collect();
    let mut out = std::io::stdout().lock();
    match &args.expect {
        None => {
            for r in &rendered {
                writeln!(out, "{r}")?;
            }
        }
        Some(path) => {
            let expected = read_lines(path)?
                .into_iter()
                .map(|(n, text)| {
                    serde_json::from_str::<serde_json::Value>(&text)
                        .with_context(|| format!("{}: line {n} is not JSON", path.display()))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let mismatches = diff(&expected, &rendered, &mut out)?;
            if mismatches == 0 {
                writeln!(
                    out,
                    "ok: {} records match {}",
                    rendered.len(),
                    path.display()
                )?;
            } else {
                writeln!(out, "{mismatches} difference(s) from {}", path.display())?;
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes a record-by-record diff and returns the number of differing records.
fn diff(
    expected: &[serde_json::Value],
    actual: &[serde_json::Value],
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let mut mismatches = 0;
    for i in 0..expected.len().max(actual.len()) {
        let (e, a) = (expected.get(i), actual.get(i));
        if e == a {
            continue;
        }
        mismatches += 1;
        writeln!(out, "record {i}:")?;
        match e {
            Some(e) => writeln!(out, "- {e}")?,
            None => writeln!(out, "- (no record expected)")?,
        }
        match a {
            Some(a) => writeln!(out, "+ {a}")?,
            None => writeln!(out, "+ (no record produced)")?,
        }
    }
    Ok(mismatches)
}
