//! `/insert/records` (head and worker ranks), `/get/records`, `/delete/records`.

use std::collections::HashMap;

use serde_json::{Map, Value as Json};
use sluice_kinetica::protocol::*;
use sluice_kinetica::rows::decode_row;
use sluice_kinetica::shard::{ShardKey, shard_index};
use sluice_kinetica::value::value_from_json;
use sluice_kinetica::{ColumnKind, EncodedRows, KineticaType, Options, Value};

use crate::config::MisroutedPolicy;
use crate::db::{ApiError, ApiResult, Db, Table, check_options, opt_bool};
use crate::filter::Filter;
use crate::monitor::Event;
use sluice_kinetica::rows::encode_row;

const INSERT_OPTIONS: &[&str] = &[
    "update_on_existing_pk",
    "ignore_existing_pk",
    "enable_inplace_updates",
    "pk_conflict_predicate_higher",
    "pk_conflict_predicate_lower",
    "return_record_ids",
    "truncate_strings",
    "return_individual_errors",
    "allow_partial_batch",
    "error_handling",
    "dry_run",
    "request_schema_str",
    "transformations",
];

/// What one incoming row does to the table.
enum Action {
    Insert(Vec<Value>),
    Replace(usize, Vec<Value>),
}

/// Checks the ranges and lengths Kinetica enforces beyond the Avro base type.
fn validate_row(ty: &KineticaType, row: &mut [Value], truncate: bool) -> Result<(), String> {
    for (col, v) in ty.columns().iter().zip(row.iter_mut()) {
        let range = match col.kind() {
            ColumnKind::Int8 => Some((-128, 127)),
            ColumnKind::Int16 => Some((-32768, 32767)),
            ColumnKind::Boolean => Some((0, 1)),
            _ => None,
        };
        match (col.kind(), v) {
            (_, Value::Int(x)) if range.is_some_and(|(lo, hi)| *x < lo || *x > hi) => {
                return Err(format!("value {x} out of range for column '{}'", col.name));
            }
            (ColumnKind::Char(n), Value::String(s)) if s.chars().count() > usize::from(n) => {
                if !truncate {
                    return Err(format!(
                        "string too long for char{n} column '{}': '{s}'",
                        col.name
                    ));
                }
                *s = s.chars().take(usize::from(n)).collect();
            }
            _ => {}
        }
    }
    Ok(())
}

/// Decodes the request's rows (binary or JSON) with the table's type; each
/// entry is the row or the reason it is bad.
fn decode_rows(
    req: &InsertRecordsRequest,
    ty: &KineticaType,
) -> ApiResult<Vec<Result<Vec<Value>, String>>> {
    match req.list_encoding.as_str() {
        "binary" | "" => Ok(req
            .list
            .iter()
            .map(|b| decode_row(ty, b).map_err(|e| format!("cannot decode record: {e}")))
            .collect()),
        "json" => Ok(req
            .list_str
            .iter()
            .map(|s| {
                let obj: Map<String, Json> =
                    serde_json::from_str(s).map_err(|e| format!("invalid JSON record: {e}"))?;
                ty.columns()
                    .iter()
                    .map(|c| value_from_json(c, obj.get(&c.name).unwrap_or(&Json::Null)))
                    .collect()
            })
            .collect()),
        other => Err(ApiError::new(format!("Invalid list_encoding '{other}'"))),
    }
}

