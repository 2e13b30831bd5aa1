//! Did every record reach Kinetica? The demo's transform writes each record's Kafka
//! partition and offset into its row, so the rows can be matched against the topic
//! offset by offset: a missing record is named, a record written twice (at-least-once
//! delivery after a retry) is counted, not mistaken for a missing one.

use sluice_kinetica::Value;

/// How many records each partition of the topic holds (its high watermark, the topic
/// being new), and the rows found in the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Records in the topic.
    pub expected: u64,
    /// Rows in the table.
    pub rows: u64,
    /// Partitions with records that have no row.
    pub missing: Vec<Missing>,
    /// Rows for a record that already had one.
    pub duplicates: u64,
    /// Rows whose partition and offset name no record of the topic.
    pub strays: u64,
    /// Whether rows were matched by partition and offset (`false`: by count only, the
    /// table having no such columns).
    pub by_offset: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub partition: i32,
    pub count: u64,
    pub first_offset: i64,
}

impl Coverage {
    pub fn is_complete(&self) -> bool {
        if self.by_offset {
            self.missing.is_empty()
        } else {
            self.rows >= self.expected
        }
    }

    /// Records without a row.
    pub fn missing_count(&self) -> u64 {
        if self.by_offset {
            self.missing.iter().map(|m| m.count).sum()
        } else {
            self.expected.saturating_sub(self.rows)
        }
    }
}

/// Matches `rows` against partitions `0..` holding `records_per_partition[p]` records
/// from offset 0. `columns` are the table's column names in row order;
/// `partition_column` and `offset_column` name the columns the transform filled.
pub fn check(
    records_per_partition: &[(i32, i64)],
    columns: &[&str],
    rows: &[Vec<Value>],
    partition_column: &str,
    offset_column: &str,
) -> Coverage {
    let expected = records_per_partition
        .iter()
        .map(|(_, n)| (*n).max(0) as u64)
        .sum();
    let index = |name: &str| columns.iter().position(|c| *c == name);
    let (Some(p_col), Some(o_col)) = (index(partition_column), index(offset_column)) else {
        return Coverage {
            expected,
            rows: rows.len() as u64,
            missing: Vec::new(),
            duplicates: 0,
            strays: 0,
            by_offset: false,
        };
    };
    let mut seen: Vec<(i32, Vec<bool>)> = records_per_partition
        .iter()
        .map(|(p, n)| (*p, vec![false; (*n).max(0) as usize]))
        .collect();
    let (mut duplicates, mut strays) = (0, 0);
    for row in rows {
        let slot = integer(row.get(p_col))
            .zip(integer(row.get(o_col)))
            .and_then(|(partition, offset)| {
                let (_, offsets) = seen.iter_mut().find(|(p, _)| i64::from(*p) == partition)?;
                offsets.get_mut(usize::try_from(offset).ok()?)
            });
        match slot {
            Some(seen) if *seen => duplicates += 1,
            Some(seen) => *seen = true,
            None => strays += 1,
        }
    }
    let missing = seen
        .iter()
        .filter_map(|(partition, offsets)| {
            let first = offsets.iter().position(|s| !s)?;
            Some(Missing {
                partition: *partition,
                count: offsets.iter().filter(|s| !**s).count() as u64,
                first_offset: first as i64,
            })
        })
        .collect();
    Coverage {
        expected,
        rows: rows.len() as u64,
        missing,
        duplicates,
        strays,
        by_offset: true,
    }
}

fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Int(v) => Some(i64::from(*v)),
        Value::Long(v) => Some(*v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["symbol", "kafka_partition", "kafka_offset"];

    fn row(partition: i32, offset: i64) -> Vec<Value> {
        vec![
            Value::String("AAPL".into()),
            Value::Int(partition),
            Value::Long(offset),
        ]
    }

    fn run(rows: &[Vec<Value>]) -> Coverage {
        check(
            &[(0, 3), (1, 2)],
            COLUMNS,
            rows,
            "kafka_partition",
            "kafka_offset",
        )
    }

    #[test]
    fn every_offset_present_is_complete() {
        let rows = [row(0, 0), row(1, 1), row(0, 2), row(1, 0), row(0, 1)];
        let c = run(&rows);
        assert!(c.is_complete(), "{c:?}");
        assert_eq!((c.expected, c.rows, c.duplicates, c.strays), (5, 5, 0, 0));
    }

    #[test]
    fn a_missing_record_is_named_even_when_a_duplicate_makes_the_count_right() {
        let rows = [row(0, 0), row(0, 0), row(0, 2), row(1, 0), row(1, 1)];
        let c = run(&rows);
        assert!(!c.is_complete());
        assert_eq!(
            c.missing,
            [Missing {
                partition: 0,
                count: 1,
                first_offset: 1
            }]
        );
        assert_eq!((c.duplicates, c.missing_count()), (1, 1));
    }

    #[test]
    fn rows_from_nowhere_are_strays() {
        let rows = [
            row(0, 0),
            row(0, 1),
            row(0, 2),
            row(1, 0),
            row(1, 1),
            row(7, 0),
        ];
        let c = run(&rows);
        assert!(c.is_complete());
        assert_eq!(c.strays, 1);
    }

    #[test]
    fn without_the_offset_columns_rows_are_counted() {
        let rows = vec![vec![Value::String("x".into())]; 5];
        let c = check(&[(0, 3), (1, 2)], &["symbol"], &rows, "p", "o");
        assert!(!c.by_offset);
        assert!(c.is_complete());
        let c = check(&[(0, 3), (1, 3)], &["symbol"], &rows, "p", "o");
        assert_eq!(c.missing_count(), 1);
    }
}
