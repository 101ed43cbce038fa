#!/usr/bin/env bash
# WebAssembly: the test suite for wasm32-wasip1 under Node (.ci/wasi-run.mjs,
# the cargo runner in .cargo/config.toml), with +simd128 (the simd128
# backend, which detection must pick) and without (portable and scalar);
# no_std builds for wasm32-unknown-unknown both ways; clippy with +simd128.
# Each RUSTFLAGS gets its own target directory, so neither rebuilds the other.
# Run from .ci/run, or alone: bash .ci/wasm.sh [--exhaustive]
# --exhaustive adds the 2^32 f32 sweep on simd128, portable and scalar under
# Node, in release (113 s after a 1-minute build on a shared 2-core Zen 3
# VM, 2026-12-03): not in .ci/run by default, for its time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { printf '\n--- wasm [%4ds] %s\n' "$((SECONDS - start))" "$*"; }
rustup target add wasm32-wasip1 wasm32-unknown-unknown
node --version
simd128="-C target-feature=+simd128"
# A failing test aborts the whole process (panics abort on wasm32) before
# libtest prints the output it captured: print it as it comes instead.
export RUST_TEST_NOCAPTURE=1

step "tests, wasm32-wasip1 +simd128 under Node: simd128, portable, scalar"
RUSTFLAGS=$simd128 CARGO_TARGET_DIR=target/wasm-simd128 \
    RELU_SIMD_REQUIRE=simd128,portable,scalar RELU_SIMD_EXPECT_ACTIVE=simd128 \
    cargo test -p relu-simd --target wasm32-wasip1
step "tests, wasm32-wasip1 without simd128 under Node: portable, scalar"
RUSTFLAGS="" CARGO_TARGET_DIR=target/wasm-plain \
    RELU_SIMD_REQUIRE=portable,scalar RELU_SIMD_EXPECT_ACTIVE=portable \
    cargo test -p relu-simd --target wasm32-wasip1

step "no_std: the library for wasm32-unknown-unknown, with and without +simd128"
RUSTFLAGS=$simd128 CARGO_TARGET_DIR=target/wasm-simd128 \
    cargo build -p relu-simd --lib --no-default-features --target wasm32-unknown-unknown
RUSTFLAGS="" CARGO_TARGET_DIR=target/wasm-plain \
    cargo build -p relu-simd --lib --no-default-features --target wasm32-unknown-unknown

step "clippy, wasm32-wasip1 +simd128"
RUSTFLAGS=$simd128 CARGO_TARGET_DIR=target/wasm-simd128 \
    cargo clippy -p relu-simd --target wasm32-wasip1 --all-targets -- -D warnings
if [[ ${1:-} == --exhaustive ]]; then
    step "exhaustive, wasm32-wasip1 +simd128 under Node: all 2^32 f32 patterns (release)"
    RUSTFLAGS=$simd128 CARGO_TARGET_DIR=target/wasm-simd128 RELU_SIMD_REQUIRE=simd128,portable,scalar \
        cargo test -p relu-simd --release --target wasm32-wasip1 --test exhaustive -- --ignored
fi
step "wasm green"
