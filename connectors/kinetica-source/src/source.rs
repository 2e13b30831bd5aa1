//! One task of the Kinetica source: its tables' insert monitors, and the rows they
//! publish as records for the pipeline.
//!
//! At start the task creates an insert monitor per table (`/create/tablemonitor`),
//! subscribes to their topics on the server's ZMQ socket (`conf.set_monitor_port` of
//! `/show/system/properties`, on the host of `kinetica.url`), and from then on each
//! poll decodes the rows published so far with the table's type. Stopping clears the
//! monitors (`/clear/tablemonitor`).
//!
//! What this mode misses, said at start-up too: rows inserted while the pipeline is not
//! running (before the subscription is in place, or while it is stopped) are never
//! published, and a record's offset is its position since the task started. Resuming
//! without loss needs a tracking column (issue 12, not built yet).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_connect::{BatchLimits, ConnectError, ErrorClass, Offsets, Source, SourceBatch};
use sluice_kinetica::{KineticaClient, KineticaType, Options};
use sluice_record::{Data, Record};
use zeromq::{Socket, SocketRecv, SubSocket};

use crate::schema::TableSchema;

/// One monitor of a watched table: its inserted rows, or its update or delete counts.
struct Watched {
    /// The Kafka topic its records go to.
    topic: Arc<str>,
    what: Watching,
    /// Records published so far: the next record's offset.
    next: i64,
}

enum Watching {
    Rows {
        ty: KineticaType,
        schema: TableSchema,
    },
    Counts {
        table: String,
        operation: &'static str,
        schema: Arc<sluice_record::Schema>,
    },
}

pub struct KineticaSource {
    runtime: tokio::runtime::Runtime,
    client: KineticaClient,
    socket: SubSocket,
    /// Monitor topic id → its table.
    tables: HashMap<String, Watched>,
    paused: bool,
}

/// A table to watch: its name as configured, its topic and schema version.
pub struct Table {
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

impl KineticaSource {
    /// Creates the monitors and subscribes to them.
    pub fn start(
        runtime: tokio::runtime::Runtime,
        client: KineticaClient,
        url: &str,
        tables: Vec<Table>,
        events_topic: Option<&str>,
    ) -> Result<KineticaSource, ConnectError> {
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or(url)
            .split(['/', ':'])
            .next()
            .unwrap_or("127.0.0.1")
            .to_owned();
        let (socket, watched) = runtime.block_on(async {
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
            let mut watched = HashMap::new();
            for table in tables {
                let info = client
                    .describe_table(&table.name)
                    .await
                    .map_err(kinetica)?
                    .ok_or_else(|| {
                        refused(format!(
                            "table {} does not exist (`kinetica.table_names`)",
                            table.name
                        ))
                    })?;
                let monitor = client
                    .create_table_monitor(&table.name, Options::new())
                    .await
                    .map_err(kinetica)?;
                socket.subscribe(&monitor.topic_id).await.map_err(|e| {
                    ConnectError::message(ErrorClass::TRANSIENT, format!("cannot subscribe: {e}"))
                })?;
                tracing::info!(table = %table.name, topic = %table.topic, "watching the table's inserts");
                watched.insert(
                    monitor.topic_id,
                    Watched {
                        topic: Arc::from(table.topic.as_str()),
                        what: Watching::Rows {
                            schema: TableSchema::new(&table.name, table.version, &info.ty),
                            ty: info.ty,
                        },
                        next: 0,
                    },
                );
                let Some(events) = events_topic else {
                    continue;
                };
                for operation in COUNTED {
                    let options = Options::from([("event".to_owned(), operation.to_owned())]);
                    let monitor = client
                        .create_table_monitor(&table.name, options)
                        .await
                        .map_err(kinetica)?;
                    socket.subscribe(&monitor.topic_id).await.map_err(|e| {
                        ConnectError::message(ErrorClass::TRANSIENT, format!("cannot subscribe: {e}"))
                    })?;
                    watched.insert(
                        monitor.topic_id,
                        Watched {
                            topic: Arc::from(events),
                            what: Watching::Counts {
                                table: table.name.clone(),
                                operation,
                                schema: crate::schema::event_schema(),
                            },
                            next: 0,
                        },
                    );
                }
            }
            Ok((socket, watched))
        })?;
        Ok(KineticaSource {
            runtime,
            client,
            socket,
            tables: watched,
            paused: false,
        })
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
        while batch.len() < limits.max_records {
            let left = deadline.saturating_duration_since(Instant::now());
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
            let Some((topic_id, rows)) = frames.split_first() else {
                continue;
            };
            let Some(table) = std::str::from_utf8(topic_id)
                .ok()
                .and_then(|t| self.tables.get_mut(t))
            else {
                continue;
            };
            let undecodable = |e: String| {
                ConnectError::message(
                    ErrorClass::REFUSED,
                    format!("a message for {} does not decode: {e}", table.topic),
                )
            };
            for frame in rows {
                let value = match &table.what {
                    Watching::Rows { ty, schema } => {
                        let values = sluice_kinetica::rows::decode_row(ty, frame)
                            .map_err(|e| undecodable(e.to_string()))?;
                        let value = schema.value(values).map_err(undecodable)?;
                        Data::with_schema(schema.schema.clone(), value)
                    }
                    Watching::Counts {
                        table: name,
                        operation,
                        schema,
                    } => {
                        let count = sluice_kinetica::avro::Reader::new(frame)
                            .long()
                            .map_err(|e| undecodable(e.to_string()))?;
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_millis() as i64);
                        let event = crate::schema::event(schema, name, operation, count, now);
                        Data::with_schema(schema.clone(), event)
                    }
                };
                batch.push(Record {
                    topic: table.topic.clone(),
                    partition: 0,
                    offset: table.next,
                    timestamp: None,
                    headers: Vec::new(),
                    key: Data::NULL,
                    value,
                });
                table.next += 1;
            }
        }
        Ok(SourceBatch::Records(batch))
    }

    /// Nothing to store yet: without a tracking column a restarted source starts from
    /// the monitors (see the module's documentation).
    fn commit(&mut self, _acknowledged: &Offsets) -> Result<(), ConnectError> {
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
        let topics: Vec<String> = self.tables.keys().cloned().collect();
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
