//! [`KineticaSink`]: writes batches of records and returns once Kinetica has
//! acknowledged them.
//!
//! Per batch: records are grouped by destination table (`crate::plan`); each table is
//! looked up, or created from the first record that maps to columns
//! ([`crate::type_map`], [`crate::schemaless`]); records are converted to rows by column
//! name ([`crate::row`]) and inserted in chunks of `kinetica.batch_size`, through
//! multi-head routing when enabled. Per-record problems are reported, not thrown: the
//! runtime decides with `errors.tolerance`. Before a group is written, each record
//! schema is checked against its table once (`crate::evolve`): with schema evolution the
//! table is altered for it first; without, fields the table has no column for are not
//! written, which is logged once per table and schema (once per table for schemaless
//! keys).

use std::collections::HashSet;
use std::sync::Arc;

use sluice_connect::metrics::RequestMetrics;
use sluice_kinetica::{
    Auth, ClientConfig, Column, KineticaClient, KineticaError, Options, RetryPolicy,
};
use sluice_record::{Record, SchemaRef, Value};

use crate::chunk::{self, Chunk, Inserted};
use crate::evolve::{self, Alteration};
use crate::exactly_once::{CoordinateSlots, ExactlyOnce, coordinate_columns};
use crate::naming::{TableName, TableNamer};
use crate::plan::{Group, Planner};
use crate::report::{RecordError, RecordFailure, SinkError, WriteReport};
use crate::schemaless::columns_for_map;
use crate::settings::{SinkSettings, keys};
use crate::tables::{CreateError, Table, Tables};
use crate::type_map::{MappingError, columns_for_schema};

