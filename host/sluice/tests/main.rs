//! The `sluice` binary's system tests, one test binary for them all: each would link the
//! whole stack (wasmtime, librdkafka, the emulator), so one binary instead of eleven keeps
//! the build's disk and link time down. Each module is one subject; `support` is what they
//! share. `cargo test -p sluice --test system rest::` runs one subject.

mod support;

mod bench;
mod cli;
mod deb;
mod demo;
mod drills;
mod install;
mod polyglot;
mod rest;
mod run_compat;
mod run_secure;
mod source_drills;
mod transform_golden;
mod ui;
mod validate_run;
