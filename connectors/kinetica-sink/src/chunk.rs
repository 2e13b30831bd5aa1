//! Inserting chunks of rows, and hearing which rows Kinetica refused.
//!
//! A chunk is at most `kinetica.batch_size` encoded rows of one table, each remembered
//! with its record's index in the batch. The conversion checks catch nearly every bad
//! value before it is sent, but a table created up front can be stricter (a `date`
//! column given a malformed string, say).
//!
//! Head-node inserts ask for `return_individual_errors`: Kinetica then stores the good
//! rows and lists the refused ones (`bad_record_indices`, `error_N`), which become
//! per-record failures. A multi-head insert is one request per rank and the client's
//! [`sluice_kinetica::MultiHeadInserter`] reports only totals, so there a refused
//! request fails the records of the chunk (other ranks' rows may be stored).

use std::ops::AddAssign;

use sluice_kinetica::{
    EncodedRows, KineticaClient, KineticaError, KineticaType, Options, RowError, Value,
};

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
        cells: &[Value],
        record: usize,
    ) -> Result<(), RowError> {
        self.rows.push_row(ty, cells)?;
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
/// an error means the request as a whole failed.
pub async fn insert(
    client: &KineticaClient,
    table: &Table,
    chunk: &Chunk,
    options: &Options,
    out: &mut Outcome<'_>,
) -> Result<Inserted, KineticaError> {
    if table.inserter.is_multi_head() {
        let counts = table.inserter.insert(&chunk.rows, options).await?;
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
        .await?;
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

/// After a multi-head insert of the chunk failed with `error`: every record of the
/// chunk fails, saying that rows sent to other ranks may be stored.
pub fn reject_all(table: &Table, chunk: &Chunk, error: &KineticaError, out: &mut Outcome<'_>) {
    let message = format!(
        "{} (multi-head insert: rows of the same chunk sent to other ranks may be stored)",
        error.message()
    );
    for &i in chunk.records() {
        out.fail(
            i,
            RecordError::Rejected {
                table: table.name.clone(),
                message: message.clone(),
            },
        );
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
