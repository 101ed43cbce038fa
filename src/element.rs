//! Facts about the float formats the crate works on: their bit layout, the
//! type their arithmetic runs in, and their special bit patterns. Nothing
//! here knows the kernels or the backends.

/// What every layer needs to know about an element type. In a private
/// module, so the public [`Element`](crate::Element) that requires it cannot
/// be implemented outside the crate.
pub trait Format:
    Copy + PartialOrd + core::fmt::Debug + bytemuck::Pod + Send + Sync + 'static
{
    /// The bit pattern as a signed integer of the same width.
    type Bits: bytemuck::Pod + Into<i64>;
    /// The lanes arithmetic kernels load the bits into: `i32` (the 16-bit
    /// types sign-extended, and `f32`) or `i64`.
    type Lane: Copy;
    /// The float type arithmetic runs in.
    type Wide: WideFloat;

    /// `+0` (named apart from [`Element::ZERO`](crate::Element::ZERO), which
    /// generic code sees).
    const POSITIVE_ZERO: Self;
    /// The canonical NaN: positive, quiet, no other payload bit.
    const NAN: Self;
    /// Special bit patterns, at the type's own width.
    const BITS: Specials<Self::Bits>;
    /// The same patterns sign-extended to `Lane`.
    const LANE_BITS: Specials<Self::Lane>;
    /// The patterns of `Wide`, in `Lane`s.
    const WIDE_BITS: Specials<Self::Lane>;

    /// The exact value of `self` in the wide type.
    fn to_wide(self) -> Self::Wide;
    /// `w` rounded to nearest even (`w` is not a NaN, or is the canonical one).
    fn from_wide(w: Self::Wide) -> Self;
}

/// `f32` or `f64`: the type [`Element`](crate::Element)s compute and sum in
/// ([`Wide<T>`](crate::Wide)). Sealed: implemented for exactly these two.
///
/// Generic code over `T: Element` can add, multiply, compare, convert from
/// `f32` and print `Wide<T>` values:
///
/// ```
/// use relu_simd::{Element, Wide};
///
/// fn total<T: Element>(sums: &[Wide<T>]) -> Wide<T> {
///     sums.iter().fold(Wide::<T>::from(0.0f32), |a, &b| a + b)
/// }
/// assert_eq!(total::<f32>(&[1.0, 2.5]), 3.5);
/// ```
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
    /// All bits but the sign: `bits & abs` is the magnitude.
    pub abs: I,
    /// The bits of the canonical NaN.
    pub nan: I,
}

/// Implements [`Format`] for a float type.
macro_rules! format {
    (
        $t:ty, bits = $bits:ty, lane = $lane:ty, wide = $wide:ty,
        to_wide = $to_wide:expr, from_wide = $from_wide:expr
    ) => {
        impl Format for $t {
            type Bits = $bits;
            type Lane = $lane;
            type Wide = $wide;

            const POSITIVE_ZERO: Self = <$t>::from_bits(0);
            const NAN: Self = <$t>::NAN;
            const BITS: Specials<$bits> = Specials {
                neg_inf: <$t>::NEG_INFINITY.to_bits() as $bits,
                inf: <$t>::INFINITY.to_bits() as $bits,
                abs: <$bits>::MAX,
                nan: <$t>::NAN.to_bits() as $bits,
            };
            const LANE_BITS: Specials<$lane> = Specials {
                neg_inf: <$t as Format>::BITS.neg_inf as $lane,
                inf: <$t as Format>::BITS.inf as $lane,
                abs: <$t as Format>::BITS.abs as $lane,
                nan: <$t as Format>::BITS.nan as $lane,
            };
            const WIDE_BITS: Specials<$lane> = Specials {
                neg_inf: <$wide>::NEG_INFINITY.to_bits() as $lane,
                inf: <$wide>::INFINITY.to_bits() as $lane,
                abs: <$lane>::MAX,
                nan: <$wide>::NAN.to_bits() as $lane,
            };

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
    bits = i32,
    lane = i32,
    wide = f32,
    to_wide = |x| x,
    from_wide = |w| w
);
format!(
    f64,
    bits = i64,
    lane = i64,
    wide = f64,
    to_wide = |x| x,
    from_wide = |w| w
);
format!(
    half::f16,
    bits = i16,
    lane = i32,
    wide = f32,
    to_wide = half::f16::to_f32,
    from_wide = half::f16::from_f32
);
format!(
    half::bf16,
    bits = i16,
    lane = i32,
    wide = f32,
    to_wide = half::bf16::to_f32,
    from_wide = half::bf16::from_f32
);
