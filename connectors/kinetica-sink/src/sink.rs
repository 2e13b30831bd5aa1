//! [`KineticaSink`]: writes batches of records and returns once Kinetica has
//! acknowledged them.
//!
//! Per batch: records are grouped by destination table (`crate::plan`); each table is
//! looked up, or created from the first record that maps to columns
//! ([`crate::type_map`], [`crate::schemaless`]); records are converted to rows by column
//! name ([`crate::row`]) and inserted in chunks of `kinetica.batch_size`, through
//! multi-head routing when enabled. Per-record problems are reported, not thrown: the
//! runtime decides with `errors.tolerance`. Fields or keys a table has no column for
//! are not written; that is logged once per table.

use std::collections::HashSet;

use sluice_kinetica::{
    Auth, ClientConfig, Column, KineticaClient, KineticaError, Options, RetryPolicy,
};
use sluice_record::{Record, Value};

use crate::chunk::{self, Chunk, Inserted};
use crate::exactly_once::{CoordinateSlots, ExactlyOnce, coordinate_columns};
use crate::naming::{TableName, TableNamer};
use crate::plan::{Group, Planner};
use crate::report::{RecordError, RecordFailure, SinkError, WriteReport};
use crate::schemaless::columns_for_map;
use crate::settings::SinkSettings;
use crate::tables::{CreateError, Table, Tables};
use crate::type_map::{MappingError, columns_for_schema};

/// Start-up warnings about `kinetica.ssl.*`: hostname verification turned off, or TLS
/// settings that a plain `http://` URL does not use.
fn warn_about_tls(settings: &SinkSettings) {
    use crate::settings::keys;
    let https = settings.url.starts_with("https://");
    if !https && (settings.tls.ca.is_some() || !settings.tls.verify_hostname) {
        tracing::warn!(
            url = %settings.url,
            "{} / {} are set but kinetica.url is not https://: they are not used",
            keys::SSL_CA_LOCATION,
            keys::SSL_ENDPOINT_IDENTIFICATION
        );
    } else if https && !settings.tls.verify_hostname {
        tracing::warn!(
            url = %settings.url,
            "{}=false: Kinetica's certificate is not checked against the host name; any \
             certificate signed by a CA of {} is accepted",
            keys::SSL_ENDPOINT_IDENTIFICATION,
            keys::SSL_CA_LOCATION
        );
    }
}

/// Writes records into Kinetica tables. One per pipeline task; not shared.
pub struct KineticaSink {
    settings: SinkSettings,
    planner: Planner,
    tables: Tables,
    insert_options: Options,
    /// With `kinetica.exactly_once.enable`: the offsets kept with the rows.
    exactly_once: Option<ExactlyOnce>,
}

impl std::fmt::Debug for KineticaSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KineticaSink")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The report being built by one write, with the batch it is about.
pub(crate) struct Outcome<'r> {
    records: &'r [Record],
    pub(crate) report: WriteReport,
}

impl Outcome<'_> {
    pub(crate) fn fail(&mut self, index: usize, error: RecordError) {
        self.report.failures.push(RecordFailure {
            index,
            coordinates: self.records[index].coordinates(),
            error,
        });
    }
}

impl KineticaSink {
    /// Connects to Kinetica and checks that it answers, so that a wrong URL or password
    /// fails at start-up rather than on the first batch. `pipeline` names the
    /// pipeline's rows in the exactly-once offsets table.
    pub async fn new(settings: SinkSettings, pipeline: &str) -> Result<KineticaSink, SinkError> {
        let namer = TableNamer::new(&settings).map_err(|e| SinkError::Fatal(e.to_string()))?;
        let client = KineticaClient::new(ClientConfig {
            url: settings.url.clone(),
            auth: Auth::basic(settings.username.clone(), settings.password.clone()),
            timeout: settings.timeout.unwrap_or_default(),
            retry: RetryPolicy::with_max_retries(settings.retry_count),
            tls: settings.tls.clone(),
        })?;
        warn_about_tls(&settings);
        // A refused certificate fails here, fatally (not retried): the error names the
        // kinetica.ssl.* property to look at.
        client.show_system_status().await?;
        if settings.schema_evolution.enabled {
            tracing::warn!(
                "kinetica.schema_evolution.enabled=true is not supported yet: tables are not \
                 altered, and fields without a column are not written"
            );
        }
        tracing::info!(
            url = %settings.url,
            multihead = settings.enable_multihead,
            batch_size = settings.batch_size,
            "Kinetica sink started"
        );
        let exactly_once = match &settings.exactly_once {
            Some(eo) => Some(ExactlyOnce::open(&client, eo.clone(), pipeline).await?),
            None => None,
        };
        Ok(KineticaSink {
            exactly_once,
            planner: Planner::new(namer, settings.single_table_per_topic),
            tables: Tables::new(client, settings.enable_multihead),
            insert_options: insert_options(settings.update_on_existing_pk),
            settings,
        })
    }

    /// The settings this sink was started with.
    pub fn settings(&self) -> &SinkSettings {
        &self.settings
    }

