//! Inserting chunks of rows, and finding the rows Kinetica refuses.
//!
//! A chunk is at most `kinetica.batch_size` encoded rows of one table, each remembered
//! with its record's index in the batch. Kinetica accepts or refuses an
//! `/insert/records` request as a whole, so when it refuses one for a reason other
//! than availability (the conversion checks catch nearly everything before this, but a
//! pre-created table can be stricter, say about a date string), the sink splits the
//! chunk in halves and re-sends them until the refused rows stand alone; every other
//! row is stored. The number of rows isolated that way per chunk is capped, so a chunk
//! in which every row is refused costs a bounded number of requests: past the cap the
//! remaining refused parts fail as a whole.

use std::ops::{AddAssign, Range};

use sluice_kinetica::{EncodedRows, KineticaError, KineticaType, Options, RowError, Value};

use crate::report::{RecordError, SinkError};
use crate::sink::Outcome;
use crate::tables::Table;

/// Refused rows isolated one by one per chunk before giving up on isolating.
const MAX_ISOLATED_ROWS: usize = 64;

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

    pub fn rows(&self) -> &EncodedRows {
        &self.rows
    }

    /// Empties the chunk, keeping its buffers.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.records.clear();
    }

    fn slice(&self, range: Range<usize>) -> EncodedRows {
        range
            .map(|i| self.rows.get(i).expect("row index in range"))
            .collect()
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

/// Sends rows in one routed insert.
pub async fn insert(
    table: &Table,
    rows: &EncodedRows,
    options: &Options,
) -> Result<Inserted, KineticaError> {
    let counts = table.inserter.insert(rows, options).await?;
    Ok(Inserted {
        inserted: u64::try_from(counts.count_inserted).unwrap_or(0),
        updated: u64::try_from(counts.count_updated).unwrap_or(0),
        sent: rows.len() as u64,
    })
}

/// After Kinetica refused the whole chunk with `error`: stores what it accepts and
/// reports the rows it refuses.
///
/// Only head-node inserts are split. A multi-head insert is several requests whose
/// ranks succeed independently, so re-sending parts of the chunk could store rows twice;
/// there every record of the chunk fails with the error.
pub async fn isolate(
    table: &Table,
    chunk: &Chunk,
    options: &Options,
    error: KineticaError,
    out: &mut Outcome<'_>,
) -> Result<Inserted, SinkError> {
    let mut stored = Inserted::default();
    let reject = |out: &mut Outcome<'_>, range: Range<usize>, message: String| {
        for &i in &chunk.records[range] {
            out.fail(
                i,
                RecordError::Rejected {
                    table: table.name.clone(),
                    message: message.clone(),
                },
            );
        }
    };
    if table.inserter.is_multi_head() {
        let message = format!(
            "{} (multi-head insert: other rows of the same chunk may have been stored)",
            error.message()
        );
        reject(out, 0..chunk.len(), message);
        return Ok(stored);
    }
    tracing::warn!(
        table = %table.name,
        rows = chunk.len(),
        error = %error,
        "Kinetica refused a chunk; re-sending it in parts to find the refused rows"
    );
    let mut isolated = 0;
    // Ranges known to be refused, with the message; the left half is examined first.
    let mut refused = vec![(0..chunk.len(), error.message().to_owned())];
    while let Some((range, message)) = refused.pop() {
        if range.len() == 1 || isolated >= MAX_ISOLATED_ROWS {
            isolated += range.len();
            reject(out, range, message);
            continue;
        }
        let mid = range.start + range.len() / 2;
        let mut halves = Vec::new();
        for half in [range.start..mid, mid..range.end] {
            match insert(table, &chunk.slice(half.clone()), options).await {
                Ok(done) => stored += done,
                Err(e) if e.is_retriable() => return Err(SinkError::Retriable(e)),
                Err(e) => halves.push((half, e.message().to_owned())),
            }
        }
        refused.extend(halves.into_iter().rev());
    }
    Ok(stored)
}
