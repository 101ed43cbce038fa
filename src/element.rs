//! Facts about the float formats the crate works on: their bit layout, the
//! type their arithmetic runs in, and their special bit patterns. Nothing
//! here knows the kernels or the backends.

/// The bit layout of an element type. In a private module, so the public
/// [`Element`] that requires it cannot be implemented outside the crate.
pub trait Format:
    Copy + PartialOrd + core::fmt::Debug + bytemuck::Pod + Send + Sync + 'static
{
    /// The bit pattern as a signed integer of the same width.
    type Bits: bytemuck::Pod + Into<i64> + PartialOrd + core::ops::BitAnd<Output = Self::Bits>;
    /// The lanes arithmetic kernels load the bits into: `i32` (the 16-bit
    /// types sign-extended, and `f32`) or `i64`.
    type Lane: Copy;
    /// Which of the four types this is.
    const KIND: Kind;

    /// `+0` (named apart from [`Element::ZERO`], which generic code sees).
    const POSITIVE_ZERO: Self;
    /// `6.0`, ReLU6's upper bound (exact in every format).
    const SIX: Self;
    /// The canonical NaN: positive, quiet, no other payload bit.
    const NAN: Self;
    /// Special bit patterns, at the type's own width.
    const BITS: Specials<Self::Bits>;
    /// The same patterns sign-extended to `Lane`.
    const LANE_BITS: Specials<Self::Lane>;
    /// The patterns of `Wide`, in `Lane`s.
    const WIDE_BITS: Specials<Self::Lane>;
}

/// The element types: one of these four, told apart at compile time.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `half::f16`.
    F16,
    /// `half::bf16`.
    Bf16,
}

/// A floating-point type the kernels work on: [`f32`], [`f64`],
/// [`half::f16`] and [`half::bf16`].
///
/// The trait is sealed: the kernels rely on the IEEE 754 binary layout of
/// exactly these types (sign bit on top, then exponent, then mantissa), so it
/// cannot be implemented outside this crate. Every type here is
/// [`bytemuck::Pod`], so buffers kept as raw bits (`u16` for f16/bf16, `u32`,
/// `u64`) can be viewed as element slices with [`bytemuck::cast_slice_mut`].
///
/// ```
/// use relu_simd::{Element, Wide};
///
/// fn fresh<T: Element>(n: usize) -> Vec<T> {
///     vec![T::ZERO; n]
/// }
/// fn total<T: Element>(sums: &[Wide<T>]) -> Wide<T> {
///     sums.iter().fold(Wide::<T>::from(0.0f32), |a, &b| a + b)
/// }
/// assert_eq!(fresh::<f32>(2), [0.0, 0.0]);
/// assert_eq!(total::<relu_simd::half::f16>(&[1.0f32, 2.5]), 3.5);
/// ```
pub trait Element: Format {
    /// The float type that arithmetic on this type runs in, and that
    /// per-channel gradients are summed in: `f32` for [`f32`], [`half::f16`]
    /// and [`half::bf16`]; `f64` for [`f64`]. See [`WideFloat`] for what it
    /// offers generic code.
    type Wide: WideFloat;
    /// `+0.0`.
    const ZERO: Self;
}

/// [`Element::Wide`]: the type `leaky_relu`'s `alpha` and the per-channel
/// gradients of `T` are in.
pub type Wide<T> = <T as Element>::Wide;

/// Exact conversion to [`Element::Wide`] and rounding back, for the scalar
/// reference and the kernels.
pub trait Widen: Element {
    /// The exact value of `self` in the wide type.
    fn to_wide(self) -> Self::Wide;
    /// `w` rounded to nearest even (`w` is not a NaN, or is the canonical one).
    fn from_wide(w: Self::Wide) -> Self;
}

/// `f32` or `f64`: the type [`Element`]s compute and sum in ([`Wide<T>`]).
/// Sealed: implemented for exactly these two. Generic code over `T: Element`
/// can add, multiply, compare, convert from `f32`, print and cast (`Pod`)
/// `Wide<T>` values (see the example on [`Element`]).
pub trait WideFloat:
    sealed::Sealed
    + Copy
    + PartialOrd
    + core::fmt::Debug
    + core::ops::Add<Output = Self>
    + core::ops::Mul<Output = Self>
    + From<f32>
    + bytemuck::Pod
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

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

