//! Criterion benchmarks: the crate's dispatched call and every supported
//! backend, side by side in one group per (operation, type, size) with the
//! loops an engine would otherwise write (`benches/support`) and with a plain
//! copy of the same bytes (the memory system's reference).
//!
//! ```text
//! cargo bench --bench relu                               # everything
//! cargo bench --bench relu -- 'inplace/f32/8192/'        # one group
//! ```
//!
//! Throughput counts bytes read plus bytes written. In-place benchmarks run
//! each call on a fresh copy of the input and subtract the time of the copy
//! alone, measured in the same sample: re-run on its own output, a kernel
//! that stores only the lanes it clears (AVX-512 on some CPUs) would find
//! none to clear.

use criterion::{
    Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Backend};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod support;
use support::{BenchElement, data, naive_variants};

/// 16 .. 1,000: short vectors; 8,192: L1; 131,072: L2; 2,000,000: L3;
/// 64,000,000: DRAM (f32).
const SIZES: [usize; 8] = [16, 64, 256, 1_000, 8_192, 131_072, 2_000_000, 64_000_000];

fn group<'a>(
    c: &'a mut Criterion,
    name: String,
    len: usize,
    bytes: usize,
) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(bytes as u64));
    if len >= 1_000_000 {
        g.sampling_mode(SamplingMode::Flat).sample_size(10);
    }
    g
}

fn supported_relus() -> Vec<Activations> {
    Backend::ALL
        .into_iter()
        .filter_map(Activations::new)
        .collect()
}

/// Times `f` in place on `buf`, copying `src` into it before each call, less
/// the time of the copies alone (run right after, the same number of times).
fn on_fresh_copy<T: Copy>(
    b: &mut Bencher<'_>,
    src: &[T],
    buf: &mut [T],
    mut f: impl FnMut(&mut [T]),
) {
    b.iter_custom(|iters| {
        let start = Instant::now();
        for _ in 0..iters {
            buf.copy_from_slice(black_box(src));
            f(black_box(&mut *buf));
        }
        let both = start.elapsed();
        let start = Instant::now();
        for _ in 0..iters {
            buf.copy_from_slice(black_box(src));
            black_box(&mut *buf);
        }
        both.saturating_sub(start.elapsed())
    })
}

fn bench_inplace<T: BenchElement>(c: &mut Criterion) {
    for len in SIZES {
        let mut g = group(
            c,
            format!("inplace/{}/{len}", T::NAME),
            len,
            2 * len * size_of::<T>(),
        );
        // One spare element so that the `offset1` runs use a misaligned slice.
        let mut buf = data::<T>(len + 1, 1);
        let input = data::<T>(len, 1);
        let x = &input[..];
        g.bench_function("relu_simd", |b| {
            on_fresh_copy(b, x, &mut buf[..len], relu_simd::relu_inplace)
        });
        g.bench_function("relu_simd/offset1", |b| {
            on_fresh_copy(b, x, &mut buf[1..], relu_simd::relu_inplace)
        });
        for relu in supported_relus() {
            g.bench_function(BenchmarkId::new("backend", relu.backend()), |b| {
                on_fresh_copy(b, x, &mut buf[..len], |y| relu.relu_inplace(y))
            });
        }
        let naive = naive_variants::<T>();
        for n in &naive {
            g.bench_function(n.name, |b| {
                on_fresh_copy(b, x, &mut buf[..len], |y| (n.inplace)(y))
            });
        }
        g.bench_function("naive/offset1", |b| {
            on_fresh_copy(b, x, &mut buf[1..], |y| (naive[0].inplace)(y))
        });
        // The same loop written at the call site, where the compiler can
        // inline and unroll it for a short slice.
        g.bench_function("naive/inlined", |b| {
            on_fresh_copy(b, x, &mut buf[..len], |y| {
                for v in y.iter_mut() {
                    *v = T::naive(*v);
                }
            })
        });
        let src = data::<T>(len, 2);
        g.bench_function("copy_from_slice", |b| {
            b.iter(|| buf[..len].copy_from_slice(black_box(&src)))
        });
        g.finish();
    }
}

fn bench_out_of_place<T: BenchElement>(c: &mut Criterion) {
    for len in SIZES {
        let mut g = group(
            c,
            format!("out_of_place/{}/{len}", T::NAME),
            len,
            2 * len * size_of::<T>(),
        );
        let src = data::<T>(len, 3);
        let mut dst = vec![T::from_f32(0.0); len];
        g.bench_function("relu_simd", |b| {
            b.iter(|| relu_simd::relu(black_box(&src), &mut dst))
        });
        for relu in supported_relus() {
            g.bench_function(BenchmarkId::new("backend", relu.backend()), |b| {
                b.iter(|| relu.relu(black_box(&src), &mut dst))
            });
        }
        for n in naive_variants::<T>() {
            g.bench_function(n.name, |b| b.iter(|| (n.out)(black_box(&src), &mut dst)));
        }
        g.bench_function("copy_from_slice", |b| {
            b.iter(|| dst.copy_from_slice(black_box(&src)))
        });
        g.finish();
    }
}

fn bench_backward<T: BenchElement>(c: &mut Criterion) {
    for len in SIZES {
        let mut g = group(
            c,
            format!("backward/{}/{len}", T::NAME),
            len,
            3 * len * size_of::<T>(),
        );
        let x = data::<T>(len, 4);
        let dy = data::<T>(len, 5);
        let mut dx = vec![T::from_f32(0.0); len];
        g.bench_function("relu_simd", |b| {
            b.iter(|| relu_simd::relu_backward(black_box(&x), black_box(&dy), &mut dx))
        });
        for relu in supported_relus() {
            g.bench_function(BenchmarkId::new("backend", relu.backend()), |b| {
                b.iter(|| relu.relu_backward(black_box(&x), black_box(&dy), &mut dx))
            });
        }
        for n in naive_variants::<T>() {
            g.bench_function(n.name, |b| {
                b.iter(|| (n.backward)(black_box(&x), black_box(&dy), &mut dx))
            });
        }
        g.finish();
    }
}

fn benches(c: &mut Criterion) {
    bench_inplace::<f32>(c);
    bench_out_of_place::<f32>(c);
    bench_backward::<f32>(c);
    bench_inplace::<f16>(c);
    bench_out_of_place::<f16>(c);
    bench_inplace::<bf16>(c);
    bench_out_of_place::<bf16>(c);
}

criterion_group! {
    name = relu;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = benches
}
criterion_main!(relu);
