//! NEON backend: 128-bit registers. Masks are vectors of all-ones lanes from
//! the integer compares (`cmgt`, `cmeq`); float arithmetic is `fadd`/`fmul`,
//! rounding to nearest even like the scalar reference (Linux leaves FPCR's
//! flush-to-zero off). Exact for the reasons in `kernel/steps.rs`: in
//! particular no `fmax`, which quiets signalling NaNs.

use crate::arch::float_lanes;
use crate::kernel::{HalfFloat, Lanes, Vector};
use core::arch::aarch64::*;

// SAFETY (every block in this file): NEON is part of the aarch64 baseline;
// pointer arguments are as each method's contract says.

impl Vector for uint8x16_t {
    const BYTES: usize = 16;

    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: see above; 16 readable bytes at `p` (`ld1` needs no alignment for bytes).
        unsafe { vld1q_u8(p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: see above; 16 writable bytes at `p`.
        unsafe { vst1q_u8(p, self) }
    }

    #[inline(always)]
    unsafe fn load_halves(p: *const u8) -> Self {
        // SAFETY: see above; 8 readable bytes at `p`, loaded as bytes (no alignment).
        unsafe { vreinterpretq_u8_s32(vmovl_s16(vreinterpret_s16_u8(vld1_u8(p)))) }
    }

    #[inline(always)]
    unsafe fn store_halves(self, p: *mut u8) {
        // SAFETY: see above; 8 writable bytes at `p`; `xtn` keeps the low halves.
        unsafe {
            vst1_u8(
                p,
                vreinterpret_u8_u16(vmovn_u32(vreinterpretq_u32_u8(self))),
            )
        }
    }

    #[inline(always)]
    unsafe fn and(self, other: Self) -> Self {
        // SAFETY: see above.
        unsafe { vandq_u8(self, other) }
    }

    #[inline(always)]
    unsafe fn or(self, other: Self) -> Self {
        // SAFETY: see above.
        unsafe { vorrq_u8(self, other) }
    }

    #[inline(always)]
    unsafe fn xor(self, other: Self) -> Self {
        // SAFETY: see above.
        unsafe { veorq_u8(self, other) }
    }
}

/// Implements [`Lanes`] for lanes of type `$int`, reinterpreting the byte
/// register as signed (`$s`) or unsigned (`$u`) lanes of that width.
macro_rules! lanes {
    (
        $int:ty, $to_s:ident, $to_u:ident, $from_s:ident, $from_u:ident,
        $splat:ident, $gt:ident, $eq:ident, $add:ident, $sub:ident, $shl:ident, $ushl:ident, $shift:ident
        $(, max = $max:ident, min = $min:ident)?
    ) => {
        impl Lanes<$int> for uint8x16_t {
            type Mask = uint8x16_t;

            #[inline(always)]
            unsafe fn splat(x: $int) -> Self {
                // SAFETY: see above.
                unsafe { $from_s($splat(x)) }
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $from_u($gt($to_s(self), $to_s(other))) }
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $from_u($eq($to_s(self), $to_s(other))) }
            }

            #[inline(always)]
            unsafe fn both(a: Self, b: Self) -> Self {
                // SAFETY: see above.
                unsafe { vandq_u8(a, b) }
            }

            #[inline(always)]
            unsafe fn either(a: Self, b: Self) -> Self {
                // SAFETY: see above.
                unsafe { vorrq_u8(a, b) }
            }

            #[inline(always)]
            unsafe fn and_not(a: Self, b: Self) -> Self {
                // SAFETY: see above. `bic(a, b)` is `a & !b`.
                unsafe { vbicq_u8(a, b) }
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: Self, v: Self) -> Self {
                // SAFETY: see above.
                unsafe { vandq_u8(mask, v) }
            }

            #[inline(always)]
            unsafe fn select(mask: Self, a: Self, b: Self) -> Self {
                // SAFETY: see above.
                unsafe { vbslq_u8(mask, a, b) }
            }
            $(
                #[inline(always)]
                unsafe fn max(self, other: Self) -> Self {
                    // SAFETY: see above.
                    unsafe { $from_s($max($to_s(self), $to_s(other))) }
                }

                #[inline(always)]
                unsafe fn min(self, other: Self) -> Self {
                    // SAFETY: see above.
                    unsafe { $from_s($min($to_s(self), $to_s(other))) }
                }
            )?

            #[inline(always)]
            unsafe fn lanes_between(from: usize, to: usize) -> Self {
                // SAFETY: see above. `from` and `to` are multiples of the lane
                // width, so the bytes in range are exactly the lanes in range.
                unsafe {
                    let offsets =
                        vld1q_u8([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].as_ptr());
                    vandq_u8(
                        vcgeq_u8(offsets, vdupq_n_u8(from as u8)),
                        vcltq_u8(offsets, vdupq_n_u8(to as u8)),
                    )
                }
            }

            #[inline(always)]
            unsafe fn count_into(counts: Self, mask: Self) -> Self {
                // SAFETY: see above. Set lanes are -1.
                unsafe { $from_s($sub($to_s(counts), $to_s(mask))) }
            }

            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $from_s($add($to_s(self), $to_s(other))) }
            }

            #[inline(always)]
            unsafe fn shl(self, n: u32) -> Self {
                // SAFETY: see above.
                unsafe { $from_s($shl($to_s(self), $shift(n as _))) }
            }

            #[inline(always)]
            unsafe fn shr(self, n: u32) -> Self {
                // SAFETY: see above. `ushl` by a negative count shifts right,
                // filling with zeros.
                unsafe { $from_u($ushl($to_u(self), $shift(-(n as $int) as _))) }
            }
        }
    };
}

lanes!(
    i16,
    vreinterpretq_s16_u8,
    vreinterpretq_u16_u8,
    vreinterpretq_u8_s16,
    vreinterpretq_u8_u16,
    vdupq_n_s16,
    vcgtq_s16,
    vceqq_s16,
    vaddq_s16,
    vsubq_s16,
    vshlq_s16,
    vshlq_u16,
    vdupq_n_s16,
    max = vmaxq_s16,
    min = vminq_s16
);
lanes!(
    i32,
    vreinterpretq_s32_u8,
    vreinterpretq_u32_u8,
    vreinterpretq_u8_s32,
    vreinterpretq_u8_u32,
    vdupq_n_s32,
    vcgtq_s32,
    vceqq_s32,
    vaddq_s32,
    vsubq_s32,
    vshlq_s32,
    vshlq_u32,
    vdupq_n_s32,
    max = vmaxq_s32,
    min = vminq_s32
);
lanes!(
    i64,
    vreinterpretq_s64_u8,
    vreinterpretq_u64_u8,
    vreinterpretq_u8_s64,
    vreinterpretq_u8_u64,
    vdupq_n_s64,
    vcgtq_s64,
    vceqq_s64,
    vaddq_s64,
    vsubq_s64,
    vshlq_s64,
    vshlq_u64,
    vdupq_n_s64
);

float_lanes!(
    uint8x16_t,
    f32,
    vreinterpretq_f32_u8,
    vreinterpretq_u8_f32,
    vdupq_n_f32,
    vaddq_f32,
    vsubq_f32,
    vmulq_f32
);
float_lanes!(
    uint8x16_t,
    f64,
    vreinterpretq_f64_u8,
    vreinterpretq_u8_f64,
    vdupq_n_f64,
    vaddq_f64,
    vsubq_f64,
    vmulq_f64
);

/// The register of this backend.
pub(crate) type Register = uint8x16_t;

/// f16 conversions in integer code (`kernel/convert.rs`).
impl HalfFloat for uint8x16_t {}
