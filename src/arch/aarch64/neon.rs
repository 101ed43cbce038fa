//! NEON backend: 128-bit integer compares (`cmgt`, `cmeq`) and `bic`/`and`.
//! Exact for the reasons in `kernel.rs`: no float instruction is used, so
//! unlike `fmax` nothing can quiet a signalling NaN, and flush-to-zero mode
//! (FPCR.FZ) cannot flush a subnormal.

use crate::kernel::{Lanes, Vector, backend_kernels};
use core::arch::aarch64::*;

impl Vector for uint8x16_t {
    const BYTES: usize = 16;

    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: NEON is baseline on aarch64; the caller guarantees 16
        // readable bytes at `p` (`ld1` needs no alignment for bytes).
        unsafe { vld1q_u8(p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: NEON is baseline; the caller guarantees 16 writable bytes at `p`.
        unsafe { vst1q_u8(p, self) }
    }
}

/// Implements [`Lanes`] for lanes of type `$int`, reinterpreting the byte
/// register as signed lanes of that width for the compares.
macro_rules! lanes {
    ($int:ty, $to_signed:ident, $from_mask:ident, $splat:ident, $gt:ident, $eq:ident) => {
        impl Lanes<$int> for uint8x16_t {
            type Mask = uint8x16_t;

            #[inline(always)]
            unsafe fn splat(x: $int) -> Self {
                // SAFETY: NEON is baseline on aarch64 (as for every item below).
                unsafe { $from_mask($splat(x as _)) }
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> Self {
                // SAFETY: NEON is baseline on aarch64.
                unsafe { $from_mask($gt($to_signed(self), $to_signed(other))) }
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> Self {
                // SAFETY: NEON is baseline on aarch64.
                unsafe { $from_mask($eq($to_signed(self), $to_signed(other))) }
            }

            #[inline(always)]
            unsafe fn and_not(a: Self, b: Self) -> Self {
                // SAFETY: NEON is baseline on aarch64. `bic(a, b)` is `a & !b`.
                unsafe { vbicq_u8(a, b) }
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: Self, v: Self) -> Self {
                // SAFETY: NEON is baseline on aarch64.
                unsafe { vandq_u8(mask, v) }
            }
        }
    };
}

lanes!(
    i16,
    vreinterpretq_s16_u8,
    vreinterpretq_u8_u16,
    vdupq_n_u16,
    vcgtq_s16,
    vceqq_s16
);
lanes!(
    i32,
    vreinterpretq_s32_u8,
    vreinterpretq_u8_u32,
    vdupq_n_u32,
    vcgtq_s32,
    vceqq_s32
);
lanes!(
    i64,
    vreinterpretq_s64_u8,
    vreinterpretq_u8_u64,
    vdupq_n_u64,
    vcgtq_s64,
    vceqq_s64
);

backend_kernels!(uint8x16_t, target_feature = "neon");
