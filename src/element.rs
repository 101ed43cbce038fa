//! The element types the kernels accept.

use crate::Backend;
use crate::kernel::Kernels;

pub(crate) mod sealed {
    use super::*;

    /// What the kernels need to know about an element type. Not nameable
    /// outside the crate, so [`Element`](super::Element) cannot be implemented
    /// elsewhere.
    pub trait Sealed: Copy + PartialOrd {
        /// The bit pattern as a signed integer of the same width.
        type Bits: Copy;
        /// `+0`.
        const ZERO: Self;
        /// The bits of `+0` (all zero).
        const ZERO_BITS: Self::Bits;
        /// The bits of `-inf`, read as a signed integer.
        const NEG_INF_BITS: Self::Bits;
        /// This type's kernels, indexed by `Backend as usize`.
        const KERNELS: [Kernels<Self>; Backend::ALL.len()];
    }
}

/// A floating-point type the kernels work on: [`f32`], [`f64`],
/// [`half::f16`] and [`half::bf16`].
///
/// The trait is sealed: the kernels rely on the IEEE 754 binary layout of
/// exactly these types (sign bit on top, then exponent, then mantissa), so it
/// cannot be implemented outside this crate.
///
/// Every type here is [`bytemuck::Pod`], so buffers kept as raw bits (`u16`
/// for f16/bf16, `u32`, `u64`) can be viewed as element slices with
/// [`bytemuck::cast_slice_mut`], without copying or `unsafe`.
pub trait Element:
    sealed::Sealed + bytemuck::Pod + core::fmt::Debug + Send + Sync + 'static
{
}

/// Implements [`Element`] for a float type with bit patterns of type `$bits`.
macro_rules! element {
    ($t:ty, bits = $bits:ty, zero = $zero:expr, neg_inf = $neg_inf:expr) => {
        impl Element for $t {}

        impl sealed::Sealed for $t {
            type Bits = $bits;
            const ZERO: Self = $zero;
            const ZERO_BITS: $bits = 0;
            const NEG_INF_BITS: $bits = <$t>::to_bits($neg_inf) as $bits;

            const KERNELS: [Kernels<Self>; Backend::ALL.len()] = {
                use crate::arch;
                // A backend that is not built for this architecture gets the
                // scalar kernels: they are valid everywhere, and never picked,
                // since such a backend is never supported.
                #[allow(unused_mut)]
                let mut table = [crate::scalar::kernels(); Backend::ALL.len()];
                table[Backend::Portable as usize] = arch::portable::kernels();
                #[cfg(target_arch = "x86_64")]
                {
                    table[Backend::Avx2 as usize] = arch::x86_64::avx2::kernels();
                    table[Backend::Avx512 as usize] = arch::x86_64::avx512::kernels();
                }
                #[cfg(target_arch = "aarch64")]
                {
                    table[Backend::Neon as usize] = arch::aarch64::neon::kernels();
                }
                table
            };
        }
    };
}

element!(f32, bits = i32, zero = 0.0, neg_inf = f32::NEG_INFINITY);
element!(f64, bits = i64, zero = 0.0, neg_inf = f64::NEG_INFINITY);
element!(
    half::f16,
    bits = i16,
    zero = half::f16::ZERO,
    neg_inf = half::f16::NEG_INFINITY
);
element!(
    half::bf16,
    bits = i16,
    zero = half::bf16::ZERO,
    neg_inf = half::bf16::NEG_INFINITY
);
