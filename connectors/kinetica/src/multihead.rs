//! Multi-head ingest: send each row straight to the worker rank that owns its
//! shard, in parallel (docs/reference/kinetica-rest-protocol.md §8).
//!
//! Discovery reads `conf.worker_http_server_urls` from `/show/system/properties`
//! and the shard-to-rank table from `/admin/show/shards`. Routing hashes are
//! computed once per batch; the shard map is re-read when a worker reports
//! `info.data_rerouted = "true"`, and after a failed worker insert, in which case
//! the failed rows are re-sent if the map's version changed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::future::join_all;

use crate::client::{KineticaClient, normalize_url};
use crate::error::KineticaError;
use crate::protocol::{
    AdminShowShardsRequest, Endpoint, InsertRecordsRequest, InsertRecordsResponse, Options,
    encode_insert_records_from,
};
use crate::rows::EncodedRows;
use crate::shard::{ShardKey, shard_index};
use crate::types::KineticaType;

/// How many times one batch may be re-routed after shard-map changes before the
/// error is returned: a map that keeps changing means a rebalance in progress,
/// and the caller's own retry (the next batch attempt) is the better place to wait.
const MAX_REROUTE_ROUNDS: usize = 5;

/// Property that enables worker HTTP servers (compared with `"TRUE"`
/// case-sensitively, as the official clients do).
pub const PROP_ENABLE_WORKERS: &str = "conf.enable_worker_http_servers";
/// Property listing worker URLs per rank.
pub const PROP_WORKER_URLS: &str = "conf.worker_http_server_urls";

/// Worker URLs from `/show/system/properties`: `None` when the server has worker
/// HTTP servers disabled or lists none. Index `k` is rank `k + 1`; a removed
/// rank is `None`.
pub fn worker_urls_from_properties(
    props: &Options,
) -> Result<Option<Vec<Option<String>>>, KineticaError> {
    if props.get(PROP_ENABLE_WORKERS).map(String::as_str) != Some("TRUE") {
        return Ok(None);
    }
    let Some(list) = props.get(PROP_WORKER_URLS) else {
        return Ok(None);
    };
    let urls = parse_worker_urls(list)?;
    Ok((urls.iter().any(Option::is_some)).then_some(urls))
}

/// Parses `conf.worker_http_server_urls`: ranks separated by `;` (rank 0, the
/// head, first and dropped), alternatives by `,` (the first is used).
pub fn parse_worker_urls(list: &str) -> Result<Vec<Option<String>>, KineticaError> {
    list.split(';')
        .skip(1)
        .map(|entry| {
            let first = entry.split(',').map(str::trim).find(|u| !u.is_empty());
            first.map(normalize_url).transpose()
        })
        .collect()
}

/// The shard-to-rank table of `/admin/show/shards` with the worker URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMap {
    /// Changes whenever shards move.
    pub version: i64,
    /// `ranks[shard]` is the (1-based) rank owning the shard.
    pub ranks: Vec<i32>,
    /// `worker_urls[k]` serves rank `k + 1`; `None` for a removed rank.
    pub worker_urls: Vec<Option<String>>,
}

impl ShardMap {
    /// Reads `/admin/show/shards` for the given workers.
    pub async fn fetch(
        client: &KineticaClient,
        worker_urls: Vec<Option<String>>,
    ) -> Result<Self, KineticaError> {
        let resp = client.call(&AdminShowShardsRequest::default()).await?;
        if resp.rank.is_empty() {
            return Err(KineticaError::fatal(
                AdminShowShardsRequest::PATH,
                "server returned an empty shard table",
            ));
        }
        Ok(ShardMap {
            version: resp.version,
            ranks: resp.rank,
            worker_urls,
        })
    }

    /// The index into `worker_urls` for a routing hash, or `None` when the owning
    /// rank has no worker URL (such rows go to the head node).
    pub fn worker_for_hash(&self, hash: i64) -> Option<usize> {
        let rank = *self.ranks.get(shard_index(hash, self.ranks.len()))?;
        let idx = usize::try_from(rank).ok()?.checked_sub(1)?;
        self.worker_urls.get(idx)?.as_ref().map(|_| idx)
    }
}

/// A row the server refused while storing the others (only reported when the
/// insert options include `return_individual_errors=true`, or
/// `allow_partial_batch=true` with individual errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord {
    /// Position of the row in the batch given to [`MultiHeadInserter::insert`]
    /// (translated from the per-worker request's own indexes).
    pub index: usize,
    /// The server's `error_N` text.
    pub message: String,
}

