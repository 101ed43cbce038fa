//! The reference: each definition written as plainly as possible, one element
//! at a time. Every other backend is tested against these.

use crate::element::{Format, WideFloat, Widen};

/// `x > 0` or `x` is NaN (the only value not equal to itself).
#[inline(always)]
fn positive_or_nan<T: Widen>(x: T) -> bool {
    #[allow(clippy::eq_op)]
    let nan = x != x;
    x > T::POSITIVE_ZERO || nan
}

/// `a < b` in IEEE 754 total order restricted to non-NaNs: numeric order,
/// with `-0.0 < +0.0`.
#[inline(always)]
pub(crate) fn less<T: Format>(a: T, b: T) -> bool {
    let negative = |v: T| bytemuck::cast::<T, T::Bits>(v).into() < 0;
    a < b || (a == b && negative(a) && !negative(b))
}

/// A computed result rounded to `T`, its NaNs replaced by the canonical NaN
/// (CPUs disagree on which NaN arithmetic returns).
#[inline(always)]
fn round<T: Widen>(w: T::Wide) -> T {
    if w.is_nan() { T::NAN } else { T::from_wide(w) }
}

/// A finished sum, its NaNs canonical (the payload of a NaN sum depends on
/// the CPU).
#[inline(always)]
fn canonical<W: WideFloat>(w: W) -> W {
    if w.is_nan() { W::NAN } else { w }
}

/// Canonicalises `channels` sums at `sums`.
///
/// # Safety
/// `sums` is readable and writable for `channels` elements.
unsafe fn canonical_sums<W: WideFloat>(sums: *mut W, channels: usize) {
    for c in 0..channels {
        // SAFETY: `c < channels`.
        unsafe { *sums.add(c) = canonical(*sums.add(c)) }
    }
}

/// ReLU: `x` if `x > 0` or `x` is NaN (returned with its exact bits), else
/// `+0` (so `-0.0` and `-inf` give `+0.0`).
#[inline(always)]
pub(crate) fn relu<T: Widen>(x: T) -> T {
    if positive_or_nan(x) {
        x
    } else {
        T::POSITIVE_ZERO
    }
}

/// ReLU gradient: `dy` if `x > 0` or `x` is NaN, else `+0` (relu'(0) = 0, as
/// PyTorch's `threshold_backward`).
#[inline(always)]
pub(crate) fn relu_backward<T: Widen>(x: T, dy: T) -> T {
    if positive_or_nan(x) {
        dy
    } else {
        T::POSITIVE_ZERO
    }
}

/// Leaky ReLU: `x` if `x > 0` or NaN, else `alpha * x`.
#[inline(always)]
pub(crate) fn leaky_relu<T: Widen>(x: T, alpha: T::Wide) -> T {
    if positive_or_nan(x) {
        x
    } else {
        round(alpha * x.to_wide())
    }
}

/// Leaky ReLU gradient: `dy` if `x > 0`, else `alpha * dy` (NaN `x` included,
/// as PyTorch).
#[inline(always)]
pub(crate) fn leaky_relu_backward<T: Widen>(x: T, dy: T, alpha: T::Wide) -> T {
    if x > T::POSITIVE_ZERO {
        dy
    } else {
        round(alpha * dy.to_wide())
    }
}

/// `min(max(x, lo), hi)` with `-0.0 < +0.0`; NaN kept.
#[inline(always)]
pub(crate) fn clamp<T: Widen>(x: T, lo: T, hi: T) -> T {
    #[allow(clippy::eq_op)]
    if x != x {
        x
    } else if less(x, lo) {
        lo
    } else if less(hi, x) {
        hi
    } else {
        x
    }
}

/// Clamp gradient: `dy` where `lo < x < hi` (with `-0.0 < +0.0`) or `x` is
/// NaN, else `+0`.
#[inline(always)]
pub(crate) fn clamp_backward<T: Widen>(x: T, dy: T, lo: T, hi: T) -> T {
    #[allow(clippy::eq_op)]
    let nan = x != x;
    if nan || (less(lo, x) && less(x, hi)) {
        dy
    } else {
        T::POSITIVE_ZERO
    }
}

/// `relu(x + bias)`, the sum rounded once to `T`.
#[inline(always)]
fn bias_relu<T: Widen>(x: T, bias: T) -> T {
    relu(round::<T>(x.to_wide() + bias.to_wide()))
}

/// `dst[i] = f(src[i])`.
///
/// # Safety
/// `src` readable and `dst` writable for `len` elements; they may be equal.
pub(crate) unsafe fn each<T: Widen>(src: *const T, dst: *mut T, len: usize, f: impl Fn(T) -> T) {
    for i in 0..len {
        // SAFETY: `i < len`; element `i` is read before it is written.
        unsafe { *dst.add(i) = f(*src.add(i)) }
    }
}

