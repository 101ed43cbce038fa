//! The WebAssembly benchmark's module: f32 ReLU by relu-simd's active backend
//! and by the naive `v.max(0.0)` loop of `benches/support`, exported to
//! JavaScript (`examples/wasm_bench.mjs` loads it twice, built with and
//! without `+simd128`, and times both in one interleaved run under Node).
//!
//! ```text
//! bash .ci/wasm-bench.sh
//! ```
//!
//! A `cdylib` for `wasm32-unknown-unknown`: no WASI, the timing is done by
//! the driver around each call, each call repeating the operation `reps`
//! times so that the call's overhead is negligible.

#[path = "../benches/support/mod.rs"]
mod support;

use relu_simd::Backend;
use std::hint::black_box;

/// One size's buffers: the input and the output of out-of-place runs, and
/// the buffer of in-place runs.
pub struct Buffers {
    src: Vec<f32>,
    dst: Vec<f32>,
    work: Vec<f32>,
}

/// The index of the active backend in `Backend::ALL`.
#[unsafe(no_mangle)]
pub extern "C" fn bench_backend() -> u32 {
    Backend::active() as u32
}

/// Buffers of `len` f32 (the benchmarks' data: about half negative, 1 in 64
/// NaN), owned by the caller until [`bench_free`].
#[unsafe(no_mangle)]
pub extern "C" fn bench_alloc(len: usize) -> *mut Buffers {
    let src = support::data::<f32>(len, 7);
    let (dst, work) = (vec![0.0; len], src.clone());
    Box::into_raw(Box::new(Buffers { src, dst, work }))
}

/// Frees what [`bench_alloc`] returned.
///
/// # Safety
/// `b` came from `bench_alloc` and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bench_free(b: *mut Buffers) {
    // SAFETY: `b` came from `Box::into_raw` in `bench_alloc` (caller).
    drop(unsafe { Box::from_raw(b) });
}

/// Runs `reps` times: `variant` 0 is relu-simd (the active backend), 1 the
/// naive `v.max(0.0)` loop, 2 the naive `if v > 0.0 { v } else { 0.0 }`
/// loop; in place on the work buffer, or from `src` to `dst`. The in-place
/// data is the input's after the first rep (ReLU of ReLU), for every
/// variant alike.
///
/// # Safety
/// `b` came from [`bench_alloc`] and is not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bench_run(b: *mut Buffers, variant: u32, in_place: u32, reps: u32) {
    // SAFETY: `b` is a live `Buffers` (caller), used by nothing else now.
    let b = unsafe { &mut *b };
    let naive = support::naive_variants::<f32>().swap_remove(0);
    for _ in 0..reps {
        let (src, dst, work) = (
            black_box(&b.src[..]),
            black_box(&mut b.dst[..]),
            black_box(&mut b.work[..]),
        );
        match (variant, in_place != 0) {
            (0, true) => relu_simd::relu_inplace(work),
            (0, false) => relu_simd::relu(src, dst),
            (1, true) => (naive.inplace)(work),
            (1, false) => (naive.out)(src, dst),
            (_, true) => compare_inplace(work),
            (_, false) => compare_out(src, dst),
        }
    }
}

/// The naive ReLU written with a compare (as ggml does; drops NaN). Unlike
/// `f32::max`, whose NaN rule WebAssembly's `f32.max` does not have (it
/// returns NaN), this vectorises to `f32x4` compares with `+simd128`.
#[inline(never)]
fn compare_inplace(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = if *v > 0.0 { *v } else { 0.0 };
    }
}

/// [`compare_inplace`] out of place.
#[inline(never)]
fn compare_out(src: &[f32], dst: &mut [f32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = if s > 0.0 { s } else { 0.0 };
    }
}
