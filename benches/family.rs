//! Criterion benchmarks for the ReLU family: each fused operation of the
//! crate against the unfused sequence it replaces and the naive loop an
//! engine would write, side by side in one group per (operation, type, size).
//!
//! ```text
//! cargo bench --bench family                                  # everything, ~4 minutes
//! cargo bench --bench family -- --output-format bencher       # one line per benchmark
//! cargo bench --bench family -- 'bias_relu/f32/131072/'       # one group
//! ```
//!
//! Sizes: 131,072 elements (L2) and a DRAM size chosen so that every array
//! is larger than the L3 (16,000,000 elements of f32; 32,000,000 of f16, whose
//! 16,000,000 elements would be 30.5 MiB). `count_zeros` also runs 256, 8,192
//! and 2,000,000. Per-channel operations run 64 channels, bias + ReLU and the
//! gradients also 3, the gradients 1 (a channels-first plane) and, for f32
//! and f64, 1,024 (rows wider than the kernels' blocks of sums); the
//! `bias_relu_backward` groups also run `relu_backward` alone, the same bytes
//! moved without the sums.
//!
//! Throughput counts the bytes of the data arrays read plus written (the
//! per-channel operands, at most 256 bytes, left out), the same for every
//! entry of a group, so throughput ratios are time ratios.
//!
//! The naive and unfused loops are plain Rust, `#[inline(never)]`, compiled
//! for the default target (as an engine built without `-C target-cpu` would
//! get them); the f16 ones go through `to_f32`/`from_f32` (software
//! conversion: `half` is built without `std`, so without run-time F16C).
//!
//! In-place benchmarks run on the same buffer repeatedly. The kernels are
//! branch-free, so the drifting values do not change their cost; the ops whose
//! repeated application would drive the data into subnormals or a constant
//! (leaky ReLU, PReLU, clamp) are measured out of place from a fixed source.

use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, measurement::WallTime,
};
use relu_simd::half::f16;
use relu_simd::{Backend, Wide};
use std::hint::black_box;
use std::time::Duration;

mod support;
use support::{BenchElement, data};

/// L2: 512 KiB per f32 array. One or two arrays fit a 1 MiB L2 (Skylake-SP,
/// Cascade Lake); the gradients' three f32 arrays (1.5 MiB) spill to L3 there.
const L2: usize = 131_072;
/// Elements per array at DRAM size, for an element of `size` bytes.
const fn dram(size: usize) -> usize {
    if size >= 4 { 16_000_000 } else { 32_000_000 }
}
const COUNT_ZEROS_SIZES: [usize; 5] = [256, 8_192, L2, 2_000_000, 16_000_000];
const CHANNELS: [usize; 2] = [64, 3];

/// The element types benchmarked (f32, f16) with f32 arithmetic, and the
/// crate calls whose accumulators are `Wide<T>` (f32 for both).
trait Arith: BenchElement {
    fn to_f32(self) -> f32;
    fn crate_bias_relu_backward(y: &[Self], dy: &[Self], dx: &mut [Self], dbias: &mut [f32]);
    fn crate_prelu_backward(
        x: &[Self],
        dy: &[Self],
        dx: &mut [Self],
        slopes: &[Self],
        dslopes: &mut [f32],
    );
}

macro_rules! arith {
    ($t:ty, $to_f32:expr) => {
        impl Arith for $t {
            #[inline(always)]
            fn to_f32(self) -> f32 {
                $to_f32(self)
            }
            fn crate_bias_relu_backward(
                y: &[Self],
                dy: &[Self],
                dx: &mut [Self],
                dbias: &mut [f32],
            ) {
                let dbias: &mut [Wide<$t>] = dbias;
                relu_simd::bias_relu_backward(y, dy, dx, dbias)
            }
            fn crate_prelu_backward(
                x: &[Self],
                dy: &[Self],
                dx: &mut [Self],
                slopes: &[Self],
                dslopes: &mut [f32],
            ) {
                let dslopes: &mut [Wide<$t>] = dslopes;
                relu_simd::prelu_backward(x, dy, dx, slopes, dslopes)
            }
        }
    };
}
arith!(f32, |x| x);
arith!(f16, f16::to_f32);

/// The loops an engine writes by hand, one element at a time, channels last.
mod naive {
    use super::Arith;

