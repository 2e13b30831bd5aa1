//! The emulator's in-memory database: schemas, types, tables with typed rows,
//! the shard map, and test hooks (fault injection, routing statistics).
//!
//! Endpoint behaviour lives in the `endpoints` modules as `impl Db` blocks; this
//! module only holds state and the helpers they share.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, RwLock};

use sluice_kinetica::avro;
use sluice_kinetica::rows::encode_value;
use sluice_kinetica::{KineticaType, Options, Value};

use crate::config::EmulatorConfig;

/// The schema unqualified names resolve to.
pub const DEFAULT_SCHEMA: &str = "ki_home";

/// An endpoint error: answered with HTTP 400 and an ERROR envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError(pub String);

impl ApiError {
    pub fn new(msg: impl Into<String>) -> Self {
        ApiError(msg.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A registered type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub ty: KineticaType,
    pub label: String,
}

/// A table and its rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// Qualified name, `schema.table`.
    pub name: String,
    pub schema: String,
    pub type_id: String,
    pub ty: KineticaType,
    pub rows: Vec<Vec<Value>>,
    pub replicated: bool,
    /// Primary-key columns and an index from their encoded values to row position.
    pk_cols: Vec<usize>,
    pk_index: HashMap<Vec<u8>, usize>,
}

impl Table {
    pub fn new(
        name: String,
        schema: String,
        type_id: String,
        ty: KineticaType,
        replicated: bool,
    ) -> Self {
        let pk_cols = ty.primary_key_columns();
        Table {
            name,
            schema,
            type_id,
            ty,
            rows: Vec::new(),
            replicated,
            pk_cols,
            pk_index: HashMap::new(),
        }
    }

    /// The primary key of a row as bytes (its key columns Avro-encoded), or
    /// `None` for tables without a primary key.
    pub fn pk_of(&self, row: &[Value]) -> Option<Vec<u8>> {
        if self.pk_cols.is_empty() {
            return None;
        }
        let mut key = Vec::new();
        for &i in &self.pk_cols {
            let col = &self.ty.columns()[i];
            // Values were validated against the type already, so this cannot fail;
            // mark a mismatch distinctly rather than panic if it ever did.
            if encode_value(col, row[i].as_ref(), &mut key).is_err() {
                avro::put_str(&mut key, "\u{0}invalid");
            }
        }
        Some(key)
    }

    /// The row position holding primary key `pk`.
    pub fn find_pk(&self, pk: &[u8]) -> Option<usize> {
        self.pk_index.get(pk).copied()
    }

    /// Appends a row (the caller checked the primary key is new).
    pub fn push(&mut self, row: Vec<Value>, pk: Option<Vec<u8>>) {
        if let Some(pk) = pk {
            self.pk_index.insert(pk, self.rows.len());
        }
        self.rows.push(row);
    }

    /// Replaces a row at `pos` (same primary key).
    pub fn replace(&mut self, pos: usize, row: Vec<Value>) {
        self.rows[pos] = row;
    }

    /// Changes the type (after an alter) and rebuilds the key index.
    pub fn set_type(&mut self, type_id: String, ty: KineticaType) {
        self.type_id = type_id;
        self.ty = ty;
        self.pk_cols = self.ty.primary_key_columns();
        self.reindex();
    }

    /// Keeps the rows `keep` accepts; returns how many were removed.
    pub fn retain_rows(&mut self, mut keep: impl FnMut(&[Value]) -> bool) -> usize {
        let before = self.rows.len();
        self.rows.retain(|r| keep(r));
        self.reindex();
        before - self.rows.len()
    }

    /// Removes every row.
    pub fn clear_rows(&mut self) {
        self.rows.clear();
        self.pk_index.clear();
    }

    fn reindex(&mut self) {
        self.pk_index.clear();
        for i in 0..self.rows.len() {
            if let Some(pk) = self.pk_of(&self.rows[i]) {
                self.pk_index.insert(pk, i);
            }
        }
    }
}

/// Schemas, types and tables.
#[derive(Debug, Default)]
pub struct Catalog {
    pub schemas: BTreeSet<String>,
    pub types: HashMap<String, TypeDef>,
    pub tables: BTreeMap<String, Table>,
}

/// The shard-to-rank table served by `/admin/show/shards`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardState {
    pub version: i64,
    pub ranks: Vec<i32>,
}

/// A failure to inject into the next requests of an endpoint.
#[derive(Debug, Clone)]
pub struct Fault {
    pub endpoint: String,
    pub remaining: usize,
    pub http_status: u16,
    pub message: String,
}

