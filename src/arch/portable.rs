//! Portable backend: `wide` vectors compiled for the target's baseline (SSE2 on
//! x86-64, NEON on aarch64, simd128 on wasm32 when enabled, plain arrays
//! elsewhere). The fallback where no runtime-detected ISA applies.
//!
//! `wide`'s float `max` drops NaN and its float ops promise nothing about NaN
//! bits, so this backend uses only its integer compares and bitwise ops (see
//! the exactness argument in `kernel.rs`).

use crate::kernel::{Lanes, Vector, backend_kernels};
use bytemuck::cast;
use wide::{i16x16, i32x8, i64x4};

/// 32 bytes: two SSE2 or NEON registers.
type Register = i32x8;

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
}

/// Implements [`Lanes`] for lanes of type `$int`, viewing the register as `$wide`.
macro_rules! lanes {
    ($int:ty, $wide:ty) => {
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
            unsafe fn and_not(a: Self, b: Self) -> Self {
                a & !b
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: Self, v: Self) -> Self {
                mask & v
            }
        }
    };
}

lanes!(i16, i16x16);
lanes!(i32, i32x8);
lanes!(i64, i64x4);

backend_kernels!(Register);