    #[inline(never)]
    pub fn bias_add_inplace<T: Arith>(x: &mut [T], bias: &[T]) {
        for row in x.chunks_exact_mut(bias.len()) {
            for (v, b) in row.iter_mut().zip(bias) {
                *v = T::from_f32(v.to_f32() + b.to_f32());
            }
        }
    }

    /// `x = max(x + b, 0)` in one loop.
    #[inline(never)]
    pub fn bias_relu_inplace<T: Arith>(x: &mut [T], bias: &[T]) {
        for row in x.chunks_exact_mut(bias.len()) {
            for (v, b) in row.iter_mut().zip(bias) {
                *v = T::from_f32((v.to_f32() + b.to_f32()).max(0.0));
            }
        }
    }

    #[inline(never)]
    pub fn leaky_relu<T: Arith>(src: &[T], dst: &mut [T], alpha: f32) {
        for (d, s) in dst.iter_mut().zip(src) {
            let x = s.to_f32();
            *d = T::from_f32(if x > 0.0 { x } else { alpha * x });
        }
    }

    #[inline(never)]
    pub fn prelu<T: Arith>(src: &[T], dst: &mut [T], slopes: &[T]) {
        for (drow, srow) in dst
            .chunks_exact_mut(slopes.len())
            .zip(src.chunks_exact(slopes.len()))
        {
            for ((d, s), a) in drow.iter_mut().zip(srow).zip(slopes) {
                let x = s.to_f32();
                *d = T::from_f32(if x > 0.0 { x } else { a.to_f32() * x });
            }
        }
    }

    #[inline(never)]
    pub fn clamp<T: Arith>(src: &[T], dst: &mut [T], lo: f32, hi: f32) {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = T::from_f32(s.to_f32().clamp(lo, hi));
        }
    }

    #[inline(never)]
    pub fn max_min<T: Arith>(src: &[T], dst: &mut [T], lo: f32, hi: f32) {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = T::from_f32(s.to_f32().max(lo).min(hi));
        }
    }

    /// The count after `relu_inplace`, as a second pass.
    #[inline(never)]
    pub fn count_zeros<T: Arith>(x: &[T]) -> usize {
        x.iter().filter(|v| v.to_f32() == 0.0).count()
    }

    /// `dbias[c] += dx` over the rows, after `relu_backward` wrote `dx`.
    #[inline(never)]
    pub fn dbias<T: Arith>(dx: &[T], dbias: &mut [f32]) {
        for row in dx.chunks_exact(dbias.len()) {
            for (acc, d) in dbias.iter_mut().zip(row) {
                *acc += d.to_f32();
            }
        }
    }

    #[inline(never)]
    pub fn prelu_backward<T: Arith>(
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        slopes: &[T],
        dslopes: &mut [f32],
    ) {
        let c = slopes.len();
        for ((xrow, gyrow), dxrow) in x
            .chunks_exact(c)
            .zip(dy.chunks_exact(c))
            .zip(dx.chunks_exact_mut(c))
        {
            for ((((x, g), d), a), acc) in xrow
                .iter()
                .zip(gyrow)
                .zip(dxrow.iter_mut())
                .zip(slopes)
                .zip(dslopes.iter_mut())
            {
                let (x, g) = (x.to_f32(), g.to_f32());
                if x > 0.0 {
                    *d = T::from_f32(g);
                } else {
                    *d = T::from_f32(a.to_f32() * g);
                    *acc += x * g;
                }
            }
        }
    }
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
        g.sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(1500));
    }
    g
}

/// Channels-last per-channel operand: values in [-1, 1].
fn per_channel<T: BenchElement>(channels: usize, seed: u32) -> Vec<T> {
    data::<f32>(channels, seed)
        .into_iter()
        .map(|v| T::from_f32(if v.is_nan() { 0.5 } else { v / 10.0 }))
        .collect()
}

fn bench_bias_relu<T: Arith>(c: &mut Criterion) {
    for len in [L2, dram(size_of::<T>())] {
        let mut g = group(
            c,
            format!("bias_relu/{}/{len}", T::NAME),
            len,
            2 * len * size_of::<T>(),
        );
        for channels in CHANNELS {
            let n = len - len % channels; // whole rows
            let bias = per_channel::<T>(channels, 7);
            let mut x = data::<T>(n, 1);
            g.bench_function(format!("relu_simd/c{channels}"), |b| {
                b.iter(|| relu_simd::bias_relu_inplace(black_box(&mut x[..]), black_box(&bias)))
            });
            g.bench_function(format!("unfused/c{channels}"), |b| {
                b.iter(|| {
                    naive::bias_add_inplace(black_box(&mut x[..]), black_box(&bias));
                    relu_simd::relu_inplace(black_box(&mut x[..]));
                })
            });
            g.bench_function(format!("naive_fused/c{channels}"), |b| {
                b.iter(|| naive::bias_relu_inplace(black_box(&mut x[..]), black_box(&bias)))
            });
        }
        g.finish();
    }
}

