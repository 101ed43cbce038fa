//! AVX2 backend: 256-bit registers. Masks are vectors of all-ones lanes from
//! the integer compares (`vpcmpgt*`, `vpcmpeq*`); float arithmetic is
//! `vaddps`/`vmulps` (and `pd`), which round to nearest even like the scalar
//! reference. Exact for the reasons in `kernel/steps.rs`: in particular no
//! `vmaxps`, which returns its second operand when either is NaN.
//!
//! A slice shorter than one register goes through the default stack buffer:
//! `vpmaskmov` has no 16-bit form.

use crate::arch::float_lanes;
use crate::kernel::{HalfFloat, Lanes, Vector};
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

    #[inline(always)]
    unsafe fn store_stream(self, p: *mut u8) {
        // SAFETY: the caller guarantees AVX and 32 writable bytes at `p`,
        // aligned to 32 as `vmovntdq` needs.
        unsafe { _mm256_stream_si256(p.cast(), self) }
    }

    #[inline(always)]
    unsafe fn load_halves(p: *const u8) -> Self {
        // SAFETY: the caller guarantees AVX2 and 16 readable bytes at `p`.
        unsafe { _mm256_cvtepi16_epi32(_mm_loadu_si128(p.cast())) }
    }

    #[inline(always)]
    unsafe fn store_halves(self, p: *mut u8) {
        // SAFETY: the caller guarantees AVX2 and 16 writable bytes at `p`.
        unsafe {
            // The low two bytes of each 32-bit lane to the low 8 bytes of each
            // 128-bit half, then the two halves' low quadwords together.
            let low_halves = _mm256_setr_epi8(
                0, 1, 4, 5, 8, 9, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1, //
                0, 1, 4, 5, 8, 9, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1,
            );
            let packed =
                _mm256_permute4x64_epi64::<0b00_00_10_00>(_mm256_shuffle_epi8(self, low_halves));
            _mm_storeu_si128(p.cast(), _mm256_castsi256_si128(packed));
        }
    }

    #[inline(always)]
    unsafe fn and(self, other: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        unsafe { _mm256_and_si256(self, other) }
    }

    #[inline(always)]
    unsafe fn or(self, other: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        unsafe { _mm256_or_si256(self, other) }
    }

    #[inline(always)]
    unsafe fn xor(self, other: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        unsafe { _mm256_xor_si256(self, other) }
    }
}

/// Implements [`Lanes`] for lanes of type `$int` with the AVX2 intrinsics of
/// that width.
macro_rules! lanes {
    (
        $int:ty, $splat:ident, $gt:ident, $eq:ident, $add:ident, $sub:ident, $sll:ident, $srl:ident
        $(, max = $max:ident, min = $min:ident)?
        $(, float_compares = (
            $fcmp:ident, $to_float:ident, $from_float:ident, $float_zero:ident,
            $fmax:ident, $fmin:ident
        ))?
    ) => {
        impl Lanes<$int> for __m256i {
            type Mask = __m256i;

            // SAFETY (every block below): the caller guarantees AVX2.

            #[inline(always)]
            unsafe fn splat(x: $int) -> Self {
                // SAFETY: see above.
                unsafe { $splat(x as _) }
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $gt(self, other) }
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $eq(self, other) }
            }

            #[inline(always)]
            unsafe fn both(a: Self, b: Self) -> Self {
                // SAFETY: see above.
                unsafe { _mm256_and_si256(a, b) }
            }

            #[inline(always)]
            unsafe fn either(a: Self, b: Self) -> Self {
                // SAFETY: see above.
                unsafe { _mm256_or_si256(a, b) }
            }

            #[inline(always)]
            unsafe fn and_not(a: Self, b: Self) -> Self {
                // SAFETY: see above. `andnot(b, a)` is `!b & a`.
                unsafe { _mm256_andnot_si256(b, a) }
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: Self, v: Self) -> Self {
                // SAFETY: see above.
                unsafe { _mm256_and_si256(mask, v) }
            }

            #[inline(always)]
            unsafe fn select(mask: Self, a: Self, b: Self) -> Self {
                // SAFETY: see above. Mask lanes are all ones or all zeros, so
                // a byte blend is a lane blend.
                unsafe { _mm256_blendv_epi8(b, a, mask) }
            }
            $(
                #[inline(always)]
                unsafe fn max(self, other: Self) -> Self {
                    // SAFETY: see above.
                    unsafe { $max(self, other) }
                }

                #[inline(always)]
                unsafe fn min(self, other: Self) -> Self {
                    // SAFETY: see above.
                    unsafe { $min(self, other) }
                }
            )?

            #[inline(always)]
            unsafe fn lanes_between(from: usize, to: usize) -> Self {
                // SAFETY: see above. `from` and `to` are multiples of the lane
                // width, so the bytes in range are exactly the lanes in range.
                unsafe { bytes_between(from, to) }
            }

            $(
                #[inline(always)]
                unsafe fn above_zero_or_nan(self) -> Option<Self> {
                    // SAFETY: see above. `NLE_UQ` is true where `x <= 0` is
                    // false (NaN included) and quiet on quiet NaNs; its lanes
                    // are all ones or all zeros.
                    unsafe { Some($from_float($fcmp::<_CMP_NLE_UQ>($to_float(self), $float_zero()))) }
                }

                #[inline(always)]
                unsafe fn at_most_zero(self) -> Option<Self> {
                    // SAFETY: see above. `LE_OQ` is false on NaN, and quiet
                    // on quiet NaNs.
                    unsafe { Some($from_float($fcmp::<_CMP_LE_OQ>($to_float(self), $float_zero()))) }
                }

                super::float_max_min!($to_float, $from_float, $fmax, $fmin);
            )?

            #[inline(always)]
            unsafe fn count_into(counts: Self, mask: Self) -> Self {
                // SAFETY: see above. Set lanes are -1.
                unsafe { $sub(counts, mask) }
            }

            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $add(self, other) }
            }

            #[inline(always)]
            unsafe fn shl(self, n: u32) -> Self {
                // SAFETY: see above.
                unsafe { $sll(self, _mm_cvtsi32_si128(n as i32)) }
            }

            #[inline(always)]
            unsafe fn shr(self, n: u32) -> Self {
                // SAFETY: see above.
                unsafe { $srl(self, _mm_cvtsi32_si128(n as i32)) }
            }
        }
    };
}