/// Totals of one routed insert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsertCounts {
    /// Sum of `count_inserted` over all requests.
    pub count_inserted: i64,
    /// Sum of `count_updated` over all requests.
    pub count_updated: i64,
    /// HTTP requests sent (one per worker per round).
    pub requests: usize,
    /// The shard map was re-read during this insert.
    pub shard_map_refreshed: bool,
    /// Rows refused individually (see [`BadRecord`]), in no particular order.
    pub bad_records: Vec<BadRecord>,
}

impl InsertCounts {
    /// Adds one response; `rows[j]` is the batch index of the request's row `j`
    /// (`None`: the request held the whole batch in order).
    fn add(&mut self, r: &InsertRecordsResponse, rows: Option<&[u32]>) {
        self.count_inserted += i64::from(r.count_inserted);
        self.count_updated += i64::from(r.count_updated);
        self.requests += 1;
        let Some(list) = r.info.get("bad_record_indices") else {
            return;
        };
        for j in list
            .split(',')
            .filter_map(|s| s.trim().parse::<usize>().ok())
        {
            let index = match rows {
                Some(rows) => match rows.get(j) {
                    Some(&i) => i as usize,
                    None => continue,
                },
                None => j,
            };
            let message = r
                .info
                .get(&format!("error_{j}"))
                .cloned()
                .unwrap_or_else(|| "record rejected".to_owned());
            self.bad_records.push(BadRecord { index, message });
        }
    }
}

#[derive(Debug)]
enum Route {
    /// Everything to the head node: multi-head off, replicated table, or no
    /// worker servers.
    Head,
    /// No shard or primary key: rows spread round-robin over live workers.
    Spread { workers: Vec<String> },
    /// Rows go to the rank owning their key's shard.
    Sharded {
        key: ShardKey,
        map: Mutex<Arc<ShardMap>>,
    },
}

/// Inserts batches into one table, routing rows to worker ranks.
///
/// Built once per table (discovery costs two or three calls) and shared by
/// reference; [`MultiHeadInserter::insert`] takes `&self`.
#[derive(Debug)]
pub struct MultiHeadInserter {
    client: KineticaClient,
    table: String,
    route: Route,
    next_worker: AtomicUsize,
}

impl MultiHeadInserter {
    /// An inserter that sends everything to the head node
    /// (`kinetica.enable_multihead=false`).
    pub fn head_only(client: KineticaClient, table_name: impl Into<String>) -> Self {
        MultiHeadInserter {
            client,
            table: table_name.into(),
            route: Route::Head,
            next_worker: AtomicUsize::new(0),
        }
    }

    /// Discovers workers and the shard map for a table of type `ty`. Falls back
    /// to the head node for replicated tables and when the server has no worker
    /// HTTP servers; keyless tables spread over workers without a shard map.
    pub async fn new(
        client: KineticaClient,
        table_name: impl Into<String>,
        ty: &KineticaType,
        is_replicated: bool,
    ) -> Result<Self, KineticaError> {
        let table = table_name.into();
        if is_replicated {
            return Ok(Self::head_only(client, table));
        }
        let props = client.show_system_properties().await?;
        let Some(worker_urls) = worker_urls_from_properties(&props)? else {
            return Ok(Self::head_only(client, table));
        };
        let route = match ShardKey::new(ty) {
            None => Route::Spread {
                workers: worker_urls.into_iter().flatten().collect(),
            },
            Some(key) => Route::Sharded {
                key,
                map: Mutex::new(Arc::new(ShardMap::fetch(&client, worker_urls).await?)),
            },
        };
        Ok(MultiHeadInserter {
            client,
            table,
            route,
            next_worker: AtomicUsize::new(fastrand::usize(..1024)),
        })
    }

    /// The table this inserter writes to.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Whether rows go to workers rather than the head node.
    pub fn is_multi_head(&self) -> bool {
        !matches!(self.route, Route::Head)
    }

    /// The shard map in use (sharded tables only).
    pub fn shard_map(&self) -> Option<Arc<ShardMap>> {
        match &self.route {
            Route::Sharded { map, .. } => Some(map.lock().expect("shard map lock").clone()),
            _ => None,
        }
    }

    /// Re-reads `/admin/show/shards`; returns whether the version changed.
    pub async fn refresh_shard_map(&self) -> Result<bool, KineticaError> {
        let Route::Sharded { map, .. } = &self.route else {
            return Ok(false);
        };
        let current = map.lock().expect("shard map lock").clone();
        let fresh = ShardMap::fetch(&self.client, current.worker_urls.clone()).await?;
        let changed = fresh.version != current.version;
        if changed {
            tracing::info!(
                table = %self.table,
                old_version = current.version,
                new_version = fresh.version,
                "Kinetica shard map changed"
            );
            *map.lock().expect("shard map lock") = Arc::new(fresh);
        }
        Ok(changed)
    }

