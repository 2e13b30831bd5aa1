//! One task of the Kinetica source: its tables' insert monitors (and, with a tracking
//! column, the rows it missed), as records for the pipeline.
//!
//! At start the task creates an insert monitor per table (`/create/tablemonitor`),
//! subscribes to their topics on the server's ZMQ socket (`conf.set_monitor_port` of
//! `/show/system/properties`, on the host of `kinetica.url`), and from then on each
//! poll decodes the rows published so far with the table's type. Stopping clears the
//! monitors (`/clear/tablemonitor`).
//!
//! With a tracking column (`kinetica.source.tracking_column`) a record's offset is the
//! row's value of that column, and the pipeline's Kafka sink stores the offsets with
//! the records (the partitions the task announces, one per table). The first poll only
//! announces them; the runtime then moves the task to the stored positions
//! ([`Source::seek`]). A table then goes through three phases:
//!
//! 1. **Catching up**: `/get/records` with `column > last`, ordered by the column, one
//!    page per poll, until a page comes back short. Monitor rows of the table are
//!    dropped meanwhile: they were inserted before the row was received, so before the
//!    last page was asked for, which returns them.
//! 2. **Awaiting the monitor**: ZMQ drops what is published before a subscription
//!    reaches the server, so rows inserted between the last page and that moment are in
//!    neither. The first monitor row proves the subscription; before it is published,
//!    one query reads what lies between the last published value and it.
//! 3. **Following**: monitor rows, but for those a query already published.
//!
//! Without a tracking column, what this mode misses is said at start-up: rows inserted
//! while the pipeline is not running, and a record's offset is its position since the
//! task started.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_connect::{
    AssignmentEvent, BatchLimits, ConnectError, ErrorClass, Offsets, Source, SourceBatch,
    TopicPartition,
};
use sluice_kinetica::protocol::END_OF_SET;
use sluice_kinetica::{KineticaClient, KineticaType, Options, Value as KValue};
use sluice_record::{Data, Record};
use zeromq::{Socket, SocketRecv, SubSocket};

use crate::schema::TableSchema;

/// The partition of a table's records: a table is one ordered stream.
const PARTITION: i32 = 0;

/// A watched table.
struct Table {
    name: String,
    /// The Kafka topic its records go to (and their coordinates' topic).
    topic: Arc<str>,
    ty: KineticaType,
    schema: TableSchema,
    /// Records published since the task started: the next offset without tracking.
    next: i64,
    /// The size of its rows as Kinetica encodes them, as last read (1 until then): how
    /// many fit `batch.max.bytes`.
    row_bytes: usize,
    tracking: Option<Tracking>,
}

/// Where a table with a tracking column is.
struct Tracking {
    column: String,
    /// The column's index in the table's type.
    index: usize,
    /// The highest value published, or stored before a restart; `None`: nothing yet,
    /// the table is read from its start.
    last: Option<i64>,
    /// The highest value a query published: monitor rows up to it are duplicates.
    queried: Option<i64>,
    phase: Phase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    CatchingUp,
    AwaitingMonitor,
    Following,
}

/// What a monitor topic reports.
enum Monitor {
    /// The inserted rows of `tables[i]`.
    Inserts(usize),
    /// Update or delete counts of `tables[table]`, published on the events topic.
    Counts {
        table: usize,
        operation: &'static str,
        topic: Arc<str>,
        schema: Arc<sluice_record::Schema>,
        next: i64,
    },
}

pub struct KineticaSource {
    runtime: tokio::runtime::Runtime,
    client: KineticaClient,
    socket: SubSocket,
    /// The socket's connection events: after a dropped connection (the socket
    /// reconnects and subscribes again by itself) the tables await the monitor again.
    connection: futures_channel::mpsc::Receiver<zeromq::SocketEvent>,
    tables: Vec<Table>,
    /// Monitor topic id → what it reports.
    monitors: HashMap<String, Monitor>,
    /// For [`Source::take_events`]: the tables' partitions, announced once.
    events: Vec<AssignmentEvent>,
    /// Whether the first poll (which only announces the partitions) is behind.
    announced: bool,
    paused: bool,
}

/// A table to watch: its name as configured, its topic and schema version.
pub struct TableSpec {
    pub name: String,
    pub topic: String,
    pub version: i32,
}

/// The update and delete monitors a table gets with `kinetica.source.events_topic`.
const COUNTED: [&str; 2] = ["update", "delete"];

