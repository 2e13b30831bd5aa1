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
        key.clear();
        let _ = write!(key, "k{index}");
        value.clear();
        // Writing to a String cannot fail.
        let _ = write!(
            value,
            r#"{{"id":{index},"symbol":"S{:03}","price":{}.{:02},"size":{},"ts":{},"pad":""#,
            index % 500,
            10 + index % 990,
            index % 100,
            100 * (1 + index % 10),
            1_547_587_673_240 + index,
        );
        // The pad takes what is left; ids beyond six digits make records a little larger.
        let pad = self.size.saturating_sub(value.len() + 2);
        value.extend(std::iter::repeat_n('x', pad));
        value.push_str("\"}");
    }
}

impl super::produce::Generator for SmallJson {
    fn write(&mut self, index: u64, key: &mut String, value: &mut String) {
        SmallJson::write(self, index, key, value);
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
