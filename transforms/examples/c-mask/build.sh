#!/usr/bin/env bash
# Builds target/mask.wasm, the C MaskField component: wit-bindgen's C bindings (generated
# by `sluice transform bindings`), clang for wasm32-wasi with wasi-libc, and `sluice
# transform componentize` (the world's type and the WASI preview1 adapter). Needs clang,
# lld and wasi-libc: `apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32` on
# Debian 12 (clang 14 was used), or the WASI SDK (`CC=/opt/wasi-sdk/bin/clang`).
# `SLUICE` names the sluice binary (default: `sluice` on the PATH).
set -euo pipefail
cd "$(dirname "$0")"

SLUICE=${SLUICE:-sluice}
CC=${CC:-clang}
if ! command -v "$CC" >/dev/null; then
    echo "$CC not found: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32 (or set CC)" >&2
    exit 1
fi
mkdir -p target

"$SLUICE" transform bindings --lang c --world transform --out-dir target/bindings >/dev/null

# A reactor: the host calls its exports, it has no `main`.
"$CC" --target=wasm32-wasi -mexec-model=reactor -O2 -Wall -Werror \
    -I target/bindings mask.c target/bindings/transform.c \
    target/bindings/transform_component_type.o -o target/mask.core.wasm

"$SLUICE" transform componentize target/mask.core.wasm -o target/mask.wasm --world transform
