//! WebAssembly `simd128` backend: 128-bit `v128` registers. Exists only when
//! the crate is compiled with `-C target-feature=+simd128`, so every engine
//! that loads the module runs these instructions.
//!
//! Masks are vectors of all-ones lanes from the integer compares
//! (`i16x8.gt_s`, `i32x4.gt_s`, `i64x2.gt_s`, `*.eq`); ReLU, clamp, the NaN
//! test and the masks only compare and select bits, so they are exact for the
//! reasons in `kernel/steps.rs`. No `f32x4.max`/`pmax` is used: `max` returns
//! a NaN of the engine's choosing and `pmax` is `a < b ? b : a`, which drops a
//! NaN in `b` and does not order `-0.0` below `+0.0`.
//!
//! Float arithmetic is `f32x4.add`/`sub`/`mul` (and `f64x2`): the
//! WebAssembly specification makes them IEEE 754 operations rounding to
//! nearest even, with subnormals (no flush to zero) and no fusing, so every
//! non-NaN result is the scalar reference's. Their NaN results are not
//! deterministic (sign and payload are the engine's, and may differ from run
//! to run); the kernels never store a computed NaN without replacing it by
//! the canonical one with an integer compare first (`Arith::narrow`, the
//! sums' `Canonical` pass), which is what makes them exact here too.
//!
//! The intrinsics that only compute on registers are safe functions, and this
//! module exists only where `simd128` is enabled for the whole crate, so only
//! the ones that touch memory need `unsafe`.

use crate::kernel::{Float, HalfFloat, Lanes, Vector};
use core::arch::wasm32::*;

impl Vector for v128 {
    const BYTES: usize = 16;

    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller guarantees 16 readable bytes at `p`; `v128.load`
        // is a 1-aligned load.
        unsafe { v128_load(p.cast()) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: the caller guarantees 16 writable bytes at `p`; `v128.store`
        // is a 1-aligned store.
        unsafe { v128_store(p.cast(), self) }
    }

    #[inline(always)]
    unsafe fn load_halves(p: *const u8) -> Self {
        // SAFETY: the caller guarantees 8 readable bytes at `p`;
        // `v128.load16x4_s` is a 1-aligned load that sign-extends each 16-bit
        // lane, in order, to 32 bits.
        unsafe { i32x4_load_extend_i16x4(p.cast()) }
    }

    #[inline(always)]
    unsafe fn store_halves(self, p: *mut u8) {
        // The low 16 bits of each 32-bit lane (the even 16-bit lanes, little
        // endian) gathered into the low 8 bytes; a truncation, not the
        // saturating `i16x8.narrow_i32x4_s`.
        let low_halves = i16x8_shuffle::<0, 2, 4, 6, 0, 2, 4, 6>(self, self);
        // SAFETY: the caller guarantees 8 writable bytes at `p`;
        // `v128.store64_lane` is a 1-aligned store of lane 0 (bytes 0..8).
        unsafe { v128_store64_lane::<0>(low_halves, p.cast()) }
    }

    #[inline(always)]
    unsafe fn and(self, other: Self) -> Self {
        v128_and(self, other)
    }

    #[inline(always)]
    unsafe fn or(self, other: Self) -> Self {
        v128_or(self, other)
    }

    #[inline(always)]
    unsafe fn xor(self, other: Self) -> Self {
        v128_xor(self, other)
    }
}

