//! Offsets are part of the pipeline seam (`sluice-connect`); the source and the
//! rebalance callback use them through this module.

pub(crate) use sluice_connect::offsets::{Offsets, TopicPartition, display_list};