/// `out[i] = f(a[i], b[i])`.
///
/// # Safety
/// `a`, `b` readable and `out` writable for `len` elements; `out` may equal an input.
pub(crate) unsafe fn each2<T: Widen>(
    a: *const T,
    b: *const T,
    out: *mut T,
    len: usize,
    f: impl Fn(T, T) -> T,
) {
    for i in 0..len {
        // SAFETY: `i < len`; element `i` is read before it is written.
        unsafe { *out.add(i) = f(*a.add(i), *b.add(i)) }
    }
}

/// `dst[i] = relu(src[i])`, returning how many `dst[i]` are `+0`.
///
/// # Safety
/// As [`each`].
pub(crate) unsafe fn relu_count_inactive<T: Widen>(
    src: *const T,
    dst: *mut T,
    len: usize,
) -> usize {
    let mut zeros = 0;
    for i in 0..len {
        // SAFETY: `i < len`; element `i` is read before it is written.
        let y = unsafe { relu(*src.add(i)) };
        zeros += usize::from(bytemuck::bytes_of(&y).iter().all(|&b| b == 0));
        // SAFETY: as above.
        unsafe { *dst.add(i) = y }
    }
    zeros
}

/// PReLU: `dst[i] = leaky_relu(src[i], slopes[i % channels])`.
///
/// # Safety
/// As [`each`]; `slopes` readable for `channels` elements, `channels` divides `len`.
pub(crate) unsafe fn prelu<T: Widen>(
    src: *const T,
    dst: *mut T,
    len: usize,
    slopes: *const T,
    channels: usize,
) {
    for i in 0..len {
        // SAFETY: `i < len`, `i % channels < channels`; read before write.
        unsafe {
            let slope = (*slopes.add(i % channels)).to_wide();
            *dst.add(i) = leaky_relu(*src.add(i), slope);
        }
    }
}

/// PReLU gradient: `dx[i] = leaky_relu_backward(x[i], dy[i], slopes[c])`,
/// and `dslopes[c] += x[i] * dy[i]` where `x[i] > 0` is false, in index
/// order (`c = i % channels`).
///
/// # Safety
/// As [`each2`]; `slopes` readable and `dslopes` readable and writable for
/// `channels` elements, `channels` divides `len`.
pub(crate) unsafe fn prelu_backward<T: Widen>(
    x: *const T,
    dy: *const T,
    dx: *mut T,
    len: usize,
    slopes: *const T,
    channels: usize,
    dslopes: *mut T::Wide,
) {
    for i in 0..len {
        // SAFETY: `i < len`, `i % channels < channels`; read before write.
        unsafe {
            let c = i % channels;
            let (x, dy) = (*x.add(i), *dy.add(i));
            *dx.add(i) = leaky_relu_backward(x, dy, (*slopes.add(c)).to_wide());
            let positive = x > T::POSITIVE_ZERO;
            if !positive {
                *dslopes.add(c) = *dslopes.add(c) + x.to_wide() * dy.to_wide();
            }
        }
    }
    // SAFETY: `dslopes` holds `channels` sums.
    unsafe { canonical_sums(dslopes, channels) }
}

/// Bias + ReLU: `dst[i] = bias_relu(src[i], bias[i % channels])`.
///
/// # Safety
/// As [`prelu`], with `bias` for `slopes`.
pub(crate) unsafe fn bias_relu_channels<T: Widen>(
    src: *const T,
    dst: *mut T,
    len: usize,
    bias: *const T,
    channels: usize,
) {
    for i in 0..len {
        // SAFETY: `i < len`, `i % channels < channels`; read before write.
        unsafe { *dst.add(i) = bias_relu(*src.add(i), *bias.add(i % channels)) }
    }
}

/// Bias + ReLU gradient from the output `y`: `dx[i] = relu_backward(y[i],
/// dy[i])`, and `dbias[c] += dx[i]` in index order (`c = i % channels`).
///
/// # Safety
/// As [`each2`]; `dbias` readable and writable for `channels` elements,
/// `channels` divides `len`.
pub(crate) unsafe fn bias_relu_backward<T: Widen>(
    y: *const T,
    dy: *const T,
    dx: *mut T,
    len: usize,
    channels: usize,
    dbias: *mut T::Wide,
) {
    for i in 0..len {
        // SAFETY: `i < len`, `i % channels < channels`; read before write.
        unsafe {
            let d = relu_backward(*y.add(i), *dy.add(i));
            *dx.add(i) = d;
            let sum = dbias.add(i % channels);
            *sum = *sum + d.to_wide();
        }
    }
    // SAFETY: `dbias` holds `channels` sums.
    unsafe { canonical_sums(dbias, channels) }
}
