//! Criterion benchmarks: the crate's dispatched call and every supported
//! backend, side by side in one group per (operation, type, size) with the
//! loops an engine would otherwise write and with a plain copy of the same
//! bytes (the memory system's reference).
//!
//! ```text
//! cargo bench --bench relu                      # everything (about 15 minutes)
//! cargo bench --bench relu -- 'inplace/f32/8192'  # one group
//! ```
//!
//! Throughput counts bytes read plus bytes written. In-place benchmarks run
//! on the same buffer repeatedly; every kernel here is branch-free, so the
//! values (after the first pass, no negatives) do not change the cost.

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use relu_simd::half::{bf16, f16};
use relu_simd::{Backend, Element, Relu};
use std::hint::black_box;
use std::time::Duration;

/// 16 .. 1,000: short vectors; 8,192: L1; 131,072: L2; 2,000,000: L3;
/// 64,000,000: DRAM (f32).
const SIZES: [usize; 8] = [16, 64, 256, 1_000, 8_192, 131_072, 2_000_000, 64_000_000];

/// The per-type pieces: the loop an engine would write, and test data.
trait BenchElement: Element {
    const NAME: &'static str;
    fn naive(x: Self) -> Self;
    fn from_f32(v: f32) -> Self;
}

impl BenchElement for f32 {
    const NAME: &'static str = "f32";
    #[inline(always)]
    fn naive(x: Self) -> Self {
        x.max(0.0)
    }
    fn from_f32(v: f32) -> Self {
        v
    }
}

impl BenchElement for f16 {
    const NAME: &'static str = "f16";
    #[inline(always)]
    fn naive(x: Self) -> Self {
        x.max(f16::ZERO)
    }
    fn from_f32(v: f32) -> Self {
        f16::from_f32(v)
    }
}

impl BenchElement for bf16 {
    const NAME: &'static str = "bf16";
    #[inline(always)]
    fn naive(x: Self) -> Self {
        x.max(bf16::ZERO)
    }
    fn from_f32(v: f32) -> Self {
        bf16::from_f32(v)
    }
}

/// The naive loops, in place, out of place and backward, compiled for the
/// default target and (x86-64) inside AVX2 / AVX-512 functions, which is what
/// `-C target-cpu=native` gives them.
macro_rules! naive_loops {
    ($inplace:ident, $out:ident, $backward:ident $(, $feature:literal)?) => {
        $(#[target_feature(enable = $feature)])?
        #[inline(never)]
        fn $inplace<T: BenchElement>(x: &mut [T]) {
            for v in x.iter_mut() {
                *v = T::naive(*v);
            }
        }

        $(#[target_feature(enable = $feature)])?
        #[inline(never)]
        fn $out<T: BenchElement>(src: &[T], dst: &mut [T]) {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = T::naive(*s);
            }
        }

        $(#[target_feature(enable = $feature)])?
        #[inline(never)]
        fn $backward<T: BenchElement>(x: &[T], dy: &[T], dx: &mut [T]) {
            let zero = T::from_f32(0.0);
            for ((d, &x), &g) in dx.iter_mut().zip(x).zip(dy) {
                *d = if x > zero { g } else { zero };
            }
        }
    };
}

naive_loops!(naive_inplace, naive_out, naive_backward);
#[cfg(target_arch = "x86_64")]
naive_loops!(
    naive_inplace_avx2,
    naive_out_avx2,
    naive_backward_avx2,
    "avx2,fma"
);
#[cfg(target_arch = "x86_64")]
naive_loops!(
    naive_inplace_avx512,
    naive_out_avx512,
    naive_backward_avx512,
    "avx512f,avx512bw,avx512vl"
);

/// The naive variants this CPU can run.
fn naive_variants() -> Vec<&'static str> {
    #[cfg(target_arch = "x86_64")]
    let candidates = [
        ("naive", true),
        (
            "naive_avx2",
            std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma"),
        ),
        (
            "naive_avx512",
            std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512bw")
                && std::is_x86_feature_detected!("avx512vl"),
        ),
    ];
    #[cfg(not(target_arch = "x86_64"))]
    let candidates = [("naive", true)];
    candidates
        .into_iter()
        .filter(|c| c.1)
        .map(|c| c.0)
        .collect()
}

/// About half negative, 1 in 64 NaN.
fn data<T: BenchElement>(len: usize, seed: u32) -> Vec<T> {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            if i % 64 == 63 {
                T::from_f32(f32::NAN)
            } else {
                T::from_f32((state % 2001) as f32 / 100.0 - 10.0)
            }
        })
        .collect()
}

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