    /// Writes a batch. Returns once every row the report counts is acknowledged by
    /// Kinetica; records listed in `failures` were not written, tombstones were skipped.
    pub async fn write(&mut self, records: &[Record]) -> Result<WriteReport, SinkError> {
        let plan = self.planner.plan(records);
        let mut out = Outcome {
            records,
            report: WriteReport {
                failures: plan.failures,
                tombstones: plan.tombstones,
                ..WriteReport::default()
            },
        };
        if out.report.tombstones > 0 {
            tracing::debug!(
                count = out.report.tombstones,
                "skipped tombstones (null values)"
            );
        }
        for group in &plan.groups {
            if let Err(e) = self.write_group(group, &mut out).await {
                if let Some(eo) = &mut self.exactly_once {
                    eo.write_failed(records);
                }
                return Err(e);
            }
        }
        out.report.failures.sort_by_key(|f| f.index);
        Ok(out.report)
    }

    /// The offsets stored with the data for newly `assigned` partitions, after
    /// removing their rows above them (exactly-once); empty when off.
    pub async fn positions(
        &mut self,
        assigned: &[sluice_connect::TopicPartition],
    ) -> Result<sluice_connect::Offsets, SinkError> {
        match &mut self.exactly_once {
            Some(eo) => eo.positions(self.tables.client(), assigned).await,
            None => Ok(sluice_connect::Offsets::new()),
        }
    }

    /// Records up to `done` are written, dead-lettered or filtered out: stores the
    /// offsets with the data (exactly-once) before the source commits them.
    pub async fn done(&mut self, done: &sluice_connect::Offsets) -> Result<(), SinkError> {
        match &mut self.exactly_once {
            Some(eo) => eo.done(self.tables.client(), done).await,
            None => Ok(()),
        }
    }

    async fn write_group(&mut self, group: &Group, out: &mut Outcome<'_>) -> Result<(), SinkError> {
        let Some(skip) = self.open_table(group, out).await? else {
            return Ok(());
        };
        if let Some(eo) = &mut self.exactly_once {
            let table = self.tables.get(&group.table).expect("opened above");
            let records = group
                .records
                .iter()
                .filter(|i| !skip.contains(i))
                .map(|&i| &out.records[i]);
            eo.before_insert(self.tables.client(), &table.name, records)
                .await?;
        }
        let batch_size = self.settings.batch_size;
        let mut chunk = Chunk::new(batch_size);
        let mut total = Inserted::default();
        let mut pending = group
            .records
            .iter()
            .copied()
            .filter(|i| !skip.contains(i))
            .peekable();
        while pending.peek().is_some() {
            let table = self.tables.get_mut(&group.table).expect("opened above");
            fill(table, &mut pending, &mut chunk, batch_size, out);
            self.flush(&group.table, &mut chunk, &mut total, out)
                .await?;
        }
        let counts = out
            .report
            .tables
            .entry(group.table.to_string())
            .or_default();
        counts.inserted += total.inserted;
        counts.updated += total.updated;
        counts.sent += total.sent;
        Ok(())
    }

    /// Finds or creates the group's table. Returns the records that already failed
    /// (so are not to be written), or `None` when no record of the group can be.
    async fn open_table(
        &mut self,
        group: &Group,
        out: &mut Outcome<'_>,
    ) -> Result<Option<HashSet<usize>>, SinkError> {
        let mut failed = HashSet::new();
        if let Some(table) = self.tables.find(&group.table).await? {
            if let Some(eo) = &self.exactly_once {
                coordinates(table, eo)?;
            }
            return Ok(Some(failed));
        }
        let table = group.table.to_string();
        if !self.settings.create_table {
            for &i in &group.records {
                out.fail(
                    i,
                    RecordError::TableMissing {
                        table: table.clone(),
                    },
                );
            }
            return Ok(None);
        }
        // The first record whose value maps to columns defines the table; records
        // before it fail with the reason.
        let mut columns = None;
        for (n, &i) in group.records.iter().enumerate() {
            let later = group.records[n + 1..]
                .iter()
                .map(|&j| &out.records[j].value.value);
            match derive_columns(&out.records[i].value.value, later) {
                Ok(c) => {
                    columns = Some(c);
                    break;
                }
                Err(e) => {
                    failed.insert(i);
                    out.fail(i, e.into());
                }
            }
        }
        let Some(mut columns) = columns else {
            return Ok(None);
        };
        if let Some(eo) = &self.exactly_once {
            columns.extend(coordinate_columns(eo.settings()));
        }
        match self.tables.create(&group.table, columns).await {
            Ok(table) => {
                if let Some(eo) = &self.exactly_once {
                    coordinates(table, eo)?;
                }
                Ok(Some(failed))
            }
            Err(CreateError::Sink(e)) => Err(e),
            Err(CreateError::Refused(message)) => {
                for &i in group.records.iter().filter(|i| !failed.contains(i)) {
                    let (table, message) = (table.clone(), message.clone());
                    out.fail(i, RecordError::TableCreation { table, message });
                }
                Ok(None)
            }
        }
    }

