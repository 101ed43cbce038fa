//! Portable backend: `wide` vectors compiled for the target's baseline (SSE2 on
//! x86-64, NEON on aarch64, simd128 on wasm32 when enabled, plain arrays
//! elsewhere). The fallback where no runtime-detected ISA applies.
//!
//! `wide`'s float `max` drops NaN, so this backend uses its integer compares
//! and bitwise ops for every decision (see `kernel/steps.rs`); its float add and
//! multiply are the IEEE ones, rounding to nearest even.

use crate::kernel::{Float, HalfFloat, Lanes, Vector};
use bytemuck::cast;
use wide::{f32x8, f64x4, i16x8, i16x16, i32x8, i64x4, u16x16, u32x8, u64x4};

/// The register of this backend: 32 bytes, two SSE2 or NEON registers.
pub(crate) type Register = i32x8;

impl Vector for Register {
    const BYTES: usize = 32;

    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller guarantees `p` is readable for 32 bytes; every
        // bit pattern is a valid `i32x8`.
        unsafe { p.cast::<Self>().read_unaligned() }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: the caller guarantees `p` is writable for 32 bytes.
        unsafe { p.cast::<Self>().write_unaligned(self) }
    }

    #[inline(always)]
    unsafe fn load_halves(p: *const u8) -> Self {
        // SAFETY: the caller guarantees `p` is readable for 16 bytes.
        let halves = unsafe { p.cast::<i16x8>().read_unaligned() };
        i32x8::from_i16x8(halves)
    }

    #[inline(always)]
    unsafe fn store_halves(self, p: *mut u8) {
        let halves: [i16; 8] = self.to_array().map(|lane| lane as i16);
        // SAFETY: the caller guarantees `p` is writable for 16 bytes.
        unsafe { p.cast::<[i16; 8]>().write_unaligned(halves) }
    }

    #[inline(always)]
    unsafe fn and(self, other: Self) -> Self {
        self & other
    }

    #[inline(always)]
    unsafe fn or(self, other: Self) -> Self {
        self | other
    }

    #[inline(always)]
    unsafe fn xor(self, other: Self) -> Self {
        self ^ other
    }
}

/// Implements [`Lanes`] for lanes of type `$int`, viewing the register as
/// `$wide` (and as `$unsigned` for shifts).
macro_rules! lanes {
    ($int:ty, $wide:ty, $unsigned:ty) => {
        impl Lanes<$int> for Register {
            type Mask = Register;

            #[inline(always)]
            unsafe fn splat(x: $int) -> Self {
                cast(<$wide>::splat(x))
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> Self {
                cast(cast::<_, $wide>(self).simd_gt(cast::<_, $wide>(other)))
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> Self {
                cast(cast::<_, $wide>(self).simd_eq(cast::<_, $wide>(other)))
            }

            #[inline(always)]
            unsafe fn both(a: Self, b: Self) -> Self {
                a & b
            }

            #[inline(always)]
            unsafe fn either(a: Self, b: Self) -> Self {
                a | b
            }

            #[inline(always)]
            unsafe fn and_not(a: Self, b: Self) -> Self {
                a & !b
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: Self, v: Self) -> Self {
                mask & v
            }

            #[inline(always)]
            unsafe fn select(mask: Self, a: Self, b: Self) -> Self {
                (mask & a) | (b & !mask)
            }

            #[inline(always)]
            unsafe fn lanes_between(from: usize, to: usize) -> Self {
                let mut lanes = [0 as $int; 32 / size_of::<$int>()];
                for (k, lane) in lanes.iter_mut().enumerate() {
                    let at = k * size_of::<$int>();
                    *lane = if (from..to).contains(&at) { -1 } else { 0 };
                }
                cast(lanes)
            }

            #[inline(always)]
            unsafe fn count_into(counts: Self, mask: Self) -> Self {
                // Set lanes are -1.
                cast(cast::<_, $unsigned>(counts) - cast::<_, $unsigned>(mask))
            }

            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                cast(cast::<_, $unsigned>(self) + cast::<_, $unsigned>(other))
            }

            #[inline(always)]
            unsafe fn shl(self, n: u32) -> Self {
                cast(cast::<_, $unsigned>(self) << n)
            }

            #[inline(always)]
            unsafe fn shr(self, n: u32) -> Self {
                cast(cast::<_, $unsigned>(self) >> n)
            }
        }
    };
}

lanes!(i16, i16x16, u16x16);
lanes!(i32, i32x8, u32x8);
lanes!(i64, i64x4, u64x4);

/// Implements [`Float`] for `$float` lanes, viewing the register as `$wide`.
macro_rules! float {
    ($float:ty, $wide:ty) => {
        impl Float<$float> for Register {
            #[inline(always)]
            unsafe fn fsplat(x: $float) -> Self {
                cast(<$wide>::splat(x))
            }

            #[inline(always)]
            unsafe fn fadd(self, other: Self) -> Self {
                cast(cast::<_, $wide>(self) + cast::<_, $wide>(other))
            }

            #[inline(always)]
            unsafe fn fsub(self, other: Self) -> Self {
                cast(cast::<_, $wide>(self) - cast::<_, $wide>(other))
            }

            #[inline(always)]
            unsafe fn fmul(self, other: Self) -> Self {
                cast(cast::<_, $wide>(self) * cast::<_, $wide>(other))
            }
        }
    };
}

float!(f32, f32x8);
float!(f64, f64x4);

/// f16 conversions in integer code (`kernel/convert.rs`).
impl HalfFloat for Register {}