    /// Inserts a batch of encoded rows (of this table's type) with `options`
    /// (e.g. `update_on_existing_pk`), and sums the per-worker counts. With
    /// `return_individual_errors=true` refused rows come back in
    /// [`InsertCounts::bad_records`] with their index in `rows`.
    ///
    /// On error some rows may already be stored (different workers succeed
    /// independently); the error message says how many, and
    /// [`insert_or_report`](Self::insert_or_report) says which. Re-sending the whole
    /// batch is safe for tables with a primary key and upsert.
    pub async fn insert(
        &self,
        rows: &EncodedRows,
        options: &Options,
    ) -> Result<InsertCounts, KineticaError> {
        self.insert_or_report(rows, options)
            .await
            .map_err(|f| f.error)
    }

    /// As [`insert`](Self::insert), but a failure says which rows were not stored:
    /// those of the requests that failed; every other row is.
    pub async fn insert_or_report(
        &self,
        rows: &EncodedRows,
        options: &Options,
    ) -> Result<InsertCounts, PartialInsert> {
        let mut counts = InsertCounts::default();
        if rows.is_empty() {
            return Ok(counts);
        }
        match &self.route {
            Route::Head => {
                let resp = self
                    .client
                    .insert_records(&self.table, rows, options)
                    .await
                    .map_err(|error| PartialInsert {
                        error,
                        not_stored: (0..rows.len() as u32).collect(),
                    })?;
                counts.add(&resp, None);
                Ok(counts)
            }
            Route::Spread { workers } => {
                let start = self.next_worker.fetch_add(1, Ordering::Relaxed);
                let mut groups = vec![Vec::new(); workers.len()];
                for i in 0..rows.len() {
                    groups[(start + i) % workers.len()].push(i as u32);
                }
                let targets = workers.iter().map(|w| Some(w.as_str())).zip(groups);
                let sent = self.send_groups(targets, rows, options, &mut counts).await;
                match sent.error {
                    None => Ok(counts),
                    Some(e) => Err(partial(e, sent.failed, rows.len())),
                }
            }
            Route::Sharded { key, .. } => self.insert_sharded(key, rows, options, counts).await,
        }
    }

    async fn insert_sharded(
        &self,
        key: &ShardKey,
        rows: &EncodedRows,
        options: &Options,
        mut counts: InsertCounts,
    ) -> Result<InsertCounts, PartialInsert> {
        // Hashes do not depend on the shard map, so they survive re-routing.
        let mut scratch = Vec::with_capacity(64);
        let hashes = rows
            .iter()
            .map(|r| key.hash_encoded(r, &mut scratch))
            .collect::<Result<Vec<i64>, _>>()
            .map_err(|e| PartialInsert {
                error: KineticaError::fatal(
                    InsertRecordsRequest::PATH,
                    format!("bad encoded row: {e}"),
                ),
                not_stored: (0..rows.len() as u32).collect(),
            })?;
        let mut pending: Vec<u32> = (0..rows.len() as u32).collect();
        let mut round = 0;
        loop {
            let map = self.shard_map().expect("sharded route has a map");
            // Group index = worker index; the last group is the head node, for
            // rows whose rank has no worker URL.
            let head = map.worker_urls.len();
            let mut groups = vec![Vec::new(); head + 1];
            for &i in &pending {
                let w = map.worker_for_hash(hashes[i as usize]).unwrap_or(head);
                groups[w].push(i);
            }
            let targets = map
                .worker_urls
                .iter()
                .map(Option::as_deref)
                .chain(std::iter::once(None))
                .zip(groups);
            let sent = self.send_groups(targets, rows, options, &mut counts).await;
            let Some(err) = sent.error else {
                if sent.rerouted {
                    // A worker forwarded rows itself (`data_rerouted`): the data is
                    // stored; only the routing of later batches needs updating.
                    match self.refresh_shard_map().await {
                        Ok(_) => counts.shard_map_refreshed = true,
                        Err(e) => {
                            tracing::warn!(table = %self.table, error = %e, "cannot refresh shard map");
                        }
                    }
                }
                return Ok(counts);
            };
            let failed = sent.failed;
            // A failed worker insert may mean the shards moved: if so, re-send
            // the failed rows along the new map (docs/reference/kinetica-rest-protocol.md §8.5).
            round += 1;
            let changed = round <= MAX_REROUTE_ROUNDS
                && self
                    .refresh_shard_map()
                    .await
                    .map_err(|error| PartialInsert {
                        error,
                        not_stored: failed.clone(),
                    })?;
            if !changed {
                return Err(partial(err, failed, rows.len()));
            }
            counts.shard_map_refreshed = true;
            tracing::info!(
                table = %self.table,
                rows = failed.len(),
                error = %err,
                "re-routing rows after shard map change"
            );
            pending = failed;
        }
    }