/// A Kinetica error as the runtime classes it: retriable ones are waited out.
fn kinetica(e: sluice_kinetica::KineticaError) -> ConnectError {
    let class = if e.is_retriable() {
        ErrorClass::TRANSIENT
    } else {
        ErrorClass::REFUSED
    };
    ConnectError::message(class, e.to_string())
}

fn refused(message: String) -> ConnectError {
    ConnectError::message(ErrorClass::USER, message)
}

/// What starting a task needs besides the client.
pub struct StartOptions<'a> {
    pub url: &'a str,
    pub events_topic: Option<&'a str>,
    pub tracking_column: Option<&'a str>,
}

/// The tracking state of `column` in a table of type `ty`, or why it cannot track.
fn tracking(table: &str, ty: &KineticaType, column: &str) -> Result<Tracking, ConnectError> {
    let property = crate::config::names::TRACKING_COLUMN;
    let index = ty.column_index(column).ok_or_else(|| {
        refused(format!(
            "table {table} has no column `{column}` (`{property}`); every table must have it"
        ))
    })?;
    let c = &ty.columns()[index];
    let numeric = matches!(
        c.base,
        sluice_kinetica::BaseType::Int | sluice_kinetica::BaseType::Long
    );
    if !numeric || c.nullable {
        return Err(refused(format!(
            "column `{column}` of table {table} cannot track rows (`{property}`): it must be \
             an int, long or timestamp column that is not nullable"
        )));
    }
    Ok(Tracking {
        column: column.to_owned(),
        index,
        last: None,
        queried: None,
        phase: Phase::CatchingUp,
    })
}

impl KineticaSource {
    /// Creates the monitors and subscribes to them.
    pub fn start(
        runtime: tokio::runtime::Runtime,
        client: KineticaClient,
        specs: Vec<TableSpec>,
        options: StartOptions<'_>,
    ) -> Result<KineticaSource, ConnectError> {
        let url = options.url;
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or(url)
            .split(['/', ':'])
            .next()
            .unwrap_or("127.0.0.1")
            .to_owned();
        let (mut socket, tables, monitors) = runtime.block_on(async {
            let props = client
                .show_system_properties()
                .await
                .map_err(kinetica)?;
            let port = props
                .get("conf.set_monitor_port")
                .map(String::as_str)
                .unwrap_or("-1");
            let port: u16 = match port.parse::<i64>() {
                Ok(p) if (1..=65535).contains(&p) => p as u16,
                _ => {
                    return Err(refused(format!(
                        "the Kinetica server at {url} serves no table monitors \
                         (conf.set_monitor_port = {port}); enable them on the server"
                    )));
                }
            };
            let mut socket = SubSocket::new();
            socket
                .connect(&format!("tcp://{host}:{port}"))
                .await
                .map_err(|e| {
                    ConnectError::message(
                        ErrorClass::TRANSIENT,
                        format!("cannot reach the table monitors at tcp://{host}:{port}: {e}"),
                    )
                })?;
            let mut tables = Vec::new();
            let mut monitors = HashMap::new();
            for spec in specs {
                let info = client
                    .describe_table(&spec.name)
                    .await
                    .map_err(kinetica)?
                    .ok_or_else(|| {
                        refused(format!(
                            "table {} does not exist (`kinetica.table_names`)",
                            spec.name
                        ))
                    })?;
                let tracking = options
                    .tracking_column
                    .map(|c| tracking(&spec.name, &info.ty, c))
                    .transpose()?;
                let index = tables.len();
                let mut watch = Vec::from([("insert", None)]);
                if let Some(events) = options.events_topic {
                    watch.extend(COUNTED.map(|operation| (operation, Some(events))));
                }
                for (operation, events) in watch {
                    let options = Options::from([("event".to_owned(), operation.to_owned())]);
                    let monitor = client
                        .create_table_monitor(&spec.name, options)
                        .await
                        .map_err(kinetica)?;
                    socket.subscribe(&monitor.topic_id).await.map_err(|e| {
                        ConnectError::message(ErrorClass::TRANSIENT, format!("cannot subscribe: {e}"))
                    })?;
                    let watched = match events {
                        None => Monitor::Inserts(index),
                        Some(topic) => Monitor::Counts {
                            table: index,
                            operation,
                            topic: Arc::from(topic),
                            schema: crate::schema::event_schema(),
                            next: 0,
                        },
                    };
                    monitors.insert(monitor.topic_id, watched);
                }
                tracing::info!(table = %spec.name, topic = %spec.topic, "watching the table's inserts");
                tables.push(Table {
                    topic: Arc::from(spec.topic.as_str()),
                    schema: TableSchema::new(&spec.name, spec.version, &info.ty),
                    ty: info.ty,
                    name: spec.name,
                    next: 0,
                    row_bytes: 1,
                    tracking,
                });
            }
            Ok((socket, tables, monitors))
        })?;
        let partitions: Vec<TopicPartition> = tables
            .iter()
            .filter(|t| t.tracking.is_some())
            .map(|t| TopicPartition::new(t.topic.clone(), PARTITION))
            .collect();
        let connection = socket.monitor();
        Ok(KineticaSource {
            runtime,
            client,
            socket,
            connection,
            tables,
            monitors,
            announced: partitions.is_empty(),
            events: if partitions.is_empty() {
                Vec::new()
            } else {
                vec![AssignmentEvent::Assigned(partitions)]
            },
            paused: false,
        })
    }

