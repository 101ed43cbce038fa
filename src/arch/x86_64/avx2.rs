//! AVX2 backend: 256-bit integer compares (`vpcmpgt*`, `vpcmpeq*`) and bitwise
//! masks. Exact for the reasons in `kernel.rs`: no float instruction is used,
//! so unlike `_mm256_max_ps` (which returns its second operand when either is
//! NaN) nothing can drop or quiet a NaN, and DAZ cannot flush a subnormal.
//!
//! A slice shorter than one vector goes through the default stack buffer:
//! `vpmaskmov` has no 16-bit form.

use crate::kernel::{Lanes, Vector, backend_kernels};
use core::arch::x86_64::*;

impl Vector for __m256i {
    const BYTES: usize = 32;

    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller guarantees AVX and 32 readable bytes at `p`.
        unsafe { _mm256_loadu_si256(p.cast()) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: the caller guarantees AVX and 32 writable bytes at `p`.
        unsafe { _mm256_storeu_si256(p.cast(), self) }
    }
}

/// Implements [`Lanes`] for lanes of type `$int` with the AVX2 intrinsics of
/// that width.
macro_rules! lanes {
    ($int:ty, $splat:ident, $gt:ident, $eq:ident) => {
        impl Lanes<$int> for __m256i {
            type Mask = __m256i;

            #[inline(always)]
            unsafe fn splat(x: $int) -> Self {
                // SAFETY: the caller guarantees AVX2.
                unsafe { $splat(x as _) }
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX2.
                unsafe { $gt(self, other) }
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> Self {
                // SAFETY: the caller guarantees AVX2.
                unsafe { $eq(self, other) }
            }

            #[inline(always)]
            unsafe fn and_not(a: Self, b: Self) -> Self {
                // SAFETY: the caller guarantees AVX2. `andnot(b, a)` is `!b & a`.
                unsafe { _mm256_andnot_si256(b, a) }
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: Self, v: Self) -> Self {
                // SAFETY: the caller guarantees AVX2.
                unsafe { _mm256_and_si256(mask, v) }
            }
        }
    };
}

lanes!(
    i16,
    _mm256_set1_epi16,
    _mm256_cmpgt_epi16,
    _mm256_cmpeq_epi16
);
lanes!(
    i32,
    _mm256_set1_epi32,
    _mm256_cmpgt_epi32,
    _mm256_cmpeq_epi32
);
lanes!(
    i64,
    _mm256_set1_epi64x,
    _mm256_cmpgt_epi64,
    _mm256_cmpeq_epi64
);

backend_kernels!(__m256i, target_feature = "avx2");
