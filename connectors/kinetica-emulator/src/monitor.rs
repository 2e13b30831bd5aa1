//! Table monitors (`/create/tablemonitor`, `/clear/tablemonitor`) and the ZMQ `PUB`
//! socket they publish on, as docs/reference/kinetica-rest-protocol.md §9 describes a
//! real server's: a message per insert request of a watched table (frame 0 the topic
//! id, then one frame per inserted record, the record's plain Avro binary encoding), and
//! for update and delete monitors one frame with a `count` record.
//!
//! Publishing happens off the request path: endpoints queue messages, one task owns the
//! socket. A subscriber that connects after a message was sent does not see it (ZMQ's
//! "slow joiner"), as with a real server.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use tokio::sync::mpsc;
use zeromq::{PubSocket, Socket, SocketSend, ZmqMessage};

/// The record of update and delete notifications.
pub const COUNT_SCHEMA: &str =
    r#"{"type":"record","name":"type_name","fields":[{"name":"count","type":"long"}]}"#;

/// What a monitor reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Insert,
    Update,
    Delete,
}

impl Event {
    pub fn parse(text: &str) -> Option<Event> {
        match text {
            "insert" => Some(Event::Insert),
            "update" => Some(Event::Update),
            "delete" => Some(Event::Delete),
            _ => None,
        }
    }
}

/// The registered monitors and the queue to the socket's task.
pub struct Monitors {
    /// The port the socket listens on (`conf.set_monitor_port`).
    pub port: u16,
    queue: mpsc::UnboundedSender<ZmqMessage>,
    /// Topic id → (qualified table, event).
    topics: Mutex<HashMap<String, (String, Event)>>,
}

impl std::fmt::Debug for Monitors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitors")
            .field("port", &self.port)
            .finish()
    }
}

impl Monitors {
    /// Binds the socket on `127.0.0.1:port` (0: a free port) and starts its task.
    pub async fn start(port: u16) -> anyhow::Result<Monitors> {
        let mut socket = PubSocket::new();
        let endpoint = socket
            .bind(&format!("tcp://127.0.0.1:{port}"))
            .await
            .map_err(|e| anyhow::anyhow!("cannot bind the table monitor socket: {e}"))?;
        let port = match endpoint {
            zeromq::Endpoint::Tcp(_, port) => port,
            other => anyhow::bail!("the table monitor socket bound {other}, not TCP"),
        };
        let (queue, mut queued) = mpsc::unbounded_channel::<ZmqMessage>();
        tokio::spawn(async move {
            while let Some(message) = queued.recv().await {
                if let Err(e) = socket.send(message).await {
                    tracing::warn!("table monitor publish failed: {e}");
                }
            }
        });
        Ok(Monitors {
            port,
            queue,
            topics: Mutex::new(HashMap::new()),
        })
    }

    fn topics(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Event)>> {
        self.topics.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a monitor of `event` on `table`; returns its topic id.
    pub fn create(&self, table: &str, event: Event) -> String {
        let topic = format!("{:032x}", fastrand::u128(..));
        self.topics()
            .insert(topic.clone(), (table.to_owned(), event));
        topic
    }

    /// Removes a monitor; whether it existed.
    pub fn clear(&self, topic: &str) -> bool {
        self.topics().remove(topic).is_some()
    }

    /// The topics watching `event` on `table`.
    fn watching(&self, table: &str, event: Event) -> Vec<String> {
        self.topics()
            .iter()
            .filter(|(_, (t, e))| t == table && *e == event)
            .map(|(topic, _)| topic.clone())
            .collect()
    }

    /// Publishes inserted records (each its Avro binary encoding) to `table`'s insert
    /// monitors.
    pub fn inserted(&self, table: &str, records: &[Vec<u8>]) {
        if records.is_empty() {
            return;
        }
        for topic in self.watching(table, Event::Insert) {
            let frames = std::iter::once(Bytes::from(topic.into_bytes()))
                .chain(records.iter().map(|r| Bytes::copy_from_slice(r)))
                .collect::<Vec<_>>();
            self.publish(frames);
        }
    }

    /// Publishes `count` to `table`'s monitors of `event` (an update or delete).
    pub fn counted(&self, table: &str, event: Event, count: i64) {
        if count == 0 {
            return;
        }
        let mut record = Vec::new();
        sluice_kinetica::avro::put_long(&mut record, count);
        for topic in self.watching(table, event) {
            self.publish(vec![
                Bytes::from(topic.into_bytes()),
                Bytes::from(record.clone()),
            ]);
        }
    }

    fn publish(&self, frames: Vec<Bytes>) {
        if let Ok(message) = ZmqMessage::try_from(frames) {
            // The task ends only with the runtime: nothing to do if it has.
            let _ = self.queue.send(message);
        }
    }
}