macro_rules! wide_float {
    ($($t:ty),*) => {$(
        impl WideFloat for $t {
            const NAN: Self = <$t>::NAN;
            #[inline(always)]
            fn is_nan(self) -> bool {
                self.is_nan()
            }
            #[inline(always)]
            fn is_sign_negative(self) -> bool {
                self.is_sign_negative()
            }
        }
    )*};
}
wide_float!(f32, f64);

/// Bit patterns of one float format, as signed integers of some lane width.
#[derive(Clone, Copy)]
pub struct Specials<I> {
    /// The bits of `-inf`.
    pub neg_inf: I,
    /// The bits of `+inf` (the largest that is not a NaN, sign ignored).
    pub inf: I,
    /// The bits of the smallest positive NaN: `inf + 1`.
    pub first_nan: I,
    /// All bits but the sign: `bits & abs` is the magnitude.
    pub abs: I,
    /// The bits of the canonical NaN.
    pub nan: I,
}

/// Implements [`Format`] for a float type.
macro_rules! format {
    (
        $t:ty, $kind:ident, bits = $bits:ty, lane = $lane:ty, wide = $wide:ty,
        six = $six:expr, to_wide = $to_wide:expr, from_wide = $from_wide:expr
    ) => {
        impl Format for $t {
            type Bits = $bits;
            type Lane = $lane;
            const KIND: Kind = Kind::$kind;

            const POSITIVE_ZERO: Self = <$t>::from_bits(0);
            const SIX: Self = $six;
            const NAN: Self = <$t>::NAN;
            const BITS: Specials<$bits> = Specials {
                neg_inf: <$t>::NEG_INFINITY.to_bits() as $bits,
                inf: <$t>::INFINITY.to_bits() as $bits,
                first_nan: <$t>::INFINITY.to_bits() as $bits + 1,
                abs: <$bits>::MAX,
                nan: <$t>::NAN.to_bits() as $bits,
            };
            const LANE_BITS: Specials<$lane> = Specials {
                neg_inf: <$t as Format>::BITS.neg_inf as $lane,
                inf: <$t as Format>::BITS.inf as $lane,
                first_nan: <$t as Format>::BITS.first_nan as $lane,
                abs: <$t as Format>::BITS.abs as $lane,
                nan: <$t as Format>::BITS.nan as $lane,
            };
            const WIDE_BITS: Specials<$lane> = Specials {
                neg_inf: <$wide>::NEG_INFINITY.to_bits() as $lane,
                inf: <$wide>::INFINITY.to_bits() as $lane,
                first_nan: <$wide>::INFINITY.to_bits() as $lane + 1,
                abs: <$lane>::MAX,
                nan: <$wide>::NAN.to_bits() as $lane,
            };
        }

        impl Element for $t {
            type Wide = $wide;
            const ZERO: Self = <$t>::from_bits(0);
        }

        impl Widen for $t {
            #[inline(always)]
            fn to_wide(self) -> $wide {
                $to_wide(self)
            }

            #[inline(always)]
            fn from_wide(w: $wide) -> Self {
                $from_wide(w)
            }
        }
    };
}

format!(
    f32,
    F32,
    bits = i32,
    lane = i32,
    wide = f32,
    six = 6.0,
    to_wide = |x| x,
    from_wide = |w| w
);
format!(
    f64,
    F64,
    bits = i64,
    lane = i64,
    wide = f64,
    six = 6.0,
    to_wide = |x| x,
    from_wide = |w| w
);
format!(
    half::f16,
    F16,
    bits = i16,
    lane = i32,
    wide = f32,
    six = half::f16::from_bits(0x4600),
    to_wide = half::f16::to_f32,
    from_wide = half::f16::from_f32
);
format!(
    half::bf16,
    Bf16,
    bits = i16,
    lane = i32,
    wide = f32,
    six = half::bf16::from_bits(0x40c0),
    to_wide = half::bf16::to_f32,
    from_wide = half::bf16::from_f32
);