    /// Sends each non-empty group to its URL (`None` = head node) in parallel.
    async fn send_groups<'a>(
        &self,
        targets: impl Iterator<Item = (Option<&'a str>, Vec<u32>)>,
        rows: &EncodedRows,
        options: &Options,
        counts: &mut InsertCounts,
    ) -> Sent {
        let mut sent = Vec::new();
        let mut requests = Vec::new();
        for (url, group) in targets.filter(|(_, g)| !g.is_empty()) {
            let url = url.unwrap_or(self.client.url()).to_owned();
            let mut body = Vec::with_capacity(
                group.len() * (rows.byte_len() / rows.len() + 3) + self.table.len() + 64,
            );
            encode_insert_records_from(
                &mut body,
                &self.table,
                group.len(),
                group
                    .iter()
                    .map(|&i| rows.get(i as usize).expect("row index")),
                options,
            );
            let client = &self.client;
            requests.push(async move {
                client
                    .post::<InsertRecordsResponse>(
                        &url,
                        InsertRecordsRequest::PATH,
                        Bytes::from(body),
                    )
                    .await
            });
            sent.push(group);
        }
        let mut out = Sent::default();
        for (group, result) in sent.into_iter().zip(join_all(requests).await) {
            match result {
                Ok(resp) => {
                    counts.add(&resp, Some(&group));
                    out.rerouted |=
                        resp.info.get("data_rerouted").map(String::as_str) == Some("true");
                }
                Err(e) => {
                    out.failed.extend(group);
                    out.error.get_or_insert(e);
                }
            }
        }
        out
    }
}

/// The outcome of one round of parallel worker requests.
#[derive(Default)]
struct Sent {
    /// Indexes of rows whose request failed.
    failed: Vec<u32>,
    /// The first error.
    error: Option<KineticaError>,
    /// A worker answered `info.data_rerouted = "true"`.
    rerouted: bool,
}

/// A routed insert that failed: the first error, and the rows (indexes into the batch)
/// whose requests failed. Every other row of the batch is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialInsert {
    /// The first failed request's error; says how many rows other ranks stored.
    pub error: KineticaError,
    /// Indexes of the rows not stored, ascending.
    pub not_stored: Vec<u32>,
}

/// The failure of a partly successful insert, its error saying "n of m rows were stored".
fn partial(e: KineticaError, mut not_stored: Vec<u32>, total: usize) -> PartialInsert {
    not_stored.sort_unstable();
    let stored = total - not_stored.len();
    let error = if stored == 0 {
        e
    } else {
        let msg = format!(
            "{} ({stored} of {total} rows were sent successfully to other ranks)",
            e.message()
        );
        match e {
            KineticaError::Retriable { endpoint, .. } => KineticaError::retriable(endpoint, msg),
            KineticaError::Fatal { endpoint, .. } => KineticaError::fatal(endpoint, msg),
        }
    };
    PartialInsert { error, not_stored }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_urls_parse_like_the_python_client() {
        let urls = parse_worker_urls("http://h:9191;http://h:9192,http://alt:9192;;http://h:9194")
            .unwrap();
        assert_eq!(
            urls,
            vec![
                Some("http://h:9192".to_string()),
                None,
                Some("http://h:9194".to_string())
            ]
        );
        let mut props = Options::new();
        props.insert(PROP_WORKER_URLS.into(), "http://h:1;http://h:2".into());
        assert_eq!(worker_urls_from_properties(&props).unwrap(), None);
        props.insert(PROP_ENABLE_WORKERS.into(), "true".into());
        assert_eq!(
            worker_urls_from_properties(&props).unwrap(),
            None,
            "case-sensitive"
        );
        props.insert(PROP_ENABLE_WORKERS.into(), "TRUE".into());
        assert_eq!(
            worker_urls_from_properties(&props).unwrap(),
            Some(vec![Some("http://h:2".into())])
        );
    }

    #[test]
    fn routing_uses_one_based_ranks() {
        let map = ShardMap {
            version: 1,
            ranks: vec![1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1],
            worker_urls: vec![Some("a".into()), Some("b".into()), None],
        };
        // h1 of int key 1 → shard 6 → rank 1 → worker 0.
        assert_eq!(map.worker_for_hash(-1478847531811254870), Some(0));
        // shard 7 → rank 2 → worker 1.
        assert_eq!(map.worker_for_hash(-2491907962822328071), Some(1));
        // shard 8 → rank 3, removed → head.
        assert_eq!(map.worker_for_hash(3478107235931676136), None);
    }
}
