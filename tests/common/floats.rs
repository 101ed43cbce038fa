//! The element types seen as bit layouts, with the wide type their arithmetic
//! is done in: what the oracle and the generators need to know of a format.

use relu_simd::half::{bf16, f16};
use relu_simd::{Element, Wide};
use std::fmt::Debug;

/// `f32` or `f64`: the type arithmetic on an element type is done in.
pub trait WideFloat: Copy + Debug + PartialEq + bytemuck::Pod + 'static {
    /// The canonical NaN: positive, quiet, no other payload bit.
    const CANONICAL_NAN: u64;
    /// Other NaNs: negative, signalling, with payloads.
    const OTHER_NANS: [u64; 3];
    /// The exact value of an `f32`.
    fn from_f32(a: f32) -> Self;
    fn from_bits64(bits: u64) -> Self;
    fn bits64(self) -> u64;
    fn mul(self, other: Self) -> Self;
    fn add(self, other: Self) -> Self;
    fn is_nan(self) -> bool;
}

macro_rules! wide_float {
    ($($w:ident: $uint:ident, nan $nan:literal, others $others:expr;)*) => {$(
        impl WideFloat for $w {
            const CANONICAL_NAN: u64 = $nan;
            const OTHER_NANS: [u64; 3] = $others;
            fn from_f32(a: f32) -> Self {
                a as $w
            }
            fn from_bits64(bits: u64) -> Self {
                $w::from_bits(bits as $uint)
            }
            fn bits64(self) -> u64 {
                self.to_bits() as u64
            }
            fn mul(self, other: Self) -> Self {
                self * other
            }
            fn add(self, other: Self) -> Self {
                self + other
            }
            fn is_nan(self) -> bool {
                $w::is_nan(self)
            }
        }
    )*};
}

wide_float! {
    f32: u32, nan 0x7FC0_0000, others [0xFFC0_0000, 0x7F80_0001, 0xFFC1_2345];
    f64: u64, nan 0x7FF8_0000_0000_0000,
        others [0xFFF8_0000_0000_0000, 0x7FF0_0000_0000_0001, 0xFFF8_0000_1234_5678];
}

/// An element type seen as its bit layout, with its wide type.
pub trait TestFloat: Element {
    const NAME: &'static str;
    /// The sign bit.
    const SIGN: u64;
    /// The bits of `+inf`: the exponent field, all ones.
    const INF: u64;
    /// The bits of `1.0`.
    const ONE: u64;
    /// The bits of the canonical NaN.
    const CANONICAL_NAN: u64;
    /// `Wide<Self>`, seen as a [`WideFloat`].
    type W: WideFloat;
    fn from_bits(bits: u64) -> Self;
    fn bits(self) -> u64;
    /// `W(self)`: exact.
    fn widen(self) -> Self::W;
    /// `round(w)`: to nearest even (the identity for `f32` and `f64`).
    fn round(w: Self::W) -> Self;
    /// The same value as the library's `Wide<Self>`.
    fn lib_wide(w: Self::W) -> Wide<Self>;
    /// The same slice as the library's `Wide<Self>`.
    fn lib(v: &mut [Self::W]) -> &mut [Wide<Self>];
    /// The exact value, for ordering.
    fn to_f64(self) -> f64;
}

macro_rules! test_float {
    ($($t:ident: $uint:ident, one $one:expr, nan $nan:literal, wide $w:ident, round $round:path;)*) => {$(
        impl TestFloat for $t {
            const NAME: &'static str = stringify!($t);
            const SIGN: u64 = 1 << (<$uint>::BITS - 1);
            const INF: u64 = <$t>::INFINITY.to_bits() as u64;
            const ONE: u64 = $one.to_bits() as u64;
            const CANONICAL_NAN: u64 = $nan;
            type W = $w;
            fn from_bits(bits: u64) -> Self {
                <$t>::from_bits(bits as $uint)
            }
            fn bits(self) -> u64 {
                self.to_bits() as u64
            }
            fn widen(self) -> $w {
                $w::from(self)
            }
            fn round(w: $w) -> Self {
                $round(w)
            }
            fn lib_wide(w: $w) -> Wide<Self> {
                w
            }
            fn lib(v: &mut [$w]) -> &mut [Wide<Self>] {
                v
            }
            fn to_f64(self) -> f64 {
                f64::from(self.widen())
            }
        }
    )*};
}

test_float! {
    f32: u32, one 1.0f32, nan 0x7FC0_0000, wide f32, round f32::from;
    f64: u64, one 1.0f64, nan 0x7FF8_0000_0000_0000, wide f64, round f64::from;
    f16: u16, one f16::ONE, nan 0x7E00, wide f32, round f16::from_f32;
    bf16: u16, one bf16::ONE, nan 0x7FC0, wide f32, round bf16::from_f32;
}

/// All ones in the format's width.
pub fn width_mask<T: TestFloat>() -> u64 {
    (T::SIGN << 1).wrapping_sub(1)
}