fn supported_relus() -> Vec<Relu> {
    Backend::ALL.into_iter().filter_map(Relu::new).collect()
}

fn bench_inplace<T: BenchElement>(c: &mut Criterion) {
    for len in SIZES {
        let size = size_of::<T>();
        let mut g = group(c, format!("inplace/{}/{len}", T::NAME), len, 2 * len * size);
        // One spare element so that `offset1` runs on a misaligned slice.
        let mut buf = data::<T>(len + 1, 1);
        g.bench_function("relu_simd", |b| {
            b.iter(|| relu_simd::relu_inplace(black_box(&mut buf[..len])))
        });
        g.bench_function("relu_simd/offset1", |b| {
            b.iter(|| relu_simd::relu_inplace(black_box(&mut buf[1..])))
        });
        for relu in supported_relus() {
            g.bench_function(BenchmarkId::new("backend", relu.backend()), |b| {
                b.iter(|| relu.relu_inplace(black_box(&mut buf[..len])))
            });
        }
        for naive in naive_variants() {
            g.bench_function(naive, |b| {
                b.iter(|| run_naive_inplace(naive, black_box(&mut buf[..len])))
            });
        }
        g.bench_function("naive/offset1", |b| {
            b.iter(|| naive_inplace(black_box(&mut buf[1..])))
        });
        let src = data::<T>(len, 2);
        g.bench_function("copy_from_slice", |b| {
            b.iter(|| buf[..len].copy_from_slice(black_box(&src)))
        });
        g.finish();
    }
}

fn run_naive_inplace<T: BenchElement>(name: &str, x: &mut [T]) {
    match name {
        "naive" => naive_inplace(x),
        // SAFETY: `naive_variants` lists these only where the CPU has the features.
        #[cfg(target_arch = "x86_64")]
        "naive_avx2" => unsafe { naive_inplace_avx2(x) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        "naive_avx512" => unsafe { naive_inplace_avx512(x) },
        _ => unreachable!(),
    }
}

fn bench_out_of_place<T: BenchElement>(c: &mut Criterion) {
    for len in SIZES {
        let size = size_of::<T>();
        let mut g = group(
            c,
            format!("out_of_place/{}/{len}", T::NAME),
            len,
            2 * len * size,
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
        for naive in naive_variants() {
            g.bench_function(naive, |b| {
                b.iter(|| match naive {
                    "naive" => naive_out(black_box(&src), &mut dst),
                    // SAFETY: listed only where the CPU has the features.
                    #[cfg(target_arch = "x86_64")]
                    "naive_avx2" => unsafe { naive_out_avx2(black_box(&src), &mut dst) },
                    // SAFETY: as above.
                    #[cfg(target_arch = "x86_64")]
                    "naive_avx512" => unsafe { naive_out_avx512(black_box(&src), &mut dst) },
                    _ => unreachable!(),
                })
            });
        }
        g.bench_function("copy_from_slice", |b| {
            b.iter(|| dst.copy_from_slice(black_box(&src)))
        });
        g.finish();
    }
}

fn bench_backward<T: BenchElement>(c: &mut Criterion) {
    for len in SIZES {
        let size = size_of::<T>();
        let mut g = group(
            c,
            format!("backward/{}/{len}", T::NAME),
            len,
            3 * len * size,
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
        for naive in naive_variants() {
            g.bench_function(naive, |b| {
                b.iter(|| match naive {
                    "naive" => naive_backward(black_box(&x), black_box(&dy), &mut dx),
                    // SAFETY: listed only where the CPU has the features.
                    #[cfg(target_arch = "x86_64")]
                    "naive_avx2" => unsafe {
                        naive_backward_avx2(black_box(&x), black_box(&dy), &mut dx)
                    },
                    // SAFETY: as above.
                    #[cfg(target_arch = "x86_64")]
                    "naive_avx512" => unsafe {
                        naive_backward_avx512(black_box(&x), black_box(&dy), &mut dx)
                    },
                    _ => unreachable!(),
                })
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
