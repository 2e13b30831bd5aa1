//! Exactly-once into Kinetica (`kinetica.exactly_once.enable`): the offsets are kept
//! with the rows, since Kinetica has no transaction that spans tables.
//!
//! * Every row carries its record's topic, partition and offset (three columns, named
//!   by `kinetica.exactly_once.*_column`; added to tables the sink creates, required in
//!   tables it finds).
//! * A small table of the sink's own (`kinetica.exactly_once.offsets_table`) holds,
//!   per pipeline and topic-partition, the last offset whose records are all done
//!   (written, dead-lettered or filtered out), and the tables the partition's rows went
//!   to. It is updated after each batch, before the Kafka commit.
//! * Before a partition's rows first go to a table, that table is listed in the
//!   partition's offsets row (with the offset before the batch if the partition has no
//!   row yet), so a crash at any point leaves a row naming every table to clean.
//! * On assignment the task asks for the stored offsets: the sink first deletes the
//!   partition's rows above the stored offset from each listed table (written by a
//!   crash between an insert and the offsets update), and the task makes the source
//!   read from the stored offset + 1 instead of Kafka's committed offset. After a
//!   write that failed part-way, the same clean-up runs before the batch is written
//!   again. A replay therefore writes each record once.
//!
//! What it costs: three columns per row, one upsert into the offsets table per batch,
//! one read and one delete per table and partition on assignment. What it does not
//! cover: a task cut off from its group while a write is in flight (a zombie) can
//! still write after the new owner cleaned up; static membership and the task loop
//! (rebalances only between batches) keep that to expired sessions.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use sluice_connect::{Offsets, TopicPartition};
use sluice_kinetica::{
    BaseType, Column, EncodedRows, KineticaClient, KineticaType, Options, Value, ValueRef,
};
use sluice_record::Record;

use crate::cell::RowCell;
use crate::report::SinkError;
use crate::settings::ExactlyOnceSettings;

/// Where in a table's rows the record's coordinates go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoordinateSlots {
    topic: usize,
    partition: usize,
    offset: usize,
}

impl CoordinateSlots {
    /// The slots of the coordinate columns in `ty`, or which one is missing.
    pub fn find(ty: &KineticaType, settings: &ExactlyOnceSettings) -> Result<Self, String> {
        let slot = |name: &str| ty.column_index(name).ok_or_else(|| name.to_owned());
        Ok(CoordinateSlots {
            topic: slot(&settings.topic_column)?,
            partition: slot(&settings.partition_column)?,
            offset: slot(&settings.offset_column)?,
        })
    }

    /// The columns' positions in the row.
    pub fn columns(&self) -> [usize; 3] {
        [self.topic, self.partition, self.offset]
    }

    /// Writes the record's coordinates into its row's cells.
    pub fn fill<'a>(&self, cells: &mut [RowCell<'a>], record: &'a Record) {
        cells[self.topic] = RowCell::Borrowed(ValueRef::Str(&record.topic));
        cells[self.partition] = RowCell::Borrowed(ValueRef::Int(record.partition));
        cells[self.offset] = RowCell::Borrowed(ValueRef::Long(record.offset));
    }
}

/// The coordinate columns a created table gets, after the record's own.
pub fn coordinate_columns(settings: &ExactlyOnceSettings) -> [Column; 3] {
    [
        Column::new(&settings.topic_column, BaseType::String),
        Column::new(&settings.partition_column, BaseType::Int),
        Column::new(&settings.offset_column, BaseType::Long),
    ]
}

type Key = (Arc<str>, i32);

/// A partition's offsets row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Stored {
    /// The last offset whose records are all done.
    offset: i64,
    /// Qualified names of the tables the partition's rows go to.
    tables: BTreeSet<String>,
}

/// One task's view of the offsets table.
pub struct ExactlyOnce {
    settings: ExactlyOnceSettings,
    pipeline: String,
    ty: KineticaType,
    stored: HashMap<Key, Stored>,
    /// Partitions whose last write failed part-way: cleaned before the next insert.
    dirty: BTreeSet<Key>,
}