/// Per-rank routing statistics (rank 0 is the head node).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Rows accepted by `/insert/records`, by rank.
    pub rows_by_rank: BTreeMap<usize, u64>,
    /// Rows a worker received that belong to another rank.
    pub misrouted_rows: u64,
    /// Requests per endpoint path (all nodes).
    pub requests: BTreeMap<String, u64>,
    /// Requests to paths the emulator does not serve (answered 404).
    pub unknown_endpoints: BTreeMap<String, u64>,
}

/// The whole emulated cluster.
#[derive(Debug)]
pub struct Db {
    pub config: EmulatorConfig,
    pub head_url: String,
    pub worker_urls: Vec<String>,
    pub catalog: RwLock<Catalog>,
    pub shards: RwLock<ShardState>,
    pub faults: Mutex<Vec<Fault>>,
    pub stats: Mutex<Stats>,
    /// Table monitors and their socket, when `config.monitor_port` is set.
    pub monitors: Option<crate::monitor::Monitors>,
}

impl Db {
    pub fn new(
        config: EmulatorConfig,
        head_url: String,
        worker_urls: Vec<String>,
        monitors: Option<crate::monitor::Monitors>,
    ) -> Self {
        let ranks = default_ranks(config.shards.max(1), config.workers);
        let catalog = Catalog {
            schemas: BTreeSet::from([DEFAULT_SCHEMA.to_owned()]),
            ..Catalog::default()
        };
        Db {
            config,
            head_url,
            worker_urls,
            catalog: RwLock::new(catalog),
            shards: RwLock::new(ShardState { version: 1, ranks }),
            faults: Mutex::new(Vec::new()),
            stats: Mutex::new(Stats::default()),
            monitors,
        }
    }

    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, Catalog> {
        self.catalog.read().expect("catalog lock poisoned")
    }

    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().expect("catalog lock poisoned")
    }

    pub fn shard_state(&self) -> ShardState {
        self.shards.read().expect("shard lock").clone()
    }

    /// Takes one injected fault for `endpoint`, if any is pending.
    pub fn take_fault(&self, endpoint: &str) -> Option<(u16, String)> {
        let mut faults = self.faults.lock().expect("fault lock");
        let pos = faults.iter().position(|f| f.endpoint == endpoint)?;
        let f = &mut faults[pos];
        f.remaining -= 1;
        let out = (f.http_status, f.message.clone());
        if f.remaining == 0 {
            faults.remove(pos);
        }
        Some(out)
    }

    pub fn count_request(&self, endpoint: &str) {
        *self
            .stats
            .lock()
            .expect("stats lock")
            .requests
            .entry(endpoint.to_owned())
            .or_default() += 1;
    }
}

/// Shard `i` belongs to rank `i mod workers + 1`; with no workers, to rank 1
/// (a single-node cluster still has one worker rank behind the head).
pub fn default_ranks(shards: usize, workers: usize) -> Vec<i32> {
    let n = workers.max(1);
    (0..shards).map(|i| (i % n + 1) as i32).collect()
}

/// Splits a table name into `(schema, qualified name)`; unqualified names
/// resolve against `ki_home`.
pub fn qualify(name: &str) -> ApiResult<(String, String)> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::new("Table name cannot be empty"));
    }
    match name.split_once('.') {
        Some((s, t)) if !s.is_empty() && !t.is_empty() => Ok((s.to_owned(), name.to_owned())),
        Some(_) => Err(ApiError::new(format!("Invalid table name '{name}'"))),
        None => Ok((
            DEFAULT_SCHEMA.to_owned(),
            format!("{DEFAULT_SCHEMA}.{name}"),
        )),
    }
}

/// Rejects option keys outside `allowed`, as real servers do (docs/reference/kinetica-rest-protocol.md §4).
pub fn check_options(options: &Options, allowed: &[&str]) -> ApiResult<()> {
    match options.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::new(format!(
            "Parameter map key: '{k}' is not a valid parameter; error in Job validation"
        ))),
        None => Ok(()),
    }
}

/// A boolean option (`"true"`/`"false"`, any case), `default` when absent.
pub fn opt_bool(options: &Options, key: &str, default: bool) -> ApiResult<bool> {
    match options.get(key).map(|v| v.to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(v) => Err(ApiError::new(format!(
            "Invalid value '{v}' for option '{key}': expected true or false"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_qualify_against_ki_home() {
        assert_eq!(
            qualify("t").unwrap(),
            ("ki_home".to_string(), "ki_home.t".to_string())
        );
        assert_eq!(
            qualify("s.t").unwrap(),
            ("s".to_string(), "s.t".to_string())
        );
        assert!(qualify("").is_err());
        assert!(qualify(".t").is_err());
    }

    #[test]
    fn ranks_round_robin() {
        assert_eq!(default_ranks(5, 2), vec![1, 2, 1, 2, 1]);
        assert_eq!(default_ranks(3, 0), vec![1, 1, 1]);
    }
}
