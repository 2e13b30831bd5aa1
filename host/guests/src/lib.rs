//! The Wasm guests built from `transforms/` by this crate's build script: the standard
//! components, embedded in the binary so that it stands alone ([`bundled`]), and, with
//! the `testing` feature, the paths of every guest, test guests included (`path`).

#[cfg(feature = "testing")]
use std::path::PathBuf;

include!(concat!(env!("OUT_DIR"), "/guests.rs"));

/// The standard components (`mask-field`, `insert-field`, …) as component bytes, by
/// name. Test guests (`transforms/testing/`) are never among them.
pub fn bundled() -> &'static [(&'static str, &'static [u8])] {
    BUNDLED
}

/// The freshly built component of the guest crate `name` (e.g. `spin`).
///
/// # Panics
/// If there is no such guest: the list of known guests is in the message.
#[cfg(feature = "testing")]
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
#[cfg(feature = "testing")]
pub fn dir() -> PathBuf {
    path(GUESTS[0].0).parent().unwrap().to_path_buf()
}
