#!/usr/bin/env bash
# Builds target/mask.wasm, the Python MaskField component, with componentize-py
# (`pip install componentize-py`; 0.25.1 was used). With --bench, also builds the
# benchmark guests in bench/ into target/: passthrough.wasm, mask_per_record.wasm,
# mask_parts.wasm, and naive_passthrough.wasm / naive_mask.wasm for the rejected
# copy-records design.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v componentize-py >/dev/null; then
    echo "componentize-py not found: pip install componentize-py" >&2
    exit 1
fi

# sluice:plugin@0.2.0 (the package version is in the WIT; worlds are named without it).
WIT=../../../wit
mkdir -p target

# Typed bindings for the `transform` world, for editors and type checkers
# (componentize generates its own copy when it builds the component).
# componentize-py refuses to write bindings over an earlier run's.
rm -rf target/bindings
componentize-py -d "$WIT" -w transform bindings target/bindings

componentize-py -d "$WIT" -w transform componentize app -o target/mask.wasm

if [[ "${1:-}" == "--bench" ]]; then
    componentize-py -d "$WIT" -w transform componentize -p bench passthrough -o target/passthrough.wasm
    componentize-py -d "$WIT" -w transform componentize -p bench mask_per_record -o target/mask_per_record.wasm
    componentize-py -d "$WIT" -w transform componentize -p bench mask_parts -o target/mask_parts.wasm
    componentize-py -d "$WIT/bench/naive.wit" -w naive-transform componentize -p bench naive_passthrough -o target/naive_passthrough.wasm
    componentize-py -d "$WIT/bench/naive.wit" -w naive-transform componentize -p bench naive_mask -o target/naive_mask.wasm
fi
ls -l target/*.wasm
