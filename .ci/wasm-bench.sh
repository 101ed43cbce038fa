#!/usr/bin/env bash
# The WebAssembly benchmark (BENCHMARKS.md): examples/wasm_bench.rs built for
# wasm32-unknown-unknown with and without +simd128, then timed in one
# interleaved run under Node by examples/wasm_bench.mjs. A few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown
build() {
    cargo build -q --release -p relu-simd-examples --example wasm_bench \
        --target wasm32-unknown-unknown --target-dir "target/wasm-bench-$1"
}
RUSTFLAGS="-C target-feature=+simd128" build simd128
RUSTFLAGS="" build plain
dir=wasm32-unknown-unknown/release/examples
node examples/wasm_bench.mjs "target/wasm-bench-simd128/$dir/wasm_bench.wasm" \
    "target/wasm-bench-plain/$dir/wasm_bench.wasm"
