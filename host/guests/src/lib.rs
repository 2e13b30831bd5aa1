//! Paths of the Wasm guests built from `transforms/` by this crate's build script.

use std::path::PathBuf;

include!(concat!(env!("OUT_DIR"), "/guests.rs"));

/// The freshly built component of the guest crate `name` (e.g. `mask-field`).
///
/// # Panics
/// If there is no such guest: the list of known guests is in the message.
pub fn path(name: &str) -> PathBuf {
    match GUESTS.iter().find(|(n, _)| *n == name) {
        Some((_, p)) => PathBuf::from(p),
        None => panic!(
            "no guest named {name:?}; built guests: {:?}",
            GUESTS.iter().map(|(n, _)| n).collect::<Vec<_>>()
        ),
    }
}

/// The directory holding every built guest component.
pub fn dir() -> PathBuf {
    path(GUESTS[0].0).parent().unwrap().to_path_buf()
}
