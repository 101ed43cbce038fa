//! What the benchmarks and the throughput report compare against: the loops
//! an engine would write by hand, and the test data. Shared by
//! `benches/relu.rs` and `examples/throughput.rs`.

// Each of the two users takes only some of these.
#![allow(dead_code)]

use relu_simd::Element;
use relu_simd::half::{bf16, f16};

/// The per-type pieces: the naive element-wise ReLU, and conversion for data.
pub trait BenchElement: Element {
    const NAME: &'static str;
    /// `x.max(0)`, as an engine writes it (drops NaN).
    fn naive(x: Self) -> Self;
    fn from_f32(v: f32) -> Self;
}

macro_rules! bench_element {
    ($t:ty, $zero:expr, $from_f32:expr) => {
        impl BenchElement for $t {
            const NAME: &'static str = stringify!($t);
            #[inline(always)]
            fn naive(x: Self) -> Self {
                x.max($zero)
            }
            fn from_f32(v: f32) -> Self {
                $from_f32(v)
            }
        }
    };
}
bench_element!(f32, 0.0, |v| v);
bench_element!(f16, f16::ZERO, f16::from_f32);
bench_element!(bf16, bf16::ZERO, bf16::from_f32);

/// One naive variant: the three operations, compiled for one target.
pub struct Naive<T> {
    pub name: &'static str,
    pub inplace: fn(&mut [T]),
    pub out: fn(&[T], &mut [T]),
    pub backward: fn(&[T], &[T], &mut [T]),
}

/// Defines the naive loops, optionally inside `#[target_feature]` functions
/// (which is what `-C target-cpu=native` gives them).
macro_rules! naive_loops {
    ($module:ident $(, $feature:literal)?) => {
        mod $module {
            use super::BenchElement;

            $(#[target_feature(enable = $feature)])?
            #[inline(never)]
            pub fn inplace<T: BenchElement>(x: &mut [T]) {
                for v in x.iter_mut() {
                    *v = T::naive(*v);
                }
            }

            $(#[target_feature(enable = $feature)])?
            #[inline(never)]
            pub fn out<T: BenchElement>(src: &[T], dst: &mut [T]) {
                for (d, s) in dst.iter_mut().zip(src) {
                    *d = T::naive(*s);
                }
            }

            $(#[target_feature(enable = $feature)])?
            #[inline(never)]
            pub fn backward<T: BenchElement>(x: &[T], dy: &[T], dx: &mut [T]) {
                let zero = T::from_f32(0.0);
                for ((d, &x), &g) in dx.iter_mut().zip(x).zip(dy) {
                    *d = if x > zero { g } else { zero };
                }
            }
        }
    };
}
naive_loops!(default_target);
#[cfg(target_arch = "x86_64")]
naive_loops!(avx2_target, "avx2,fma");
#[cfg(target_arch = "x86_64")]
naive_loops!(avx512_target, "avx512f,avx512bw,avx512vl");

/// The naive variants this CPU can run: `naive` (default target), and on
/// x86-64 `naive_avx2` and `naive_avx512` where the CPU has those features.
pub fn naive_variants<T: BenchElement>() -> Vec<Naive<T>> {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut variants = vec![Naive {
        name: "naive",
        inplace: default_target::inplace::<T>,
        out: default_target::out::<T>,
        backward: default_target::backward::<T>,
    }];
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY (the three calls): this variant is listed only where the
            // CPU has AVX2 and FMA, checked just above.
            variants.push(Naive {
                name: "naive_avx2",
                inplace: |x| unsafe { avx2_target::inplace(x) },
                out: |s, d| unsafe { avx2_target::out(s, d) },
                backward: |x, dy, dx| unsafe { avx2_target::backward(x, dy, dx) },
            });
        }
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vl")
        {
            // SAFETY (the three calls): listed only where the CPU has
            // AVX-512F/BW/VL, checked just above.
            variants.push(Naive {
                name: "naive_avx512",
                inplace: |x| unsafe { avx512_target::inplace(x) },
                out: |s, d| unsafe { avx512_target::out(s, d) },
                backward: |x, dy, dx| unsafe { avx512_target::backward(x, dy, dx) },
            });
        }
    }
    variants
}

/// Test data: about half negative, 1 in 64 NaN.
pub fn data<T: BenchElement>(len: usize, seed: u32) -> Vec<T> {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let v = if i % 64 == 63 {
                f32::NAN
            } else {
                (state % 2001) as f32 / 100.0 - 10.0
            };
            T::from_f32(v)
        })
        .collect()
}

/// The store limit: fills `x` with copies of one register, the widest this
/// CPU stores (AVX-512, AVX, else SSE2 on x86-64; a plain fill elsewhere),
/// reading nothing. A kernel that reads and writes `x` cannot beat it. The
/// register comes through `black_box`, so the compiler cannot turn the loop
/// into `memset` (which may pick `rep stosb` or non-temporal stores).
pub fn stores_only<T: BenchElement>(x: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            return unsafe { store_loop::avx512(relu_simd::bytemuck::cast_slice_mut(x)) };
        }
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX, checked just above.
            return unsafe { store_loop::avx(relu_simd::bytemuck::cast_slice_mut(x)) };
        }
    }
    let v = std::hint::black_box(T::from_f32(1.0));
    x.fill(v);
}

#[cfg(target_arch = "x86_64")]
mod store_loop {
    use std::arch::x86_64::*;

    /// Defines a loop of aligned `$store`s of one register over a byte
    /// slice (so that no store splits a cache line, as the kernels' long
    /// loops), the unaligned ends byte by byte.
    macro_rules! store_loop {
        ($name:ident, $feature:literal, $reg:ty, $set:ident, $store:ident) => {
            #[target_feature(enable = $feature)]
            #[inline(never)]
            pub fn $name(x: &mut [u8]) {
                let v = std::hint::black_box($set(1));
                // SAFETY: every bit pattern is a valid register.
                let (head, body, tail) = unsafe { x.align_to_mut::<$reg>() };
                head.fill(1);
                for r in body {
                    // SAFETY: `r` is an aligned, writable register.
                    unsafe { $store(r, v) }
                }
                tail.fill(1);
            }
        };
    }
    store_loop!(
        avx512,
        "avx512f",
        __m512i,
        _mm512_set1_epi8,
        _mm512_store_si512
    );
    store_loop!(avx, "avx", __m256i, _mm256_set1_epi8, _mm256_store_si256);
}
