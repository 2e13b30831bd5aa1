//! The Kinetica emulator of a benchmark run, in a process of its own (`sluice
//! kinetica-emulator`): the CPU time and the peak memory `sluice bench` reports are the
//! pipeline's alone, not those of a database that keeps every row it is sent.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::Context as _;
use sluice_kinetica::protocol::ShowTableRequest;
use sluice_kinetica::types::prop;
use sluice_kinetica::{BaseType, ClientConfig, Column, KineticaClient, KineticaType, Options};

/// A running `sluice kinetica-emulator`, stopped when dropped.
pub struct EmulatorProcess {
    child: Child,
    url: String,
    client: KineticaClient,
}

impl EmulatorProcess {
    /// Starts this binary's emulator with `workers` worker ranks on free ports.
    pub fn start(workers: usize) -> anyhow::Result<EmulatorProcess> {
        let exe = std::env::current_exe().context("cannot find the sluice binary")?;
        let mut child = Command::new(exe)
            .args(["--log-level", "warn", "kinetica-emulator", "--port", "0"])
            .args(["--workers", &workers.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start `sluice kinetica-emulator`")?;
        let stdout = child.stdout.take().expect("stdout is piped");
        // The first line names the head node; it is printed once every rank listens.
        let mut lines = BufReader::new(stdout).lines();
        let url = lines
            .next()
            .transpose()?
            .and_then(|l| l.strip_prefix("Kinetica emulator at ").map(str::to_owned));
        let Some(url) = url else {
            let _ = child.kill();
            anyhow::bail!("`sluice kinetica-emulator` did not say where it listens");
        };
        // The rest of what it prints is not needed, but a full pipe would block it.
        std::thread::spawn(move || lines.for_each(drop));
        let client = KineticaClient::new(ClientConfig::new(&url))?;
        Ok(EmulatorProcess { child, url, client })
    }

    /// The emulator's process id, to read its CPU time.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Rows in all tables.
    pub async fn rows(&self) -> anyhow::Result<u64> {
        let response = self
            .client
            .call(&ShowTableRequest {
                table_name: String::new(),
                options: Options::from([("get_sizes".into(), "true".into())]),
            })
            .await?;
        Ok(u64::try_from(response.total_size).unwrap_or(0))
    }

    /// Creates `table` with the columns the sink would give the bench's schemaless JSON
    /// records, but sharded on `id`: created tables get no shard key (the sink cannot
    /// guess one), so a run over a sharded table needs it made up front, as users do.
    pub async fn create_sharded_table(&self, table: &str) -> anyhow::Result<()> {
        let nullable = |name: &str, base| Column::new(name, base).with_property(prop::NULLABLE);
        let ty = KineticaType::new(vec![
            Column::new("id", BaseType::Long).with_property(prop::SHARD_KEY),
            nullable("symbol", BaseType::String),
            nullable("price", BaseType::Double),
            nullable("size", BaseType::Long),
            nullable("ts", BaseType::Long),
            nullable("pad", BaseType::String),
        ])?;
        let type_id = self.client.create_type(&ty, table).await?;
        self.client
            .create_table(table, &type_id, Options::new())
            .await?;
        Ok(())
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