/// The bytes whose offset lies in `from..to` (both at most 32).
///
/// # Safety
/// The CPU has AVX2.
#[inline(always)]
unsafe fn bytes_between(from: usize, to: usize) -> __m256i {
    // SAFETY: the caller guarantees AVX2.
    unsafe {
        let offsets = _mm256_setr_epi8(
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, //
            16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        );
        let before_to = _mm256_cmpgt_epi8(_mm256_set1_epi8(to as i8), offsets);
        let before_from = _mm256_cmpgt_epi8(_mm256_set1_epi8(from as i8), offsets);
        _mm256_andnot_si256(before_from, before_to)
    }
}

lanes!(
    i16,
    _mm256_set1_epi16,
    _mm256_cmpgt_epi16,
    _mm256_cmpeq_epi16,
    _mm256_add_epi16,
    _mm256_sub_epi16,
    _mm256_sll_epi16,
    _mm256_srl_epi16,
    max = _mm256_max_epi16,
    min = _mm256_min_epi16
);
lanes!(
    i32,
    _mm256_set1_epi32,
    _mm256_cmpgt_epi32,
    _mm256_cmpeq_epi32,
    _mm256_add_epi32,
    _mm256_sub_epi32,
    _mm256_sll_epi32,
    _mm256_srl_epi32,
    max = _mm256_max_epi32,
    min = _mm256_min_epi32,
    float_compares = (
        _mm256_cmp_ps,
        _mm256_castsi256_ps,
        _mm256_castps_si256,
        _mm256_setzero_ps,
        _mm256_max_ps,
        _mm256_min_ps
    )
);
lanes!(
    i64,
    _mm256_set1_epi64x,
    _mm256_cmpgt_epi64,
    _mm256_cmpeq_epi64,
    _mm256_add_epi64,
    _mm256_sub_epi64,
    _mm256_sll_epi64,
    _mm256_srl_epi64,
    float_compares = (
        _mm256_cmp_pd,
        _mm256_castsi256_pd,
        _mm256_castpd_si256,
        _mm256_setzero_pd,
        _mm256_max_pd,
        _mm256_min_pd
    )
);

float_lanes!(
    __m256i,
    f32,
    _mm256_castsi256_ps,
    _mm256_castps_si256,
    _mm256_set1_ps,
    _mm256_add_ps,
    _mm256_sub_ps,
    _mm256_mul_ps
);
float_lanes!(
    __m256i,
    f64,
    _mm256_castsi256_pd,
    _mm256_castpd_si256,
    _mm256_set1_pd,
    _mm256_add_pd,
    _mm256_sub_pd,
    _mm256_mul_pd
);

/// The register of this backend.
pub(crate) type Register = __m256i;

/// f16 conversions in integer code (`kernel/convert.rs`).
impl HalfFloat for __m256i {}
