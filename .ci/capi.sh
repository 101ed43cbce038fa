#!/usr/bin/env bash
# The C API (capi/), from the repo root (.ci/run calls it): the committed
# header is what cbindgen generates; the C tests pass against the static and
# the shared library on every backend this CPU has, under AddressSanitizer
# and UBSan, and on aarch64 under qemu-aarch64; the header compiles as C++17.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { printf '\n--- capi [%3ds] %s\n' "$((SECONDS - start))" "$*"; }

step "setup: cbindgen 0.29, nightly (for cbindgen's macro expansion), aarch64 target, cross gcc, qemu-user"
if ! cbindgen --version 2>/dev/null | grep -q '^cbindgen 0\.29\.'; then
    cargo install cbindgen --version '~0.29' --locked
fi
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
rustup target add aarch64-unknown-linux-gnu
if ! command -v qemu-aarch64 >/dev/null || ! command -v aarch64-linux-gnu-gcc >/dev/null \
    || ! command -v g++ >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq g++ gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
fi

# The backends this CPU must run, from /proc/cpuinfo (as .ci/run).
flags=$(grep -m 1 '^flags' /proc/cpuinfo)
has() { [[ " $flags " == *" $1 "* ]]; }
backends="scalar portable"
if has avx2; then backends="$backends avx2"; fi
if has avx512f && has avx512bw; then backends="$backends avx512"; fi

out=target/capi
mkdir -p "$out"
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -ffp-contract=off -O2 -Icapi/include)
libs=(-lpthread -ldl -lm)

step "header: capi/include/relu_simd.h is what cbindgen generates"
RUSTUP_TOOLCHAIN=nightly CARGO_TARGET_DIR=target/cbindgen \
    cbindgen -q --config capi/cbindgen.toml --crate relu-simd-capi --output "$out/relu_simd.h" capi
diff -u capi/include/relu_simd.h "$out/relu_simd.h" \
    || { echo "capi/include/relu_simd.h is stale: regenerate it (see capi/cbindgen.toml)"; exit 1; }

step "build: librelu_simd.a and librelu_simd.so (release)"
cargo build --release -p relu-simd-capi
lib=target/release
# The shared library exports the C API and nothing else; the header declares all of it.
exported=$(nm -D --defined-only "$lib/librelu_simd.so" | awk '$2 == "T" {print $3}' | sort)
if grep -v '^relu_simd_' <<<"$exported"; then echo "librelu_simd.so exports the above"; exit 1; fi
declared=$(grep -o '^[a-z].* \**relu_simd_[a-z0-9_]*(' capi/include/relu_simd.h \
    | grep -o 'relu_simd_[a-z0-9_]*' | sort)
diff <(echo "$exported") <(echo "$declared") || { echo "exports and header differ"; exit 1; }
echo "$(wc -l <<<"$exported") functions exported and declared"

run_all() { # $1: the test binary, then the runner (if any); every backend, then an invalid one
    local bin=$1; shift
    for backend in $backends; do RELU_SIMD_BACKEND=$backend "$@" "$bin"; done
    RELU_SIMD_BACKEND=avx9 "$@" "$bin" --invalid
}

step "C11, static library: backends $backends"
gcc "${cflags[@]}" capi/tests/contract.c "$lib/librelu_simd.a" "${libs[@]}" -o "$out/contract_static"
run_all "$out/contract_static"

step "C11, shared library: backends $backends"
gcc "${cflags[@]}" capi/tests/contract.c -L"$lib" -Wl,-rpath,"$PWD/$lib" -lrelu_simd "${libs[@]}" \
    -o "$out/contract_shared"
ldd "$out/contract_shared" | grep -q 'librelu_simd.so' || { echo "not linked to the .so"; exit 1; }
run_all "$out/contract_shared"

step "C11 with -fsanitize=address,undefined, static library: backends $backends"
gcc "${cflags[@]}" -g -fsanitize=address,undefined -fno-sanitize-recover=all capi/tests/contract.c \
    "$lib/librelu_simd.a" "${libs[@]}" -o "$out/contract_asan"
run_all "$out/contract_asan"

step "C99 and C++17: the header alone, then a program in C++"
printf '#include "relu_simd.h"\nint main(void) { return relu_simd_backend() == 0; }\n' \
    | gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Icapi/include -x c -fsyntax-only -
g++ -std=c++17 -Wall -Wextra -Werror -Icapi/include capi/tests/cpp_header.cpp \
    "$lib/librelu_simd.a" "${libs[@]}" -o "$out/cpp_header"

step "the timing example compiles (not run here: it is a benchmark)"
gcc -std=c11 -O3 -march=native -Wall -Wextra -Wpedantic -Werror -Icapi/include \
    capi/examples/relu_timing.c "$lib/librelu_simd.a" "${libs[@]}" -o "$out/relu_timing"
"$out/cpp_header"

step "aarch64 under qemu-aarch64: neon, portable, scalar"
cargo build --release -p relu-simd-capi --target aarch64-unknown-linux-gnu
aarch64-linux-gnu-gcc "${cflags[@]}" capi/tests/contract.c \
    target/aarch64-unknown-linux-gnu/release/librelu_simd.a "${libs[@]}" -o "$out/contract_aarch64"
backends="neon portable scalar"
run_all "$out/contract_aarch64" qemu-aarch64 -L /usr/aarch64-linux-gnu

step "capi green"