impl Db {
    /// `/insert/records` on `rank` (0 = head node). Worker ranks check that each
    /// row's shard key belongs to them (see [`MisroutedPolicy`]).
    pub fn insert_records(
        &self,
        req: InsertRecordsRequest,
        rank: usize,
    ) -> ApiResult<InsertRecordsResponse> {
        check_options(&req.options, INSERT_OPTIONS)?;
        let upsert = opt_bool(&req.options, "update_on_existing_pk", false)?;
        let ignore = opt_bool(&req.options, "ignore_existing_pk", false)?;
        let return_ids = opt_bool(&req.options, "return_record_ids", false)?;
        let truncate = opt_bool(&req.options, "truncate_strings", false)?;
        let individual = opt_bool(&req.options, "return_individual_errors", false)?;
        let partial = opt_bool(&req.options, "allow_partial_batch", false)? || individual;
        let dry_run = opt_bool(&req.options, "dry_run", false)?;

        let mut cat = self.write();
        let table = cat.table_mut(&req.table_name)?;
        let mut rows = decode_rows(&req, &table.ty)?;
        let mut info = Options::new();
        if rank > 0 && self.check_routing(&req, table, &rows, rank)? {
            info.insert("data_rerouted".into(), "true".into());
        }

        let mut errors: Vec<(usize, String)> = Vec::new();
        let mut actions: Vec<Action> = Vec::new();
        let mut batch_pks: HashMap<Vec<u8>, usize> = HashMap::new();
        let (mut inserted, mut updated) = (0i32, 0i32);
        for (i, row) in rows.iter_mut().enumerate() {
            let mut row = match std::mem::replace(row, Err(String::new())) {
                Ok(r) => r,
                Err(e) => {
                    errors.push((i, e));
                    continue;
                }
            };
            if let Err(e) = validate_row(&table.ty, &mut row, truncate) {
                errors.push((i, e));
                continue;
            }
            let Some(pk) = table.pk_of(&row) else {
                actions.push(Action::Insert(row));
                inserted += 1;
                continue;
            };
            let existing = batch_pks.get(&pk).copied();
            let stored = table.find_pk(&pk);
            if existing.is_none() && stored.is_none() {
                batch_pks.insert(pk, actions.len());
                actions.push(Action::Insert(row));
                inserted += 1;
            } else if upsert {
                updated += 1;
                match existing {
                    // Same key earlier in this batch: the later row wins.
                    Some(a) => match &mut actions[a] {
                        Action::Insert(r) | Action::Replace(_, r) => *r = row,
                    },
                    None => {
                        batch_pks.insert(pk, actions.len());
                        actions.push(Action::Replace(stored.expect("stored"), row));
                    }
                }
            } else if !ignore {
                errors.push((
                    i,
                    format!(
                        "Insertion of record {i} failed: primary key already exists in table '{}'",
                        table.name
                    ),
                ));
            }
        }

        if !errors.is_empty() {
            if !partial {
                let (_, first) = &errors[0];
                return Err(ApiError::new(format!(
                    "{first} ({} of {} records rejected; batch not inserted)",
                    errors.len(),
                    req.list.len().max(req.list_str.len())
                )));
            }
            let bad: Vec<String> = errors.iter().map(|(i, _)| i.to_string()).collect();
            info.insert("bad_record_indices".into(), bad.join(","));
            for (i, e) in &errors {
                info.insert(format!("error_{i}"), e.clone());
            }
        }

        let mut record_ids = Vec::new();
        // Inserted rows as their Avro binary encoding, for the table's insert monitors.
        let mut published: Vec<Vec<u8>> = Vec::new();
        if !dry_run {
            for action in actions {
                let pos = match action {
                    Action::Insert(row) => {
                        if self.monitors.is_some() {
                            let mut bytes = Vec::new();
                            if encode_row(&table.ty, row.iter().map(Value::as_ref), &mut bytes)
                                .is_ok()
                            {
                                published.push(bytes);
                            }
                        }
                        let pk = table.pk_of(&row);
                        table.push(row, pk);
                        table.rows.len() - 1
                    }
                    Action::Replace(pos, row) => {
                        table.replace(pos, row);
                        pos
                    }
                };
                if return_ids {
                    record_ids.push(format!("{pos:016x}"));
                }
            }
            let mut stats = self.stats.lock().expect("stats lock");
            *stats.rows_by_rank.entry(rank).or_default() += (inserted + updated) as u64;
            if let Some(monitors) = &self.monitors {
                monitors.inserted(&table.name, &published);
                monitors.counted(&table.name, Event::Update, i64::from(updated));
            }
        }
        Ok(InsertRecordsResponse {
            record_ids,
            count_inserted: inserted,
            count_updated: updated,
            info,
        })
    }

    /// On a worker rank: counts rows whose shard key belongs to another rank.
    /// Returns whether the reply must say `data_rerouted`, or the rejection.
    fn check_routing(
        &self,
        req: &InsertRecordsRequest,
        table: &Table,
        rows: &[Result<Vec<Value>, String>],
        rank: usize,
    ) -> ApiResult<bool> {
        // Replicated and keyless tables accept rows on any rank.
        let Some(key) = ShardKey::new(&table.ty).filter(|_| !table.replicated) else {
            return Ok(false);
        };
        let shards = self.shard_state();
        let mut buf = Vec::new();
        let misrouted = rows
            .iter()
            .flatten()
            .filter(|row| {
                let refs: Vec<_> = row.iter().map(Value::as_ref).collect();
                let h = key.hash_values(&refs, &mut buf);
                shards.ranks[shard_index(h, shards.ranks.len())] as usize != rank
            })
            .count();
        if misrouted == 0 {
            return Ok(false);
        }
        self.stats.lock().expect("stats lock").misrouted_rows += misrouted as u64;
        match self.config.misrouted {
            MisroutedPolicy::Reroute => Ok(true),
            MisroutedPolicy::Reject => Err(ApiError::new(format!(
                "Insert into '{}' rejected by rank {rank}: {misrouted} of {} records belong \
                 to other ranks (shard map version {}); re-read /admin/show/shards",
                req.table_name,
                rows.len(),
                shards.version
            ))),
        }
    }

