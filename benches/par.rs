//! Criterion benchmarks of the parallel forms (`relu_simd::par`, feature
//! `rayon`) against the sequential ones, f32, on rayon's global pool (one
//! thread per core): in place (`relu_inplace`), out of place (`relu`) and
//! backward (`relu_backward`), at 131,072, 2,000,000, 16,000,000 and
//! 64,000,000 elements, in one run. Each group has three entries: `seq`, the
//! sequential form; `par`, the parallel form as shipped (which stays on the
//! calling thread below `PARALLEL_FROM`); and `split`, the parallel form
//! split from the first byte (`PAR_CHUNK` bytes per chunk, default
//! `CHUNK_BYTES`), which is what the threshold is measured from.
//!
//! ```text
//! cargo bench -p relu-simd-benches --bench par                    # ~2 minutes
//! cargo bench -p relu-simd-benches --bench par -- --output-format bencher
//! PAR_CHUNK=262144 cargo bench -p relu-simd-benches --bench par -- 'inplace/2000000'
//! ```
//!
//! Throughput counts the bytes read plus written. In-place entries run on
//! the same buffer repeatedly (ReLU is idempotent; the kernel is branch-free).

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use relu_simd::{Activations, par};
use std::hint::black_box;
use std::time::Duration;

const SIZES: [usize; 4] = [131_072, 2_000_000, 16_000_000, 64_000_000];

/// Runs `f` as the parallel form split from the first byte.
fn split<R>(f: impl FnOnce() -> R) -> R {
    let chunk = std::env::var("PAR_CHUNK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(par::CHUNK_BYTES);
    par::with_setting(Activations::active(), 0, chunk, f)
}

fn data(len: usize, seed: u32) -> Vec<f32> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) as f32 - 8_388_608.0)
        .collect()
}

fn benches(c: &mut Criterion) {
    for len in SIZES {
        let (x, dy) = (data(len, 1), data(len, 2));
        let mut out = vec![0.0f32; len];
        let bytes = |arrays: u64| Throughput::Bytes(arrays * 4 * len as u64);
        let configure = |g: &mut criterion::BenchmarkGroup<'_, _>, arrays| {
            g.throughput(bytes(arrays));
            g.sample_size(10);
            g.warm_up_time(Duration::from_millis(300));
            g.measurement_time(Duration::from_secs(1));
            g.sampling_mode(SamplingMode::Flat);
        };

        let mut g = c.benchmark_group(format!("inplace/{len}"));
        configure(&mut g, 2);
        let mut buf = x.clone();
        g.bench_function("seq", |b| {
            b.iter(|| relu_simd::relu_inplace(black_box(&mut buf)))
        });
        g.bench_function("par", |b| b.iter(|| par::relu_inplace(black_box(&mut buf))));
        g.bench_function("split", |b| {
            b.iter(|| split(|| par::relu_inplace(black_box(&mut buf))))
        });
        g.finish();
        drop(buf);

        let mut g = c.benchmark_group(format!("out_of_place/{len}"));
        configure(&mut g, 2);
        g.bench_function("seq", |b| {
            b.iter(|| relu_simd::relu(black_box(&x), &mut out))
        });
        g.bench_function("par", |b| b.iter(|| par::relu(black_box(&x), &mut out)));
        g.bench_function("split", |b| {
            b.iter(|| split(|| par::relu(black_box(&x), &mut out)))
        });
        g.finish();

        let mut g = c.benchmark_group(format!("backward/{len}"));
        configure(&mut g, 3);
        g.bench_function("seq", |b| {
            b.iter(|| relu_simd::relu_backward(black_box(&x), &dy, &mut out))
        });
        g.bench_function("par", |b| {
            b.iter(|| par::relu_backward(black_box(&x), &dy, &mut out))
        });
        g.bench_function("split", |b| {
            b.iter(|| split(|| par::relu_backward(black_box(&x), &dy, &mut out)))
        });
        g.finish();
    }
}

criterion_group!(par_benches, benches);
criterion_main!(par_benches);