/// Implements [`Lanes`] for lanes of type `$int` with the `simd128`
/// instructions of that width: `$gt` is the *signed* compare, which is what
/// orders float bit patterns (`kernel/steps.rs`); `$shr` the logical
/// (zero-filling) shift.
macro_rules! lanes {
    (
        $int:ty, $splat:ident, $gt:ident, $eq:ident, $add:ident, $sub:ident, $shl:ident, $shr:ident
        $(, max = $max:ident, min = $min:ident)?
    ) => {
        impl Lanes<$int> for v128 {
            type Mask = v128;

            #[inline(always)]
            unsafe fn splat(x: $int) -> Self {
                $splat(x)
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> Self {
                // Signed: all ones where `self > other` as two's complement.
                $gt(self, other)
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> Self {
                // On the bits: `+0.0` and `-0.0` differ, NaNs equal themselves.
                $eq(self, other)
            }

            #[inline(always)]
            unsafe fn both(a: Self, b: Self) -> Self {
                v128_and(a, b)
            }

            #[inline(always)]
            unsafe fn either(a: Self, b: Self) -> Self {
                v128_or(a, b)
            }

            #[inline(always)]
            unsafe fn and_not(a: Self, b: Self) -> Self {
                // `v128.andnot(a, b)` is `a & !b`.
                v128_andnot(a, b)
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: Self, v: Self) -> Self {
                // A bitwise AND: the kept lanes keep every bit, NaN payloads
                // and signalling NaNs included.
                v128_and(mask, v)
            }

            #[inline(always)]
            unsafe fn select(mask: Self, a: Self, b: Self) -> Self {
                // `v128.bitselect(a, b, c)` takes each bit from `a` where `c`
                // is set, else from `b`; mask lanes are all ones or all zeros,
                // so it is a lane select that moves bits unchanged.
                v128_bitselect(a, b, mask)
            }
            $(
                #[inline(always)]
                unsafe fn max(self, other: Self) -> Self {
                    $max(self, other)
                }

                #[inline(always)]
                unsafe fn min(self, other: Self) -> Self {
                    $min(self, other)
                }
            )?

            #[inline(always)]
            unsafe fn lanes_between(from: usize, to: usize) -> Self {
                // `from` and `to` are multiples of the lane width (at most
                // 16), so the bytes in range are exactly the lanes in range.
                let offsets = u8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
                v128_and(
                    u8x16_ge(offsets, u8x16_splat(from as u8)),
                    u8x16_lt(offsets, u8x16_splat(to as u8)),
                )
            }

            #[inline(always)]
            unsafe fn count_into(counts: Self, mask: Self) -> Self {
                // Set lanes are -1: subtracting adds one, wrapping.
                $sub(counts, mask)
            }

            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                $add(self, other)
            }

            #[inline(always)]
            unsafe fn shl(self, n: u32) -> Self {
                // WebAssembly takes the count modulo the lane width; `n` is
                // below it (the trait's contract).
                $shl(self, n)
            }

            #[inline(always)]
            unsafe fn shr(self, n: u32) -> Self {
                // The unsigned (logical) shift: fills with zeros.
                $shr(self, n)
            }
        }
    };
}

lanes!(
    i16,
    i16x8_splat,
    i16x8_gt,
    i16x8_eq,
    i16x8_add,
    i16x8_sub,
    i16x8_shl,
    u16x8_shr,
    max = i16x8_max,
    min = i16x8_min
);
lanes!(
    i32,
    i32x4_splat,
    i32x4_gt,
    i32x4_eq,
    i32x4_add,
    i32x4_sub,
    i32x4_shl,
    u32x4_shr,
    max = i32x4_max,
    min = i32x4_min
);
lanes!(
    i64,
    i64x2_splat,
    i64x2_gt,
    i64x2_eq,
    i64x2_add,
    i64x2_sub,
    i64x2_shl,
    u64x2_shr
);

/// Implements [`Float`] for `$float` lanes with the IEEE operations of that
/// lane type. `v128` is untyped, so no reinterpretation is needed. Each
/// operation rounds once to nearest even with subnormals kept (the
/// WebAssembly specification); only the bits of a NaN result are left to the
/// engine, and the kernels canonicalise those (see the module docs).
macro_rules! float_lanes {
    ($float:ty, $splat:ident, $add:ident, $sub:ident, $mul:ident) => {
        impl Float<$float> for v128 {
            #[inline(always)]
            unsafe fn fsplat(x: $float) -> Self {
                $splat(x)
            }

            #[inline(always)]
            unsafe fn fadd(self, other: Self) -> Self {
                $add(self, other)
            }

            #[inline(always)]
            unsafe fn fsub(self, other: Self) -> Self {
                $sub(self, other)
            }

            #[inline(always)]
            unsafe fn fmul(self, other: Self) -> Self {
                $mul(self, other)
            }
        }
    };
}

float_lanes!(f32, f32x4_splat, f32x4_add, f32x4_sub, f32x4_mul);
float_lanes!(f64, f64x2_splat, f64x2_add, f64x2_sub, f64x2_mul);

/// The register of this backend.
pub(crate) type Register = v128;

/// f16 conversions in integer code (`kernel/convert.rs`).
impl HalfFloat for v128 {}
