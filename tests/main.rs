//! Sluice's end-to-end tests, one test binary for them all: each binary links the whole
//! stack (wasmtime, librdkafka, the emulator), so one binary instead of seven keeps the
//! build's disk and link time down. Each module is one subject; `common` is what they
//! share. `cargo test -p sluice-tests broker::` runs one subject.

mod common;

mod avro;
mod broker;
mod errors;
mod evolution;
mod exactly_once;
mod explode;
mod faults;
mod flatten;
mod gpudb;
mod kinetica_source;
mod pipeline;
mod seams;
mod standard_smts;
mod startup;
mod worlds;