const PIPELINE: &str = "pipeline";
const TOPIC: &str = "topic";
const PARTITION: &str = "kafka_partition";
const OFFSET: &str = "last_offset";
const TABLES: &str = "tables";

impl ExactlyOnce {
    /// Opens (creating it if missing) the offsets table for `pipeline`.
    pub async fn open(
        client: &KineticaClient,
        settings: ExactlyOnceSettings,
        pipeline: &str,
    ) -> Result<ExactlyOnce, SinkError> {
        let ty = KineticaType::new(vec![
            Column::new(PIPELINE, BaseType::String).with_property("primary_key"),
            Column::new(TOPIC, BaseType::String).with_property("primary_key"),
            Column::new(PARTITION, BaseType::Int).with_property("primary_key"),
            Column::new(OFFSET, BaseType::Long),
            Column::new(TABLES, BaseType::String),
        ])
        .map_err(|e| SinkError::Fatal(format!("the offsets table's type: {e}")))?;
        let table = &settings.offsets_table;
        match client.describe_table(table).await? {
            Some(info) if info.ty.column_index(OFFSET).is_some() => {}
            Some(_) => {
                return Err(SinkError::Fatal(format!(
                    "table {table} exists but is not a Sluice offsets table; set \
                     kinetica.exactly_once.offsets_table to another name"
                )));
            }
            None => {
                let type_id = client.create_type(&ty, "").await?;
                if let Err(e) = client.create_table(table, &type_id, Options::new()).await {
                    // Another task may have created it meanwhile.
                    if client.describe_table(table).await?.is_none() {
                        return Err(e.into());
                    }
                }
                tracing::info!(table = %table, "created the exactly-once offsets table");
            }
        }
        Ok(ExactlyOnce {
            settings,
            pipeline: pipeline.to_owned(),
            ty,
            stored: HashMap::new(),
            dirty: BTreeSet::new(),
        })
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &ExactlyOnceSettings {
        &self.settings
    }

    /// The stored offsets of newly assigned partitions, after deleting their rows
    /// above them: the source reads from each offset + 1.
    pub async fn positions(
        &mut self,
        client: &KineticaClient,
        assigned: &[TopicPartition],
    ) -> Result<Offsets, SinkError> {
        let all = self.read(client).await?;
        let mut positions = Offsets::new();
        for tp in assigned {
            let key: Key = (Arc::clone(&tp.topic), tp.partition);
            match all.get(&key) {
                Some(stored) => {
                    self.clean(client, &key, stored).await?;
                    positions.track(&tp.topic, tp.partition, stored.offset);
                    self.stored.insert(key, stored.clone());
                }
                None => {
                    self.stored.remove(&key);
                }
            }
        }
        Ok(positions)
    }

    /// Before rows of `records` go to `table`: cleans partitions a failed write left
    /// dirty, and makes sure every partition's offsets row lists the table.
    pub async fn before_insert(
        &mut self,
        client: &KineticaClient,
        table: &str,
        records: impl Iterator<Item = &Record>,
    ) -> Result<(), SinkError> {
        let mut changed = BTreeMap::new();
        for record in records {
            let key: Key = (Arc::clone(&record.topic), record.partition);
            if changed.contains_key(&key) {
                continue;
            }
            let stored = self.stored.entry(key.clone()).or_insert_with(|| Stored {
                offset: record.offset - 1,
                tables: BTreeSet::new(),
            });
            if stored.tables.insert(table.to_owned()) {
                changed.insert(key, stored.clone());
            }
        }
        let dirty: Vec<Key> = std::mem::take(&mut self.dirty).into_iter().collect();
        for key in dirty {
            if let Some(stored) = self.stored.get(&key).cloned()
                && let Err(e) = self.clean(client, &key, &stored).await
            {
                self.dirty.insert(key);
                return Err(e);
            }
        }
        if !changed.is_empty() {
            self.upsert(client, changed.iter()).await?;
        }
        Ok(())
    }

    /// A write of these records failed: rows of some may be stored.
    pub fn write_failed(&mut self, records: &[Record]) {
        for r in records {
            self.dirty.insert((Arc::clone(&r.topic), r.partition));
        }
    }

    /// Records up to these offsets are done: stores them (before the source commits).
    pub async fn done(&mut self, client: &KineticaClient, done: &Offsets) -> Result<(), SinkError> {
        let mut changed = BTreeMap::new();
        for (tp, offset) in done.iter() {
            let key: Key = (Arc::clone(&tp.topic), tp.partition);
            let stored = self.stored.entry(key.clone()).or_default();
            if offset > stored.offset || stored.tables.is_empty() {
                stored.offset = stored.offset.max(offset);
                changed.insert(key, stored.clone());
            }
        }
        if changed.is_empty() {
            return Ok(());
        }
        self.upsert(client, changed.iter()).await
    }

    async fn read(&self, client: &KineticaClient) -> Result<HashMap<Key, Stored>, SinkError> {
        let mut options = Options::new();
        options.insert(
            "expression".into(),
            format!("{PIPELINE} = {}", quoted(&self.pipeline)),
        );
        let resp = client
            .get_records(
                &self.settings.offsets_table,
                0,
                sluice_kinetica::END_OF_SET,
                options,
            )
            .await?;
        let rows = resp
            .records_binary
            .decode_all(&self.ty)
            .map_err(|e| SinkError::Fatal(format!("cannot read the offsets table: {e}")))?;
        let mut all = HashMap::new();
        for row in rows {
            if let [
                _,
                Value::String(topic),
                Value::Int(p),
                Value::Long(o),
                Value::String(t),
            ] = row.as_slice()
            {
                let tables = t.split(',').filter(|s| !s.is_empty()).map(str::to_owned);
                all.insert(
                    (Arc::from(topic.as_str()), *p),
                    Stored {
                        offset: *o,
                        tables: tables.collect(),
                    },
                );
            }
        }
        Ok(all)
    }

    /// Deletes the partition's rows above its stored offset from each of its tables.
    async fn clean(
        &self,
        client: &KineticaClient,
        (topic, partition): &Key,
        stored: &Stored,
    ) -> Result<(), SinkError> {
        let s = &self.settings;
        for table in &stored.tables {
            if !client.has_table(table).await? {
                continue;
            }
            let expression = format!(
                "{} = {} and {} = {partition} and {} > {}",
                s.topic_column,
                quoted(topic),
                s.partition_column,
                s.offset_column,
                stored.offset
            );
            let deleted = client.delete_records(table, vec![expression]).await?;
            if deleted > 0 {
                tracing::info!(
                    table = %table,
                    partition = %format!("{topic}-{partition}"),
                    after = stored.offset,
                    deleted,
                    "deleted rows written after the last stored offset (exactly-once)"
                );
            }
        }
        Ok(())
    }

    async fn upsert<'a>(
        &self,
        client: &KineticaClient,
        rows: impl Iterator<Item = (&'a Key, &'a Stored)>,
    ) -> Result<(), SinkError> {
        let mut encoded = EncodedRows::with_capacity(8, 256);
        for ((topic, partition), stored) in rows {
            let tables: Vec<&str> = stored.tables.iter().map(String::as_str).collect();
            let cells = [
                Value::String(self.pipeline.clone()),
                Value::String(topic.to_string()),
                Value::Int(*partition),
                Value::Long(stored.offset),
                Value::String(tables.join(",")),
            ];
            encoded
                .push_row(&self.ty, &cells)
                .map_err(|e| SinkError::Fatal(format!("encoding an offsets row: {e}")))?;
        }
        let options = Options::from([("update_on_existing_pk".to_owned(), "true".to_owned())]);
        client
            .insert_records(&self.settings.offsets_table, &encoded, &options)
            .await?;
        Ok(())
    }
}

/// A string literal of Kinetica's expression language.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