    /// Rows of table `t` with a tracking value above `above` (all when `None`) and below
    /// `below` (no bound when `None`), ordered by it, at most `limit`
    /// ([`END_OF_SET`]: all), and their bytes as Kinetica encoded them.
    fn query(
        &self,
        t: usize,
        above: Option<i64>,
        below: Option<i64>,
        limit: i64,
    ) -> Result<(Vec<Vec<KValue>>, usize), ConnectError> {
        let table = &self.tables[t];
        let column = &table.tracking.as_ref().expect("a tracked table").column;
        let mut filter: Vec<String> = Vec::new();
        if let Some(a) = above {
            filter.push(format!("{column} > {a}"));
        }
        if let Some(b) = below {
            filter.push(format!("{column} < {b}"));
        }
        let options = Options::from([
            ("expression".to_owned(), filter.join(" and ")),
            ("sort_by".to_owned(), column.clone()),
            ("sort_order".to_owned(), "ascending".to_owned()),
        ]);
        let response = self
            .runtime
            .block_on(self.client.get_records(&table.name, 0, limit, options))
            .map_err(kinetica)?;
        let bytes = response.records_binary.iter().map(<[u8]>::len).sum();
        let rows = response
            .records_binary
            .iter()
            .map(|row| {
                sluice_kinetica::rows::decode_row(&table.ty, row).map_err(|e| {
                    ConnectError::message(
                        ErrorClass::REFUSED,
                        format!("a row of table {} does not decode: {e}", table.name),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok((rows, bytes))
    }

    /// Appends a row of table `t` to `batch` as a record; its offset is its tracking
    /// value, or its position since the start.
    fn publish(
        &mut self,
        t: usize,
        row: Vec<KValue>,
        batch: &mut Vec<Record>,
    ) -> Result<(), ConnectError> {
        let table = &mut self.tables[t];
        let offset = match &mut table.tracking {
            Some(tracking) => {
                let value = tracking_value(&row, tracking, &table.name)?;
                tracking.last = Some(tracking.last.map_or(value, |l| l.max(value)));
                value
            }
            None => table.next,
        };
        table.next += 1;
        let (key, value) = table.schema.key_and_value(row).map_err(|e| {
            ConnectError::message(
                ErrorClass::REFUSED,
                format!("a row of table {} does not fit its schema: {e}", table.name),
            )
        })?;
        batch.push(Record {
            topic: table.topic.clone(),
            partition: PARTITION,
            offset,
            timestamp: None,
            headers: Vec::new(),
            key,
            value,
        });
        Ok(())
    }

    /// Notices a dropped connection to the monitors: what was published while it was
    /// down never arrives, so each followed table reads it at the next monitor row, as
    /// after a start.
    fn check_connection(&mut self) {
        while let Ok(event) = self.connection.try_recv() {
            if !matches!(event, zeromq::SocketEvent::Disconnected(_)) {
                continue;
            }
            tracing::warn!(
                "lost the connection to Kinetica's table monitors; rows inserted meanwhile are \
                 read from the tables with a tracking column once it is back"
            );
            for tracking in self.tables.iter_mut().filter_map(|t| t.tracking.as_mut()) {
                if tracking.phase == Phase::Following {
                    tracking.phase = Phase::AwaitingMonitor;
                }
            }
        }
    }

    /// One page of each table still catching up, while the batch has room (in records,
    /// and in bytes by the size of the table's rows so far); returns the bytes of the
    /// rows read, as Kinetica encoded them.
    fn catch_up(
        &mut self,
        limits: &BatchLimits,
        batch: &mut Vec<Record>,
    ) -> Result<usize, ConnectError> {
        let mut bytes = 0;
        for t in 0..self.tables.len() {
            let Some(tracking) = &self.tables[t].tracking else {
                continue;
            };
            let by_bytes = limits.max_bytes.saturating_sub(bytes) / self.tables[t].row_bytes.max(1);
            let room = limits
                .max_records
                .saturating_sub(batch.len())
                .min(by_bytes.max(1));
            if tracking.phase != Phase::CatchingUp || batch.len() >= limits.max_records {
                continue;
            }
            let (rows, read) = self.query(t, tracking.last, None, room as i64)?;
            if !rows.is_empty() {
                self.tables[t].row_bytes = read / rows.len();
            }
            bytes += read;
            let short = rows.len() < room;
            self.publish_queried(t, rows, batch)?;
            let tracking = self.tables[t].tracking.as_mut().expect("tracked");
            if short {
                tracking.phase = Phase::AwaitingMonitor;
                tracing::info!(
                    table = %self.tables[t].name,
                    "caught up with the table; following its monitor"
                );
            }
        }
        Ok(bytes)
    }

    fn publish_queried(
        &mut self,
        t: usize,
        rows: Vec<Vec<KValue>>,
        batch: &mut Vec<Record>,
    ) -> Result<(), ConnectError> {
        for row in rows {
            self.publish(t, row, batch)?;
        }
        let tracking = self.tables[t].tracking.as_mut().expect("tracked");
        tracking.queried = tracking.last;
        Ok(())
    }

    /// A monitor's row of table `t`, by the table's phase (see the module's
    /// documentation).
    fn monitored(
        &mut self,
        t: usize,
        row: Vec<KValue>,
        batch: &mut Vec<Record>,
    ) -> Result<(), ConnectError> {
        let table = &self.tables[t];
        let Some(tracking) = &table.tracking else {
            return self.publish(t, row, batch);
        };
        let value = tracking_value(&row, tracking, &table.name)?;
        match tracking.phase {
            // A later page returns it.
            Phase::CatchingUp => return Ok(()),
            Phase::AwaitingMonitor => {
                let (last, table_name) = (tracking.last, table.name.clone());
                if last.is_none_or(|l| value > l) {
                    let (gap, _) = self.query(t, last, Some(value), END_OF_SET)?;
                    if !gap.is_empty() {
                        tracing::info!(
                            table = %table_name,
                            "read {} row(s) inserted before the monitor's subscription took effect",
                            gap.len()
                        );
                    }
                    self.publish_queried(t, gap, batch)?;
                }
                self.tables[t].tracking.as_mut().expect("tracked").phase = Phase::Following;
            }
            Phase::Following => {}
        }
        let tracking = self.tables[t].tracking.as_ref().expect("tracked");
        if tracking.queried.is_some_and(|q| value <= q) {
            return Ok(()); // a query published it
        }
        if tracking.last.is_some_and(|l| value <= l) {
            tracing::warn!(
                table = %self.tables[t].name,
                column = %tracking.column,
                "a row arrived out of tracking-column order; published, but a restart resumes \
                 after the highest value and may miss rows below it (docs/kinetica-source.md)"
            );
        }
        self.publish(t, row, batch)
    }
}

/// A row's value of its table's tracking column.
fn tracking_value(row: &[KValue], tracking: &Tracking, table: &str) -> Result<i64, ConnectError> {
    match row.get(tracking.index) {
        Some(KValue::Int(i)) => Ok(i64::from(*i)),
        Some(KValue::Long(l)) => Ok(*l),
        _ => Err(ConnectError::message(
            ErrorClass::REFUSED,
            format!(
                "a row of table {table} has no value in its tracking column `{}`",
                tracking.column
            ),
        )),
    }
}

impl Source for KineticaSource {
    fn poll(&mut self, limits: &BatchLimits) -> Result<SourceBatch, ConnectError> {
        let deadline = Instant::now() + limits.max_wait;
        let mut batch = Vec::new();
        if self.paused {
            std::thread::sleep(limits.max_wait.min(Duration::from_millis(100)));
            return Ok(SourceBatch::Records(batch));
        }
        if !self.announced {
            // The runtime asks the sink for the stored positions before the next poll.
            self.announced = true;
            return Ok(SourceBatch::Records(batch));
        }
        self.check_connection();
        let mut bytes = self.catch_up(limits, &mut batch)?;
        while batch.len() < limits.max_records && bytes < limits.max_bytes {
            // With catch-up rows at hand, take only what the socket holds already.
            let left = if batch.is_empty() {
                deadline.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            let received = self
                .runtime
                .block_on(async { tokio::time::timeout(left, self.socket.recv()).await });
            let message = match received {
                Err(_) => break, // the wait is over
                Ok(Err(e)) => {
                    return Err(ConnectError::message(
                        ErrorClass::TRANSIENT,
                        format!("reading the table monitors: {e}"),
                    ));
                }
                Ok(Ok(m)) => m,
            };
            let frames = message.into_vec();
            let Some((topic_id, frames)) = frames.split_first() else {
                continue;
            };
            let Some(monitor) = std::str::from_utf8(topic_id)
                .ok()
                .and_then(|t| self.monitors.get_mut(t))
            else {
                continue;
            };
            match monitor {
                Monitor::Inserts(t) => {
                    let t = *t;
                    for frame in frames {
                        bytes += frame.len();
                        let table = &self.tables[t];
                        let row =
                            sluice_kinetica::rows::decode_row(&table.ty, frame).map_err(|e| {
                                ConnectError::message(
                                    ErrorClass::REFUSED,
                                    format!("a message for {} does not decode: {e}", table.topic),
                                )
                            })?;
                        self.monitored(t, row, &mut batch)?;
                    }
                }
                Monitor::Counts {
                    table,
                    operation,
                    topic,
                    schema,
                    next,
                } => {
                    for frame in frames {
                        let count =
                            sluice_kinetica::avro::Reader::new(frame)
                                .long()
                                .map_err(|e| {
                                    ConnectError::message(
                                        ErrorClass::REFUSED,
                                        format!("a message for {topic} does not decode: {e}"),
                                    )
                                })?;
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_millis() as i64);
                        let name = &self.tables[*table].name;
                        let event = crate::schema::event(schema, name, operation, count, now);
                        batch.push(Record {
                            topic: topic.clone(),
                            partition: PARTITION,
                            offset: *next,
                            timestamp: None,
                            headers: Vec::new(),
                            key: Data::NULL,
                            value: Data::with_schema(schema.clone(), event),
                        });
                        *next += 1;
                    }
                }
            }
        }
        Ok(SourceBatch::Records(batch))
    }

    /// Nothing to do: the pipeline's Kafka sink stores the positions of the tables with
    /// a tracking column with the records, and without one a restarted source starts
    /// from the monitors (see the module's documentation).
    fn commit(&mut self, _acknowledged: &Offsets) -> Result<(), ConnectError> {
        Ok(())
    }

    fn take_events(&mut self) -> Vec<AssignmentEvent> {
        std::mem::take(&mut self.events)
    }

    /// Resumes each tracked table after its stored position (the last value published).
    fn seek(&mut self, positions: &Offsets) -> Result<(), ConnectError> {
        for table in &mut self.tables {
            let (Some(tracking), Some(last)) =
                (&mut table.tracking, positions.get(&table.topic, PARTITION))
            else {
                continue;
            };
            tracing::info!(
                table = %table.name,
                column = %tracking.column,
                "resuming after {last}"
            );
            tracking.last = Some(last);
            tracking.queried = Some(last);
            tracking.phase = Phase::CatchingUp;
        }
        Ok(())
    }

    fn pause(&mut self) -> Result<(), ConnectError> {
        self.paused = true;
        Ok(())
    }

    fn resume(&mut self) -> Result<(), ConnectError> {
        self.paused = false;
        Ok(())
    }
}

impl Drop for KineticaSource {
    fn drop(&mut self) {
        let topics: Vec<String> = self.monitors.keys().cloned().collect();
        let client = self.client.clone();
        self.runtime.block_on(async move {
            for topic in topics {
                if let Err(e) = client.clear_table_monitor(&topic).await {
                    tracing::warn!("cannot clear table monitor {topic}: {e}");
                }
            }
        });
    }
}