    /// Inserts and empties the chunk.
    async fn flush(
        &mut self,
        name: &TableName,
        chunk: &mut Chunk,
        total: &mut Inserted,
        out: &mut Outcome<'_>,
    ) -> Result<(), SinkError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let result = self.insert(name, chunk, out).await;
        chunk.clear();
        *total += result?;
        Ok(())
    }

    async fn insert(
        &mut self,
        name: &TableName,
        chunk: &Chunk,
        out: &mut Outcome<'_>,
    ) -> Result<Inserted, SinkError> {
        let table = self.tables.get(name).expect("table is open");
        let client = self.tables.client();
        let failure = match chunk::insert(client, table, chunk, &self.insert_options, out).await {
            Ok(done) => return Ok(done),
            Err(f) if f.error.is_retriable() => return Err(SinkError::Retriable(f.error)),
            Err(f) => f,
        };
        let error = &failure.error;
        // A table dropped during the write: forget it and let the runtime retry the
        // batch, which finds (or recreates) the table, rather than fail every record.
        if !self.tables.exists(name).await? {
            self.tables.forget(name);
            return Err(SinkError::Retriable(KineticaError::retriable(
                error.endpoint(),
                format!(
                    "table {name} disappeared during the write: {}",
                    error.message()
                ),
            )));
        }
        let table = self.tables.get(name).expect("table is open");
        if table.inserter.is_multi_head() {
            // A rank refused its part, most likely for a row's content.
            return Ok(chunk::reject_refused(table, chunk, &failure, out));
        }
        // Refused rows are reported one by one, so a failed head-node request is not
        // about a row: permissions, a broken table, an option the server refuses.
        Err(SinkError::Fatal(format!(
            "cannot insert into table {name}: {error}"
        )))
    }
}

/// Converts records from `pending` into rows of `table` until the chunk holds
/// `batch_size` rows or no record is left; records that do not convert fail.
fn fill(
    table: &mut Table,
    pending: &mut impl Iterator<Item = usize>,
    chunk: &mut Chunk,
    batch_size: usize,
    out: &mut Outcome<'_>,
) {
    while chunk.len() < batch_size {
        let Some(i) = pending.next() else {
            return;
        };
        let value = &out.records[i].value.value;
        let mut row = match table.rows.build(value) {
            Ok(row) => row,
            Err(e) => {
                out.fail(i, e.into());
                continue;
            }
        };
        if row.has_unmapped_fields && !table.warned_unmapped {
            table.warned_unmapped = true;
            tracing::warn!(
                table = %table.name,
                fields = ?table.rows.unmapped_fields(value),
                "records have fields the table has no column for; they are not written \
                 (logged once per table)"
            );
        }
        if let Some(slots) = &table.coordinates {
            slots.fill(&mut row.cells, &out.records[i]);
        }
        if let Err(e) = chunk.push(&table.ty, &row.cells, i) {
            // One value per column, each of its column's base type: cannot happen
            // unless the row builder is wrong, so say so against the record.
            let message = format!("internal error encoding the row: {e}");
            let table = table.name.clone();
            out.fail(i, RecordError::Rejected { table, message });
        }
    }
}

/// Finds (once per table) where the record coordinates go in the table's rows; a table
/// without the columns cannot take exactly-once writes.
fn coordinates(table: &mut Table, eo: &ExactlyOnce) -> Result<(), SinkError> {
    if table.coordinates.is_some() {
        return Ok(());
    }
    let s = eo.settings();
    let slots = CoordinateSlots::find(&table.ty, s).map_err(|missing| {
        SinkError::Fatal(format!(
            "table {} has no column `{missing}`, which exactly-once delivery needs: add the \
             columns {} (string), {} (int) and {} (long), or set \
             kinetica.exactly_once.enable=false",
            table.name, s.topic_column, s.partition_column, s.offset_column
        ))
    })?;
    table.rows.filled_by_sink(&slots.columns());
    table.coordinates = Some(slots);
    Ok(())
}

/// `update_on_existing_pk` as configured. Without upsert, a row whose primary key
/// exists is dropped without an error (`ignore_existing_pk`), so the first row written
/// wins, as with the Java connector; Kinetica 7.1+ would otherwise refuse the row.
fn insert_options(upsert: bool) -> Options {
    let mut options = Options::from([("update_on_existing_pk".to_owned(), upsert.to_string())]);
    if !upsert {
        options.insert("ignore_existing_pk".to_owned(), "true".to_owned());
    }
    options
}

/// The columns for a new table from one record's value.
fn derive_columns<'a>(
    value: &Value,
    later: impl Iterator<Item = &'a Value> + Clone,
) -> Result<Vec<Column>, MappingError> {
    match value {
        Value::Struct(s) => columns_for_schema(s.schema()),
        Value::Map(entries) => columns_for_map(entries, later),
        other => Err(MappingError::NotARow {
            found: format!("a {}", other.type_name()),
        }),
    }
}