    pub fn get_records(&self, req: GetRecordsRequest) -> ApiResult<GetRecordsResponse> {
        check_options(
            &req.options,
            &["expression", "fast_index_lookup", "sort_by", "sort_order"],
        )?;
        let cat = self.read();
        let table = cat.table(&req.table_name)?;
        let mut rows: Vec<&Vec<Value>> = match req
            .options
            .get("expression")
            .filter(|e| !e.trim().is_empty())
        {
            Some(expr) => {
                let f = Filter::parse(expr, &table.ty)
                    .map_err(|e| ApiError::new(format!("Invalid expression '{expr}': {e}")))?;
                table.rows.iter().filter(|r| f.matches(r)).collect()
            }
            None => table.rows.iter().collect(),
        };
        if let Some(col) = req.options.get("sort_by").filter(|c| !c.is_empty()) {
            let i = table
                .ty
                .column_index(col)
                .ok_or_else(|| ApiError::new(format!("Unknown sort_by column '{col}'")))?;
            rows.sort_by(|a, b| order(&a[i], &b[i]));
            if req
                .options
                .get("sort_order")
                .is_some_and(|o| o.eq_ignore_ascii_case("descending"))
            {
                rows.reverse();
            }
        }
        if req.offset < 0 {
            return Err(ApiError::new(format!("Invalid offset {}", req.offset)));
        }
        let total = rows.len();
        let start = (req.offset as usize).min(total);
        let end = match req.limit {
            END_OF_SET => total,
            l if l < 0 => return Err(ApiError::new(format!("Invalid limit {l}"))),
            l => start.saturating_add(l as usize).min(total),
        };
        let page = &rows[start..end];
        let mut resp = GetRecordsResponse {
            table_name: req.table_name.clone(),
            type_name: table.type_id.clone(),
            type_schema: table.ty.type_definition(),
            total_number_of_records: total as i64,
            has_more_records: end < total,
            ..GetRecordsResponse::default()
        };
        match req.encoding.as_str() {
            "binary" | "" => {
                let mut out = EncodedRows::new();
                for r in page {
                    out.push_row(&table.ty, r)
                        .map_err(|e| ApiError::new(format!("stored row does not fit type: {e}")))?;
                }
                resp.records_binary = out;
            }
            "json" => {
                resp.records_json = page.iter().map(|r| row_json(&table.ty, r)).collect();
            }
            other => return Err(ApiError::new(format!("Unsupported encoding '{other}'"))),
        }
        Ok(resp)
    }

    pub fn delete_records(&self, req: DeleteRecordsRequest) -> ApiResult<DeleteRecordsResponse> {
        check_options(
            &req.options,
            &["global_expression", "record_id", "delete_all_records"],
        )?;
        let mut cat = self.write();
        let table = cat.table_mut(&req.table_name)?;
        let mut resp = DeleteRecordsResponse::default();
        if opt_bool(&req.options, "delete_all_records", false)? {
            resp.count_deleted = table.rows.len() as i64;
            table.clear_rows();
        } else {
            for expr in &req.expressions {
                let f = Filter::parse(expr, &table.ty)
                    .map_err(|e| ApiError::new(format!("Invalid expression '{expr}': {e}")))?;
                let n = table.retain_rows(|r| !f.matches(r));
                resp.counts_deleted.push(n as i64);
                resp.count_deleted += n as i64;
            }
        }
        if let Some(monitors) = &self.monitors {
            monitors.counted(&table.name, Event::Delete, resp.count_deleted);
        }
        Ok(resp)
    }
}

/// A record as a JSON object in column order.
pub fn row_json(ty: &KineticaType, row: &[Value]) -> String {
    let obj: Map<String, Json> = ty
        .columns()
        .iter()
        .zip(row)
        .map(|(c, v)| (c.name.clone(), v.as_ref().to_json()))
        .collect();
    Json::Object(obj).to_string()
}

/// Sort order for `sort_by`: nulls first, then by value.
fn order(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Value::Null, Value::Null) => Equal,
        (Value::Null, _) => Less,
        (_, Value::Null) => Greater,
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Long(x), Value::Long(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.total_cmp(y),
        (Value::Double(x), Value::Double(y)) => x.total_cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bytes(x), Value::Bytes(y)) => x.cmp(y),
        _ => Equal,
    }
}