fn bench_prelu<T: Arith>(c: &mut Criterion) {
    for len in [L2, dram(size_of::<T>())] {
        let channels = 64;
        let mut g = group(
            c,
            format!("prelu/{}/{len}", T::NAME),
            len,
            2 * len * size_of::<T>(),
        );
        let slopes = per_channel::<T>(channels, 8);
        let src = data::<T>(len, 2);
        let mut dst = vec![T::from_f32(0.0); len];
        g.bench_function("relu_simd/c64", |b| {
            b.iter(|| {
                relu_simd::prelu(black_box(&src), black_box(&mut dst[..]), black_box(&slopes))
            })
        });
        g.bench_function("naive/c64", |b| {
            b.iter(|| naive::prelu(black_box(&src), black_box(&mut dst[..]), black_box(&slopes)))
        });
        g.finish();
    }
}

fn bench_leaky_relu<T: Arith>(c: &mut Criterion) {
    for len in [L2, dram(size_of::<T>())] {
        let mut g = group(
            c,
            format!("leaky_relu/{}/{len}", T::NAME),
            len,
            2 * len * size_of::<T>(),
        );
        let src = data::<T>(len, 3);
        let mut dst = vec![T::from_f32(0.0); len];
        let alpha = 0.01f32;
        g.bench_function("relu_simd", |b| {
            b.iter(|| {
                relu_simd::leaky_relu(
                    black_box(&src),
                    black_box(&mut dst[..]),
                    black_box(alpha.into()),
                )
            })
        });
        g.bench_function("naive", |b| {
            b.iter(|| naive::leaky_relu(black_box(&src), black_box(&mut dst[..]), black_box(alpha)))
        });
        g.finish();
    }
}

/// Clamp to [0, 6], so that `relu6` and `clamp` compute the same thing.
fn bench_clamp<T: Arith>(c: &mut Criterion) {
    for len in [L2, dram(size_of::<T>())] {
        let mut g = group(
            c,
            format!("clamp/{}/{len}", T::NAME),
            len,
            2 * len * size_of::<T>(),
        );
        let src = data::<T>(len, 4);
        let mut dst = vec![T::from_f32(0.0); len];
        let (lo, hi) = (T::from_f32(0.0), T::from_f32(6.0));
        g.bench_function("relu_simd/clamp", |b| {
            b.iter(|| {
                relu_simd::clamp(
                    black_box(&src),
                    black_box(&mut dst[..]),
                    black_box(lo),
                    black_box(hi),
                )
            })
        });
        g.bench_function("relu_simd/relu6", |b| {
            b.iter(|| relu_simd::relu6(black_box(&src), black_box(&mut dst[..])))
        });
        g.bench_function("naive/clamp", |b| {
            b.iter(|| {
                naive::clamp(
                    black_box(&src),
                    black_box(&mut dst[..]),
                    black_box(0.0),
                    black_box(6.0),
                )
            })
        });
        g.bench_function("naive/max_min", |b| {
            b.iter(|| {
                naive::max_min(
                    black_box(&src),
                    black_box(&mut dst[..]),
                    black_box(0.0),
                    black_box(6.0),
                )
            })
        });
        g.finish();
    }
}

fn bench_count_zeros(c: &mut Criterion) {
    for len in COUNT_ZEROS_SIZES {
        let mut g = group(c, format!("count_zeros/f32/{len}"), len, 2 * len * 4);
        let mut x = data::<f32>(len, 5);
        g.bench_function("relu_count_inactive_inplace", |b| {
            b.iter(|| relu_simd::relu_count_inactive_inplace(black_box(&mut x[..])))
        });
        g.bench_function("relu_inplace", |b| {
            b.iter(|| relu_simd::relu_inplace(black_box(&mut x[..])))
        });
        g.bench_function("unfused", |b| {
            b.iter(|| {
                relu_simd::relu_inplace(black_box(&mut x[..]));
                naive::count_zeros(black_box(&x[..]))
            })
        });
        g.finish();
    }
}

