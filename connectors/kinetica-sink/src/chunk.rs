//! Inserting chunks of rows, and hearing which rows Kinetica refused.
//!
//! A chunk is at most `kinetica.batch_size` encoded rows of one table, each remembered
//! with its record's index in the batch. The conversion checks catch nearly every bad
//! value before it is sent, but a table created up front can be stricter (a `date`
//! column given a malformed string, say).
//!
//! Head-node inserts ask for `return_individual_errors`: Kinetica then stores the good
//! rows and lists the refused ones (`bad_record_indices`, `error_N`), which become
//! per-record failures. A multi-head insert is one request per rank, and the client's
//! [`sluice_kinetica::MultiHeadInserter`] says which rows' requests failed: a refused
//! request fails exactly its rows; the rows other ranks stored are never reported as
//! failed (they must not reach a dead letter queue).

use std::ops::AddAssign;

use sluice_kinetica::{
    EncodedRows, KineticaClient, KineticaType, Options, PartialInsert, RowError,
};

use crate::cell::RowCell;
use crate::report::RecordError;
use crate::sink::Outcome;
use crate::tables::Table;

const RETURN_INDIVIDUAL_ERRORS: &str = "return_individual_errors";
const BAD_RECORD_INDICES: &str = "bad_record_indices";

/// Encoded rows for one table and the batch index of each.
pub struct Chunk {
    rows: EncodedRows,
    records: Vec<usize>,
}

impl Chunk {
    pub fn new(batch_size: usize) -> Chunk {
        // Rows rarely go below 16 bytes; the buffers grow further if needed.
        let rows = batch_size.min(65_536);
        Chunk {
            rows: EncodedRows::with_capacity(rows, rows * 16),
            records: Vec::with_capacity(rows),
        }
    }

    /// Encodes and appends a row; on error nothing is appended.
    pub fn push(
        &mut self,
        ty: &KineticaType,
        cells: &[RowCell<'_>],
        record: usize,
    ) -> Result<(), RowError> {
        self.rows.push_refs(ty, cells.iter().map(RowCell::as_ref))?;
        self.records.push(record);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The batch indexes of the chunk's records.
    pub fn records(&self) -> &[usize] {
        &self.records
    }

    /// Empties the chunk, keeping its buffers.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.records.clear();
    }
}

/// Rows Kinetica acknowledged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inserted {
    pub inserted: u64,
    pub updated: u64,
    pub sent: u64,
}

impl AddAssign for Inserted {
    fn add_assign(&mut self, o: Inserted) {
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.sent += o.sent;
    }
}

fn count(n: impl TryInto<u64>) -> u64 {
    n.try_into().unwrap_or(0)
}

/// Inserts the chunk. Rows Kinetica refuses individually are reported through `out`;
/// an error means a request failed as a whole, and says which rows it held.
pub async fn insert(
    client: &KineticaClient,
    table: &Table,
    chunk: &Chunk,
    options: &Options,
    out: &mut Outcome<'_>,
) -> Result<Inserted, PartialInsert> {
    if table.inserter.is_multi_head() {
        let counts = table
            .inserter
            .insert_or_report(&chunk.rows, options)
            .await?;
        return Ok(Inserted {
            inserted: count(counts.count_inserted),
            updated: count(counts.count_updated),
            sent: count(chunk.len()),
        });
    }
    let mut options = options.clone();
    options.insert(RETURN_INDIVIDUAL_ERRORS.into(), "true".into());
    let resp = client
        .insert_records(&table.name, &chunk.rows, &options)
        .await
        .map_err(|error| PartialInsert {
            error,
            not_stored: (0..chunk.len() as u32).collect(),
        })?;
    let bad = refused_rows(&resp.info, chunk.len());
    for (row, message) in &bad {
        out.fail(
            chunk.records[*row],
            RecordError::Rejected {
                table: table.name.clone(),
                message: message.clone(),
            },
        );
    }
    Ok(Inserted {
        inserted: count(resp.count_inserted),
        updated: count(resp.count_updated),
        sent: count(chunk.len() - bad.len()),
    })
}

/// After ranks refused their part of a multi-head insert: the records of the refused
/// requests fail; the rest are stored. Returns the rows stored.
pub fn reject_refused(
    table: &Table,
    chunk: &Chunk,
    failure: &PartialInsert,
    out: &mut Outcome<'_>,
) -> Inserted {
    let message = format!(
        "{} (multi-head insert: the rank of this row refused its request)",
        failure.error.message()
    );
    for &row in &failure.not_stored {
        let i = chunk.records()[row as usize];
        out.fail(
            i,
            RecordError::Rejected {
                table: table.name.clone(),
                message: message.clone(),
            },
        );
    }
    Inserted {
        sent: count(chunk.len() - failure.not_stored.len()),
        ..Inserted::default()
    }
}

/// Reads `bad_record_indices` (`"1,5"`) and `error_N` from an insert response: the
/// refused rows (0-based, within the request) and why. Indexes outside the request are
/// ignored rather than trusted.
fn refused_rows(info: &Options, rows: usize) -> Vec<(usize, String)> {
    let Some(list) = info.get(BAD_RECORD_INDICES) else {
        return Vec::new();
    };
    let mut bad: Vec<(usize, String)> = list
        .split(',')
        .filter_map(|i| i.trim().parse::<usize>().ok())
        .filter(|&i| i < rows)
        .map(|i| {
            let message = info
                .get(&format!("error_{i}"))
                .cloned()
                .unwrap_or_else(|| "refused by Kinetica (no reason given)".into());
            (i, message)
        })
        .collect();
    bad.sort_by_key(|(i, _)| *i);
    bad.dedup_by_key(|(i, _)| *i);
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_rows_come_from_the_info_map() {
        let info = Options::from([
            (BAD_RECORD_INDICES.into(), "3, 1,1,x,99".into()),
            ("error_1".into(), "bad date".into()),
        ]);
        assert_eq!(
            refused_rows(&info, 5),
            vec![
                (1, "bad date".to_string()),
                (3, "refused by Kinetica (no reason given)".to_string())
            ]
        );
        assert!(refused_rows(&Options::new(), 5).is_empty());
    }
}
