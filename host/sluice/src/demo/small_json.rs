//! Small schemaless JSON records for `sluice bench`: a handful of typed fields padded to
//! an exact size (100 bytes by default, the size the design's Kafka measurements use),
//! so that records/s and MB/s compare with a raw consumer of the same topic.

use std::fmt::Write as _;

/// Records of `size` bytes (at least [`SmallJson::MIN_SIZE`]); keys are `k<index>`.
#[derive(Debug, Clone)]
pub struct SmallJson {
    size: usize,
}

impl SmallJson {
    /// The size of a record with an empty pad and a six-digit id: smaller records would
    /// not have room for their fields.
    pub const MIN_SIZE: usize = 90;

    pub fn new(size: usize) -> SmallJson {
        SmallJson {
            size: size.max(Self::MIN_SIZE),
        }
    }

    pub fn write(&self, index: u64, key: &mut String, value: &mut String) {
        write_key(index, key);
        value.clear();
        let f = Fields::of(index);
        // Writing to a String cannot fail.
        let _ = write!(
            value,
            r#"{{"id":{},"symbol":"S{:03}","price":{}.{:02},"size":{},"ts":{},"pad":""#,
            f.id, f.symbol, f.price_units, f.price_cents, f.size, f.ts,
        );
        // The pad takes what is left; ids beyond six digits make records a little larger.
        let pad = self.size.saturating_sub(value.len() + 2);
        value.extend(std::iter::repeat_n('x', pad));
        value.push_str("\"}");
    }
}

impl super::produce::Generator for SmallJson {
    fn write(&mut self, index: u64, key: &mut Vec<u8>, value: &mut Vec<u8>) -> anyhow::Result<()> {
        super::produce::as_text(key, |key| {
            super::produce::as_text(value, |text| SmallJson::write(self, index, key, text));
        });
        Ok(())
    }
}

/// The key of record `index`: `k<index>`.
pub fn write_key(index: u64, key: &mut String) {
    key.clear();
    let _ = write!(key, "k{index}");
}

/// The typed fields of record `index` before its pad, which the JSON records and their
/// Avro counterparts (`small_avro`) both carry: `symbol` is written `S<symbol:03>` and
/// `price` is `price_units.price_cents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    pub id: u64,
    pub symbol: u64,
    pub price_units: u64,
    pub price_cents: u64,
    pub size: u64,
    pub ts: u64,
}

impl Fields {
    pub fn of(index: u64) -> Fields {
        Fields {
            id: index,
            symbol: index % 500,
            price_units: 10 + index % 990,
            price_cents: index % 100,
            size: 100 * (1 + index % 10),
            ts: 1_547_587_673_240 + index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_have_the_requested_size_and_parse() {
        let (mut key, mut value) = (String::new(), String::new());
        for size in [SmallJson::MIN_SIZE, 100, 256] {
            for index in [0, 7, 999_999] {
                SmallJson::new(size).write(index, &mut key, &mut value);
                assert_eq!(value.len(), size, "{value}");
                let json: serde_json::Value = serde_json::from_str(&value).unwrap();
                assert_eq!(json["id"], index);
                assert_eq!(key, format!("k{index}"));
            }
        }
    }
}
