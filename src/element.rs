//! The element types the kernels accept.

use crate::Backend;
use crate::kernel::{Halves, Isa, Kernels, Plain, Stream, convert};

pub(crate) mod sealed {
    use super::*;

    /// What the kernels need to know about an element type. Not nameable
    /// outside the crate, so [`Element`] cannot be implemented
    /// elsewhere.
    pub trait Sealed: Copy + PartialOrd + core::fmt::Debug {
        /// The bit pattern as a signed integer of the same width.
        type Bits: bytemuck::Pod + Into<i64>;
        /// The lanes arithmetic kernels load the bits into: `i32` (the 16-bit
        /// types sign-extended, and `f32`) or `i64`.
        type Lane: Copy;
        /// The float type arithmetic runs in.
        type Wide: WideFloat;
        /// How arithmetic kernels load registers of `V`: whole for `f32` and
        /// `f64`, widened halves for `f16` and `bf16`.
        type Stream<V: Isa>: Stream<Reg = V>;

        /// `+0`.
        const ZERO: Self;
        /// The canonical NaN: positive, quiet, no other payload bit.
        const NAN: Self;
        /// Special bit patterns, at the type's own width.
        const BITS: Specials<Self::Bits>;
        /// The same patterns sign-extended to `Lane`.
        const LANE_BITS: Specials<Self::Lane>;
        /// The patterns of `Wide`, in `Lane`s.
        const WIDE_BITS: Specials<Self::Lane>;
        /// This type's kernels, indexed by `Backend as usize`.
        const KERNELS: [Kernels<Self>; Backend::ALL.len()];

        /// The exact value of `self` in the wide type.
        fn to_wide(self) -> Self::Wide;
        /// `w` rounded to nearest even (`w` is not a NaN, or is the canonical one).
        fn from_wide(w: Self::Wide) -> Self;

        /// [`to_wide`](Sealed::to_wide) on every lane of `v` (bits in
        /// `Lane`s, as loaded by `Stream`), giving `Wide` bits.
        ///
        /// # Safety
        /// The CPU has the ISA of `V`.
        unsafe fn widen<V: Isa>(v: V) -> V;
        /// [`from_wide`](Sealed::from_wide) on every lane of `v`, giving the
        /// bits in the low bits of each `Lane`, as `Stream` stores them.
        ///
        /// # Safety
        /// The CPU has the ISA of `V`.
        unsafe fn narrow<V: Isa>(v: V) -> V;
    }

    /// `f32` or `f64`: what arithmetic needs in the scalar reference.
    pub trait WideFloat:
        Copy
        + PartialOrd
        + core::fmt::Debug
        + core::ops::Add<Output = Self>
        + core::ops::Mul<Output = Self>
        + From<f32>
        + Send
        + Sync
        + 'static
    {
        /// The canonical NaN: positive, quiet, no other payload bit.
        const NAN: Self;
        /// Whether `self` is a NaN.
        fn is_nan(self) -> bool;
        /// Whether the sign bit is set.
        fn is_sign_negative(self) -> bool;
    }

    impl WideFloat for f32 {
        const NAN: Self = f32::NAN;
        fn is_nan(self) -> bool {
            self.is_nan()
        }
        fn is_sign_negative(self) -> bool {
            self.is_sign_negative()
        }
    }

    impl WideFloat for f64 {
        const NAN: Self = f64::NAN;
        fn is_nan(self) -> bool {
            self.is_nan()
        }
        fn is_sign_negative(self) -> bool {
            self.is_sign_negative()
        }
    }
}

use sealed::Sealed;

/// Bit patterns of one float format, as signed integers of some lane width.
#[derive(Clone, Copy)]
pub struct Specials<I> {
    /// The bits of `-inf`.
    pub neg_inf: I,
    /// The bits of `+inf` (the largest that is not a NaN, sign ignored).
    pub inf: I,
    /// All bits but the sign: `bits & abs` is the magnitude.
    pub abs: I,
    /// The bits of the canonical NaN.
    pub nan: I,
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

/// The float type that arithmetic on `T` runs in, and that per-channel
/// gradients of `T` are summed in: `f32` for [`f32`], [`half::f16`] and
/// [`half::bf16`]; `f64` for [`f64`].
pub type Wide<T> = <T as Sealed>::Wide;

/// Implements [`Element`] for a float type.
macro_rules! element {
    (
        $t:ty, bits = $bits:ty, lane = $lane:ty, wide = $wide:ty, stream = $stream:ident,
        to_wide = $to_wide:expr, from_wide = $from_wide:expr,
        widen = $widen:path, narrow = $narrow:path
    ) => {
        impl Element for $t {}

        impl Sealed for $t {
            type Bits = $bits;
            type Lane = $lane;
            type Wide = $wide;
            type Stream<V: Isa> = $stream<V>;

            const ZERO: Self = <$t>::from_bits(0);
            const NAN: Self = <$t>::NAN;
            const BITS: Specials<$bits> = Specials {
                neg_inf: <$t>::NEG_INFINITY.to_bits() as $bits,
                inf: <$t>::INFINITY.to_bits() as $bits,
                abs: <$bits>::MAX,
                nan: <$t>::NAN.to_bits() as $bits,
            };
            const LANE_BITS: Specials<$lane> = Specials {
                neg_inf: <$t as Sealed>::BITS.neg_inf as $lane,
                inf: <$t as Sealed>::BITS.inf as $lane,
                abs: <$t as Sealed>::BITS.abs as $lane,
                nan: <$t as Sealed>::BITS.nan as $lane,
            };

            const WIDE_BITS: Specials<$lane> = Specials {
                neg_inf: <$wide>::NEG_INFINITY.to_bits() as $lane,
                inf: <$wide>::INFINITY.to_bits() as $lane,
                abs: <$lane>::MAX,
                nan: <$wide>::NAN.to_bits() as $lane,
            };

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

            #[inline(always)]
            fn to_wide(self) -> $wide {
                $to_wide(self)
            }

            #[inline(always)]
            fn from_wide(w: $wide) -> Self {
                $from_wide(w)
            }

            #[inline(always)]
            unsafe fn widen<V: Isa>(v: V) -> V {
                // SAFETY: forwarded from the caller.
                unsafe { $widen(v) }
            }

            #[inline(always)]
            unsafe fn narrow<V: Isa>(v: V) -> V {
                // SAFETY: forwarded from the caller.
                unsafe { $narrow(v) }
            }
        }
    };
}

element!(
    f32,
    bits = i32,
    lane = i32,
    wide = f32,
    stream = Plain,
    to_wide = |x| x,
    from_wide = |w| w,
    widen = convert::same,
    narrow = convert::same
);
element!(
    f64,
    bits = i64,
    lane = i64,
    wide = f64,
    stream = Plain,
    to_wide = |x| x,
    from_wide = |w| w,
    widen = convert::same,
    narrow = convert::same
);
element!(
    half::f16,
    bits = i16,
    lane = i32,
    wide = f32,
    stream = Halves,
    to_wide = half::f16::to_f32,
    from_wide = half::f16::from_f32,
    widen = convert::f16_to_f32,
    narrow = convert::f32_to_f16
);
element!(
    half::bf16,
    bits = i16,
    lane = i32,
    wide = f32,
    stream = Halves,
    to_wide = half::bf16::to_f32,
    from_wide = half::bf16::from_f32,
    widen = convert::bf16_to_f32,
    narrow = convert::f32_to_bf16
);
