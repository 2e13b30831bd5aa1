//! The `transform` world's adapter: a transform changes, discards, rejects or appends
//! records of a batch it gets to own for the call.

use sluice_record::Record;
use wasmtime::Store;
use wasmtime::component::Resource;

use crate::batch::{BatchRep, Fate, HostBatch};
use crate::bindings::TransformWorld;
use crate::bindings::types::Error as WitError;
use crate::error::PluginError;
use crate::instance::{Instance, Plugin, World};
use crate::state::HostState;

/// A transform component with its configuration, ready to instantiate.
pub type TransformPlugin = Plugin<TransformWorld>;

/// A running transform instance.
pub type TransformInstance = Instance<TransformWorld>;

/// The result of applying a transform (or a flattener) to a batch.
#[derive(Debug, Default)]
pub struct TransformOutput {
    /// Records that go on, in input order, followed by records the guest appended.
    pub records: Vec<Record>,
    /// Records the guest rejected, with its reason: for the error policy (DLQ or stop).
    pub rejected: Vec<(Record, String)>,
    /// How many records the guest discarded (filtered out).
    pub discarded: usize,
    /// For each of `records`, the index in the input batch of the record it is (or, for
    /// an appended record, was appended from): lets a caller trace a record back to its
    /// source through a chain of transforms (dead letter queues, `BadRecord` reruns).
    pub origins: Vec<u32>,
    /// For each of `rejected`, its index in the input batch.
    pub rejected_origins: Vec<u32>,
}

impl TransformInstance {
    /// Applies the transform to one batch.
    ///
    /// On error the batch is gone (the guest may have changed part of it): the caller
    /// still has the records' source and decides, per its error policy, to stop or to
    /// rerun without the failing record. A trapped instance is replaced on the next call.
    pub fn apply(&mut self, records: Vec<Record>) -> Result<TransformOutput, PluginError> {
        self.on_owned_batch(records, |exports, store, handle| {
            exports
                .sluice_plugin_transform_records()
                .call_apply(store, handle)
        })
    }
}

impl<W: World> Instance<W> {
    /// Runs `call` with a batch the guest owns for the call (a transform's `apply`, a
    /// flattener's `flatten`) and collects what became of each record.
    pub(crate) fn on_owned_batch(
        &mut self,
        records: Vec<Record>,
        call: impl FnOnce(
            &W::Exports,
            &mut Store<HostState>,
            Resource<BatchRep>,
        ) -> wasmtime::Result<Result<(), WitError>>,
    ) -> Result<TransformOutput, PluginError> {
        let (_, batch) = self.call(Some(HostBatch::new(records)), |exports, store| {
            // The handle names the batch held in the store's state; see `BatchRep`.
            call(exports, store, Resource::new_borrow(0))
        })?;
        Ok(collect(batch.expect("the batch is handed back")))
    }
}

fn collect(batch: HostBatch) -> TransformOutput {
    let (mut records, fates, appended) = batch.into_parts();
    // Most transforms keep every record: the batch then goes on as it is, rather than
    // each record being moved into a new vector (about 200 instructions per record and
    // transform, counted with callgrind; docs/benchmarks.md).
    if fates.len() == records.len() && fates.iter().all(|fate| *fate == Fate::Keep) {
        let mut origins: Vec<u32> = (0..).take(records.len()).collect();
        records.reserve(appended.len());
        origins.reserve(appended.len());
        for (origin, record) in appended {
            records.push(record);
            origins.push(origin);
        }
        return TransformOutput {
            records,
            origins,
            ..TransformOutput::default()
        };
    }
    let mut out = TransformOutput {
        records: Vec::with_capacity(records.len() + appended.len()),
        ..TransformOutput::default()
    };
    out.origins.reserve(out.records.capacity());
    for (index, (record, fate)) in (0u32..).zip(records.into_iter().zip(fates)) {
        match fate {
            Fate::Keep => {
                out.records.push(record);
                out.origins.push(index);
            }
            Fate::Discard => out.discarded += 1,
            Fate::Reject(reason) => {
                out.rejected.push((record, reason));
                out.rejected_origins.push(index);
            }
        }
    }
    for (origin, record) in appended {
        out.records.push(record);
        out.origins.push(origin);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(fates: &[Fate], appended: &[u32]) -> HostBatch {
        let records = (0..fates.len() as i64)
            .map(|o| Record::new("t", 0, o))
            .collect();
        let mut batch = HostBatch::new(records);
        batch.fates = fates.to_vec();
        batch.appended = appended
            .iter()
            .map(|&origin| (origin, Record::new("t", 0, 100 + i64::from(origin))))
            .collect();
        batch
    }

    fn offsets(records: &[Record]) -> Vec<i64> {
        records.iter().map(|r| r.offset).collect()
    }

    #[test]
    fn a_batch_that_keeps_every_record_goes_on_whole_with_what_was_appended() {
        let out = collect(batch(&[Fate::Keep, Fate::Keep, Fate::Keep], &[1]));
        assert_eq!(offsets(&out.records), [0, 1, 2, 101]);
        assert_eq!(out.origins, [0, 1, 2, 1]);
        assert!(out.rejected.is_empty() && out.rejected_origins.is_empty());
        assert_eq!(out.discarded, 0);
    }

    #[test]
    fn discarded_and_rejected_records_leave_the_batch_and_keep_their_origins() {
        let fates = [
            Fate::Discard,
            Fate::Keep,
            Fate::Reject("bad".into()),
            Fate::Keep,
        ];
        let out = collect(batch(&fates, &[3]));
        assert_eq!(offsets(&out.records), [1, 3, 103]);
        assert_eq!(out.origins, [1, 3, 3]);
        assert_eq!(out.discarded, 1);
        assert_eq!(out.rejected.len(), 1);
        assert_eq!(
            (out.rejected[0].0.offset, out.rejected[0].1.as_str()),
            (2, "bad")
        );
        assert_eq!(out.rejected_origins, [2]);
    }
}