/// Start-up warnings about `kinetica.ssl.*`: hostname verification turned off, or TLS
/// settings that a plain `http://` URL does not use.
fn warn_about_tls(settings: &SinkSettings) {
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
    pub(crate) records: &'r [Record],
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
        KineticaSink::connect(settings, pipeline, None).await
    }

    /// [`KineticaSink::new`], recording every request to Kinetica in `requests`.
    pub async fn connect(
        settings: SinkSettings,
        pipeline: &str,
        requests: Option<Arc<RequestMetrics>>,
    ) -> Result<KineticaSink, SinkError> {
        let namer = TableNamer::new(&settings).map_err(|e| SinkError::Fatal(e.to_string()))?;
        let client = KineticaClient::new(ClientConfig {
            url: settings.url.clone(),
            auth: Auth::basic(settings.username.clone(), settings.password.clone()),
            timeout: settings.timeout.unwrap_or_default(),
            retry: RetryPolicy::with_max_retries(settings.retry_count),
            tls: settings.tls.clone(),
            requests,
        })?;
        warn_about_tls(&settings);
        // A refused certificate fails here, fatally (not retried): the error names the
        // kinetica.ssl.* property to look at.
        client.show_system_status().await?;
        tracing::info!(
            url = %settings.url,
            multihead = settings.enable_multihead,
            batch_size = settings.batch_size,
            schema_evolution = settings.schema_evolution.enabled,
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
        let Some(mut skip) = self.open_table(group, out).await? else {
            return Ok(());
        };
        self.check_schemas(group, out, &mut skip).await?;
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

    /// Checks each struct schema in the group against the table, once per table and
    /// schema, altering the table first when schema evolution asks for it
    /// ([`crate::evolve`]); adds columns for new schemaless keys. Records whose schema
    /// the table cannot take fail and join `skip`.
    async fn check_schemas(
        &mut self,
        group: &Group,
        out: &mut Outcome<'_>,
        skip: &mut HashSet<usize>,
    ) -> Result<(), SinkError> {
        let evolution = self.settings.schema_evolution;
        let adding = evolution.enabled && evolution.add_new_fields_as_columns;
        let mut schemas: Vec<SchemaRef> = Vec::new();
        let mut new_keys: Vec<Column> = Vec::new();
        let table = self.tables.get(&group.table).expect("opened above");
        // Consecutive records nearly always share their schema: one address compare
        // per record, a lookup only when it changes.
        let mut last = 0;
        for &i in group.records.iter().filter(|i| !skip.contains(i)) {
            match &out.records[i].value.value {
                Value::Struct(s) => {
                    let key = schema_key(s.schema());
                    if key != last {
                        last = key;
                        if !table.schemas.contains_key(&key)
                            && !schemas.iter().any(|n| schema_key(n) == key)
                        {
                            schemas.push(s.schema().clone());
                        }
                    }
                }
                // Schemaless records have no schema to remember: their keys are looked
                // at one by one, as the row builder does anyway.
                Value::Map(entries) if adding => {
                    for (k, v) in entries {
                        let Some(name) = k.as_str() else { continue };
                        if table.ty.column_index(name).is_none()
                            && !new_keys.iter().any(|c| c.name == name)
                            && let Some(column) = evolve::column_for_new_key(name, v)
                        {
                            new_keys.push(column);
                        }
                    }
                }
                _ => {}
            }
        }
        for schema in schemas {
            self.check_schema(&group.table, schema).await?;
        }
        if !new_keys.is_empty() {
            self.add_key_columns(&group.table, new_keys).await?;
        }
        let table = self.tables.get(&group.table).expect("opened above");
        if table.schemas.values().all(|(_, failure)| failure.is_none()) {
            return Ok(());
        }
        for &i in &group.records {
            let Value::Struct(s) = &out.records[i].value.value else {
                continue;
            };
            let failure = table.schemas.get(&schema_key(s.schema()));
            if let Some((_, Some(error))) = failure
                && skip.insert(i)
            {
                out.fail(i, error.clone());
            }
        }
        Ok(())
    }

    /// Checks one struct schema against the table, alters the table for it when
    /// evolution is on, and remembers the outcome.
    async fn check_schema(&mut self, name: &TableName, schema: SchemaRef) -> Result<(), SinkError> {
        let evolution = self.settings.schema_evolution;
        let filled = |t: &Table| t.coordinates.as_ref().map(|c| c.columns().to_vec());
        let table = self.tables.get(name).expect("opened above");
        let mut changes = evolve::changes_for(
            &schema,
            &table.ty,
            &filled(table).unwrap_or_default(),
            evolution,
        );
        let doomed = changes.incompatible.is_some() || changes.unmappable.is_some();
        let mut refused = Vec::new();
        if !changes.alterations.is_empty() && !doomed {
            refused = self.alter(name, &changes.alterations).await?;
            let table = self.tables.refresh(name).await?;
            if let Some(eo) = &self.exactly_once {
                coordinates(table, eo)?;
            }
            let sink_filled = filled(table).unwrap_or_default();
            changes = evolve::changes_for(&schema, &table.ty, &sink_filled, evolution);
        }
        let table = self.tables.get_mut(name).expect("opened above");
        let failure = if let Some(e) = changes.unmappable {
            Some(RecordError::Mapping(e))
        } else if let Some(i) = changes.incompatible {
            Some(RecordError::IncompatibleField {
                table: table.name.clone(),
                field: i.field,
                found: i.found,
                column: i.column,
            })
        } else {
            changes.alterations.first().map(|a| {
                let field = a.column.name.clone();
                let message = refused
                    .iter()
                    .find(|(column, _)| *column == field)
                    .map(|(_, m): &(String, String)| m.clone())
                    .unwrap_or_else(|| "the table's type did not change".to_owned());
                RecordError::Alteration {
                    table: table.name.clone(),
                    field,
                    message,
                }
            })
        };
        if !changes.ignored.is_empty() {
            let hint = if evolution.enabled {
                format!("set {}=true to add them", keys::ADD_NEW_FIELDS_AS_COLUMNS)
            } else {
                format!(
                    "set {}=true and {}=true to add them",
                    keys::EVOLUTION_ENABLED,
                    keys::ADD_NEW_FIELDS_AS_COLUMNS
                )
            };
            tracing::warn!(
                table = %table.name,
                fields = ?changes.ignored,
                "a record schema has fields the table has no column for, so their values \
                 are not written; {hint} as columns (logged once per table and schema)"
            );
        }
        if let Some(e) = &failure {
            tracing::warn!(
                table = %table.name,
                error = %e,
                "records of a schema cannot be written into the table; each fails under the \
                 error policy (logged once per table and schema)"
            );
        }
        if table.schemas.len() >= MAX_SCHEMAS {
            table.schemas.clear();
        }
        table.schemas.insert(schema_key(&schema), (schema, failure));
        Ok(())
    }

    /// Adds nullable columns for new schemaless keys. A key Kinetica refuses a column for
    /// is not written, and said so.
    async fn add_key_columns(
        &mut self,
        name: &TableName,
        columns: Vec<Column>,
    ) -> Result<(), SinkError> {
        let alterations: Vec<Alteration> = columns
            .into_iter()
            .map(|column| Alteration {
                action: "add_column",
                column,
            })
            .collect();
        let refused = self.alter(name, &alterations).await?;
        let table = self.tables.refresh(name).await?;
        if let Some(eo) = &self.exactly_once {
            coordinates(table, eo)?;
        }
        for (column, message) in refused {
            if table.ty.column_index(&column).is_none() {
                tracing::warn!(
                    table = %table.name,
                    column,
                    error = message,
                    "Kinetica refused a column for a new key of schemaless records; the \
                     key's values are not written"
                );
            }
        }
        Ok(())
    }

    /// Makes the alterations one `/alter/table` call each. Returns the ones Kinetica
    /// refused, as (column, message): another writer may have made the same change first
    /// ("already exists"), so the caller reads the table again and checks anew rather
    /// than trusting either answer.
    async fn alter(
        &self,
        name: &TableName,
        alterations: &[Alteration],
    ) -> Result<Vec<(String, String)>, SinkError> {
        let qualified = name.to_string();
        let client = self.tables.client();
        let mut refused = Vec::new();
        for a in alterations {
            let column = &a.column.name;
            match client
                .alter_table(&qualified, a.action, column, a.options())
                .await
            {
                Ok(_) => tracing::info!(
                    table = %qualified,
                    column = %column,
                    action = a.action,
                    column_type = %a.column.base,
                    properties = ?a.column.wire_properties(),
                    "altered Kinetica table for a new record schema"
                ),
                Err(e) if e.is_retriable() => return Err(SinkError::Retriable(e)),
                Err(e) => {
                    tracing::debug!(table = %qualified, column = %column, error = %e, "alter refused");
                    refused.push((column.clone(), e.message().to_owned()));
                }
            }
        }
        Ok(refused)
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
    let records = out.records;
    // Each row is encoded before the next is built: one vector of cells serves them all.
    let mut cells = Vec::new();
    while chunk.len() < batch_size {
        let Some(i) = pending.next() else {
            return;
        };
        let value = &records[i].value.value;
        let has_unmapped_fields = match table.rows.build_into(value, &mut cells) {
            Ok(has_unmapped_fields) => has_unmapped_fields,
            Err(e) => {
                out.fail(i, e.into());
                continue;
            }
        };
        // Struct schemas were told about when checked (once per table and schema).
        if has_unmapped_fields && !table.warned_unmapped && matches!(value, Value::Map(_)) {
            table.warned_unmapped = true;
            tracing::warn!(
                table = %table.name,
                keys = ?table.rows.unmapped_fields(value),
                "schemaless records have keys the table has no column for, so their values \
                 are not written; set {}=true and {}=true to add them as columns (logged once \
                 per table)",
                keys::EVOLUTION_ENABLED,
                keys::ADD_NEW_FIELDS_AS_COLUMNS
            );
        }
        if let Some(slots) = &table.coordinates {
            slots.fill(&mut cells, &records[i]);
        }
        if let Err(e) = chunk.push(&table.ty, &cells, i) {
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

/// Struct schemas remembered per table; more means a converter makes a schema object
/// per record, and the cache starts over rather than grow.
const MAX_SCHEMAS: usize = 256;

/// A schema's identity: its address (records of one schema share it, see
/// `sluice_record::SchemaRef`).
fn schema_key(schema: &SchemaRef) -> usize {
    Arc::as_ptr(schema) as *const () as usize
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
