//! Conversions between each element type and the float type its arithmetic
//! runs in, on whole registers, written once over [`Lanes`] and [`Float`].
//!
//! The 16-bit formats arrive sign-extended in 32-bit lanes (see
//! [`Halves`](super::stream::Halves)). Widening is exact; narrowing rounds to nearest
//! even, as `half`'s `from_f32` does, which the tests check over every
//! pattern. The f16 conversions are [`HalfFloat`](super::isa::HalfFloat)'s: the integer code below,
//! or the AVX-512 backend's `vcvtph2ps`/`vcvtps2ph` (AVX-512F, so every CPU
//! running that backend has them); the AVX2 backend does not use F16C, whose
//! availability `cpufeatures` cannot detect. The f32 adds and subtracts below only see normal numbers or
//! zero, so their results do not depend on denormal modes.
//!
//! Narrowing gives the canonical NaN of the narrow type for the canonical
//! NaN; for any other NaN its bits are unspecified (bf16's may be an
//! infinity or a zero), so kernels canonicalise before narrowing, or drop
//! those lanes (leaky ReLU's and PReLU's products where `x` is NaN).

use super::isa::{Float, Isa, Lanes};

/// `f32` and `f64` compute in themselves.
#[inline(always)]
pub(crate) unsafe fn same<V: Isa>(v: V) -> V {
    v
}

/// Every 32-bit lane set to the bits `x`.
#[inline(always)]
unsafe fn splat<V: Lanes<i32>>(x: u32) -> V {
    // SAFETY: the callers below have the ISA of `V`.
    unsafe { V::splat(x as i32) }
}

/// bf16 is the top half of an f32: shifting its bits up is exact.
#[inline(always)]
pub(crate) unsafe fn bf16_to_f32<V: Isa>(v: V) -> V {
    // SAFETY: forwarded from the caller.
    unsafe { <V as Lanes<i32>>::shl(v, 16) }
}

/// f32 to bf16, rounding to nearest even at bit 16: add `0x7fff` plus the
/// lowest kept bit, then drop 16 bits. A carry into the exponent is the right
/// answer (the next binade, or infinity); the canonical NaN `0x7fc0_0000`
/// gives `0x7fc0`.
#[inline(always)]
pub(crate) unsafe fn f32_to_bf16<V: Isa>(v: V) -> V {
    // SAFETY: forwarded from the caller.
    unsafe { f32_to_bf16_lanes::<V>(v) }
}

#[inline(always)]
unsafe fn f32_to_bf16_lanes<V: Lanes<i32>>(f: V) -> V {
    // SAFETY: forwarded from the caller.
    unsafe {
        let odd = f.shr(16).and(splat(1));
        f.add(splat(0x7fff)).add(odd).shr(16)
    }
}

/// f16 to f32, exactly (after Fabian Giesen's `half_to_float`): move the
/// exponent and mantissa into place and rebias; infinities and NaNs get an
/// all-ones exponent; zeros and subnormals become normal f32 numbers, and an
/// exact f32 subtraction removes the implicit bit.
#[inline(always)]
pub(crate) unsafe fn f16_to_f32<V: Isa>(v: V) -> V {
    // SAFETY: forwarded from the caller.
    unsafe { v.f16_to_f32() }
}

/// [`f16_to_f32`] in integer code: [`HalfFloat`](super::isa::HalfFloat)'s default.
#[inline(always)]
pub(crate) unsafe fn f16_to_f32_lanes<V: Lanes<i32> + Float<f32>>(h: V) -> V {
    /// f16's exponent field, moved to where f32's is.
    const EXPONENT: u32 = 0x7c00 << 13;
    // SAFETY: forwarded from the caller.
    unsafe {
        let o = h.and(splat(0x7fff)).shl(13);
        let exponent = o.and(splat(EXPONENT));
        let o = o.add(splat((127 - 15) << 23));
        let inf_nan = o.add(splat((128 - 16) << 23));
        // 2^-14 + m * 2^-24, minus 2^-14: exact.
        let magic = splat::<V>(113 << 23);
        let subnormal = o.add(splat(1 << 23)).fsub(magic);
        let o = V::select(V::eq(exponent, splat(EXPONENT)), inf_nan, o);
        let o = V::select(V::eq(exponent, splat(0)), subnormal, o);
        o.or(h.and(splat(0x8000)).shl(16))
    }
}

/// f32 to f16, rounding to nearest even (after Fabian Giesen's
/// `float_to_half_fast3_rtne`), on the magnitude, then the sign put back:
/// - at least 2^16 (or inf, NaN): infinity, or the canonical NaN `0x7e00`;
/// - below f16's normal range: adding 0.5 makes the f32 adder round to
///   f16's subnormal spacing (2^-24, the ulp of 0.5), and the mantissa bits
///   of the sum are the result;
/// - normal: rebias, add `0xfff` plus the lowest kept bit, drop 13 bits (a
///   carry past the largest finite f16 gives infinity, as it should).
#[inline(always)]
pub(crate) unsafe fn f32_to_f16<V: Isa>(v: V) -> V {
    // SAFETY: forwarded from the caller.
    unsafe { v.f32_to_f16() }
}

/// [`f32_to_f16`] in integer code: [`HalfFloat`](super::isa::HalfFloat)'s default.
#[inline(always)]
pub(crate) unsafe fn f32_to_f16_lanes<V: Lanes<i32> + Float<f32>>(f: V) -> V {
    const HALF: u32 = 126 << 23;
    // SAFETY: forwarded from the caller.
    unsafe {
        let sign = f.and(splat(0x8000_0000));
        let f = f.xor(sign);
        let big = V::select(V::gt(f, splat(0x7f80_0000)), splat(0x7e00), splat(0x7c00));
        let subnormal = f.fadd(splat(HALF)).add(splat(HALF.wrapping_neg()));
        let odd = f.shr(13).and(splat(1));
        let normal = f
            .add(splat(((15 - 127) << 23) as u32 + 0xfff))
            .add(odd)
            .shr(13);
        let o = V::select(V::gt(f, splat((113 << 23) - 1)), normal, subnormal);
        let o = V::select(V::gt(f, splat((143 << 23) - 1)), big, o);
        o.or(sign.shr(16))
    }
}
