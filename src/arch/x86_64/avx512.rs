//! AVX-512 backend (F + BW): 512-bit integer compares into mask registers and
//! zero-masking moves. Exact for the reasons in `kernel.rs`: only integer
//! compares, so no NaN is dropped or quieted and DAZ cannot flush a subnormal.
//!
//! A slice shorter than one vector is one masked load and one masked store
//! (byte masks, AVX-512BW); masked-off bytes are neither read nor written, so
//! they cannot fault.

use crate::kernel::{Lanes, Vector, backend_kernels};
use core::arch::x86_64::*;

impl Vector for __m512i {
    const BYTES: usize = 64;

    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller guarantees AVX-512F and 64 readable bytes at `p`.
        unsafe { _mm512_loadu_si512(p.cast()) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: the caller guarantees AVX-512F and 64 writable bytes at `p`.
        unsafe { _mm512_storeu_si512(p.cast(), self) }
    }

    #[inline(always)]
    unsafe fn load_partial(p: *const u8, bytes: usize) -> Self {
        // SAFETY: the caller guarantees AVX-512BW and `bytes < 64` readable
        // bytes at `p`; the mask selects exactly those.
        unsafe { _mm512_maskz_loadu_epi8(byte_mask(bytes), p.cast()) }
    }

    #[inline(always)]
    unsafe fn store_partial(self, p: *mut u8, bytes: usize) {
        // SAFETY: the caller guarantees AVX-512BW and `bytes < 64` writable
        // bytes at `p`; the mask selects exactly those.
        unsafe { _mm512_mask_storeu_epi8(p.cast(), byte_mask(bytes), self) }
    }
}

/// The mask of the first `bytes < 64` bytes.
#[inline(always)]
fn byte_mask(bytes: usize) -> __mmask64 {
    debug_assert!(bytes < 64);
    (1u64 << bytes) - 1
}

/// Implements [`Lanes`] for lanes of type `$int` with the AVX-512 intrinsics of
/// that width and its mask type.
macro_rules! lanes {
    ($int:ty, $mask:ty, $splat:ident, $gt:ident, $eq:ident, $zero_unless:ident) => {
        impl Lanes<$int> for __m512i {
            type Mask = $mask;

            #[inline(always)]
            unsafe fn splat(x: $int) -> Self {
                // SAFETY: the caller guarantees AVX-512F.
                unsafe { $splat(x as _) }
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> $mask {
                // SAFETY: the caller guarantees AVX-512F and BW.
                unsafe { $gt(self, other) }
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> $mask {
                // SAFETY: the caller guarantees AVX-512F and BW.
                unsafe { $eq(self, other) }
            }

            #[inline(always)]
            unsafe fn and_not(a: $mask, b: $mask) -> $mask {
                a & !b
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: $mask, v: Self) -> Self {
                // SAFETY: the caller guarantees AVX-512F and BW.
                unsafe { $zero_unless(mask, v) }
            }
        }
    };
}

lanes!(
    i16,
    __mmask32,
    _mm512_set1_epi16,
    _mm512_cmpgt_epi16_mask,
    _mm512_cmpeq_epi16_mask,
    _mm512_maskz_mov_epi16
);
lanes!(
    i32,
    __mmask16,
    _mm512_set1_epi32,
    _mm512_cmpgt_epi32_mask,
    _mm512_cmpeq_epi32_mask,
    _mm512_maskz_mov_epi32
);
lanes!(
    i64,
    __mmask8,
    _mm512_set1_epi64,
    _mm512_cmpgt_epi64_mask,
    _mm512_cmpeq_epi64_mask,
    _mm512_maskz_mov_epi64
);

backend_kernels!(__m512i, target_feature = "avx512f,avx512bw");