/// Channels for the gradients that sum per channel: 64, 3 (f32 only, for
/// time), and 1 (a channels-first plane, as the docs of `prelu` suggest).
fn backward_channels<T>() -> &'static [usize] {
    if size_of::<T>() >= 4 {
        &[1024, 64, 3, 1]
    } else {
        &[64, 1]
    }
}

fn bench_backward<T: Arith>(c: &mut Criterion) {
    for len in [L2, dram(size_of::<T>())] {
        // Forward output y = relu(x) for bias + ReLU, forward input x for PReLU.
        let x = data::<T>(len, 6);
        let mut y = x.clone();
        relu_simd::relu_inplace(&mut y);
        let dy = data::<T>(len, 9);
        let mut dx = vec![T::from_f32(0.0); len];
        let mut acc = vec![0.0f32; 1024];
        let slopes = per_channel::<T>(1024, 10);

        let mut g = group(
            c,
            format!("bias_relu_backward/{}/{len}", T::NAME),
            len,
            3 * len * size_of::<T>(),
        );
        // The same bytes moved without the sums: what the fused kernel can
        // at best approach.
        g.bench_function("relu_backward", |b| {
            b.iter(|| {
                relu_simd::relu_backward(
                    black_box(&y[..]),
                    black_box(&dy[..]),
                    black_box(&mut dx[..]),
                )
            })
        });
        for &channels in backward_channels::<T>() {
            let n = len - len % channels; // whole rows
            let (y, dy, dx, acc) = (&y[..n], &dy[..n], &mut dx[..n], &mut acc[..channels]);
            // The accumulators restart from zero each iteration, in both.
            g.bench_function(format!("relu_simd/c{channels}"), |b| {
                b.iter(|| {
                    acc.fill(0.0);
                    T::crate_bias_relu_backward(
                        black_box(y),
                        black_box(dy),
                        black_box(&mut dx[..]),
                        black_box(&mut acc[..]),
                    )
                })
            });
            g.bench_function(format!("unfused/c{channels}"), |b| {
                b.iter(|| {
                    acc.fill(0.0);
                    relu_simd::relu_backward(black_box(y), black_box(dy), black_box(&mut dx[..]));
                    naive::dbias(black_box(&dx[..]), black_box(&mut acc[..]));
                })
            });
        }
        g.finish();

        let mut g = group(
            c,
            format!("prelu_backward/{}/{len}", T::NAME),
            len,
            3 * len * size_of::<T>(),
        );
        for &channels in backward_channels::<T>() {
            let n = len - len % channels;
            let (x, dy, dx) = (&x[..n], &dy[..n], &mut dx[..n]);
            let (slopes, acc) = (&slopes[..channels], &mut acc[..channels]);
            g.bench_function(format!("relu_simd/c{channels}"), |b| {
                b.iter(|| {
                    acc.fill(0.0);
                    T::crate_prelu_backward(
                        black_box(x),
                        black_box(dy),
                        black_box(&mut dx[..]),
                        black_box(slopes),
                        black_box(&mut acc[..]),
                    )
                })
            });
            g.bench_function(format!("naive/c{channels}"), |b| {
                b.iter(|| {
                    acc.fill(0.0);
                    naive::prelu_backward(
                        black_box(x),
                        black_box(dy),
                        black_box(&mut dx[..]),
                        black_box(slopes),
                        black_box(&mut acc[..]),
                    )
                })
            });
        }
        g.finish();
    }
}

fn benches(c: &mut Criterion) {
    bench_bias_relu::<f32>(c);
    bench_bias_relu::<f16>(c);
    bench_count_zeros(c);
    bench_backward::<f32>(c);
    bench_backward::<f16>(c);
    bench_prelu::<f32>(c);
    bench_prelu::<f16>(c);
    bench_leaky_relu::<f32>(c);
    bench_leaky_relu::<f16>(c);
    bench_clamp::<f32>(c);
    bench_clamp::<f16>(c);
}

criterion_group! {
    name = family;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(700))
        .sample_size(20);
    targets = benches
}

fn main() {
    // On stderr, so that `--output-format bencher` stays one line per result.
    eprintln!("relu-simd backend: {}", Backend::active());
    family();
    Criterion::default().configure_from_args().final_summary();
}
