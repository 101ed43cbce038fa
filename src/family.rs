//! The ReLU family on the [active](crate::Backend::active) backend: leaky
//! ReLU, PReLU, clamp and ReLU6, bias + ReLU, and ReLU with a count of the
//! zeros it made. The definitions, with their special cases, are in the
//! [crate docs](crate#the-relu-family).

use crate::{Element, Relu, Wide};

/// `relu_inplace`, returning how many outputs are `+0.0` (the units this
/// ReLU left dead, `+0.0` inputs included), counted in the same pass.
///
/// ```
/// let mut x = [-2.0f32, 0.0, 3.0, f32::NAN, -0.0];
/// assert_eq!(relu_simd::relu_inplace_count_zeros(&mut x), 3);
/// ```
///
/// # Panics
///
/// On first use, if `RELU_SIMD_BACKEND` is set to an invalid name.
#[inline]
pub fn relu_inplace_count_zeros<T: Element>(x: &mut [T]) -> usize {
    Relu::active().relu_inplace_count_zeros(x)
}

/// `relu`, returning how many outputs are `+0.0`.
///
/// ```
/// let mut dst = [0.0f32; 4];
/// let zeros = relu_simd::relu_count_zeros(&[1.0f32, -1.0, -2.0, 2.0], &mut dst);
/// assert_eq!((zeros, dst), (2, [1.0, 0.0, 0.0, 2.0]));
/// ```
///
/// # Panics
///
/// If `src.len() != dst.len()`, before anything is written.
#[inline]
pub fn relu_count_zeros<T: Element>(src: &[T], dst: &mut [T]) -> usize {
    Relu::active().relu_count_zeros(src, dst)
}

/// Leaky ReLU in place: `x` where `x > 0` or `x` is NaN (bits kept), else
/// `alpha * x`, computed in [`Wide<T>`] and rounded once to `T`.
///
/// ```
/// let mut x = [-2.0f32, -0.0, 3.0];
/// relu_simd::leaky_relu_inplace(&mut x, 0.25);
/// assert_eq!(x, [-0.5, -0.0, 3.0]);
/// assert!(x[1].is_sign_negative());
/// ```
///
/// # Panics
///
/// On first use, if `RELU_SIMD_BACKEND` is set to an invalid name.
#[inline]
pub fn leaky_relu_inplace<T: Element>(x: &mut [T], alpha: f32) {
    Relu::active().leaky_relu_inplace(x, alpha)
}

/// Leaky ReLU: `dst = src` where `src > 0` or NaN, else `alpha * src`.
///
/// ```
/// use relu_simd::half::bf16;
///
/// let src = [-4.0f32, 1.5].map(bf16::from_f32);
/// let mut dst = [bf16::ZERO; 2];
/// relu_simd::leaky_relu(&src, &mut dst, 0.01);
/// assert_eq!(dst, [bf16::from_f32(-0.04), bf16::from_f32(1.5)]);
/// ```
///
/// # Panics
///
/// If `src.len() != dst.len()`, before anything is written.
#[inline]
pub fn leaky_relu<T: Element>(src: &[T], dst: &mut [T], alpha: f32) {
    Relu::active().leaky_relu(src, dst, alpha)
}

/// Leaky ReLU gradient: `dx = dy` where `x > 0`, else `alpha * dy` (a NaN
/// `x` included, as PyTorch).
///
/// ```
/// let x = [-1.0f32, 0.0, 2.0];
/// let mut dx = [0.0f32; 3];
/// relu_simd::leaky_relu_backward(&x, &[8.0; 3], &mut dx, 0.5);
/// assert_eq!(dx, [4.0, 4.0, 8.0]);
/// ```
///
/// # Panics
///
/// If the three lengths differ, before anything is written.
#[inline]
pub fn leaky_relu_backward<T: Element>(x: &[T], dy: &[T], dx: &mut [T], alpha: f32) {
    Relu::active().leaky_relu_backward(x, dy, dx, alpha)
}

/// Parametric ReLU in place, one slope per channel, channels last: element
/// `i` uses `slopes[i % slopes.len()]` as leaky ReLU's `alpha`.
///
/// For channels-first data (`[channels][height * width]`), call it once per
/// channel plane with a one-element `slopes`.
///
/// ```
/// // Two rows of three channels.
/// let mut x = [-1.0f32, -1.0, -1.0, 2.0, -2.0, 2.0];
/// relu_simd::prelu_inplace(&mut x, &[0.0, 0.5, 1.0]);
/// assert_eq!(x, [-0.0, -0.5, -1.0, 2.0, -1.0, 2.0]);
/// ```
///
/// # Panics
///
/// If `slopes` is empty (and `x` is not) or `x.len()` is not a multiple of
/// `slopes.len()`, before anything is written.
#[inline]
pub fn prelu_inplace<T: Element>(x: &mut [T], slopes: &[T]) {
    Relu::active().prelu_inplace(x, slopes)
}

/// Parametric ReLU: as [`prelu_inplace`], from `src` to `dst`.
///
/// ```
/// let mut dst = [0.0f32; 4];
/// relu_simd::prelu(&[-4.0f32, -4.0, 1.0, 1.0], &mut dst, &[0.25, 0.5]);
/// assert_eq!(dst, [-1.0, -2.0, 1.0, 1.0]);
/// ```
///
/// # Panics
///
/// If the lengths of `src` and `dst` differ, or as [`prelu_inplace`].
#[inline]
pub fn prelu<T: Element>(src: &[T], dst: &mut [T], slopes: &[T]) {
    Relu::active().prelu(src, dst, slopes)
}

/// Parametric ReLU gradient: `dx` as [`leaky_relu_backward`] with each
/// channel's slope, and `dslopes[c] += x * dy` over the elements of channel
/// `c` where `x > 0` is false, added row by row in index order, in
/// [`Wide<T>`] (so every backend gives the same bits).
///
/// `dslopes` is added to, not overwritten: zero it first, or keep summing
/// over batches or channel planes. A NaN sum comes back as the canonical NaN.
///
/// ```
/// let x = [-1.0f32, 2.0, -3.0, 4.0];
/// let dy = [1.0f32; 4];
/// let (mut dx, mut dslopes) = ([0.0f32; 4], [0.0f32; 2]);
/// relu_simd::prelu_backward(&x, &dy, &mut dx, &[0.5, 0.5], &mut dslopes);
/// assert_eq!(dx, [0.5, 1.0, 0.5, 1.0]);
/// assert_eq!(dslopes, [-4.0, 0.0]);
/// ```
///
/// # Panics
///
/// If the lengths of `x`, `dy`, `dx` differ, if `dslopes.len() !=
/// slopes.len()`, or as [`prelu_inplace`]; before anything is written.
#[inline]
pub fn prelu_backward<T: Element>(
    x: &[T],
    dy: &[T],
    dx: &mut [T],
    slopes: &[T],
    dslopes: &mut [Wide<T>],
) {
    Relu::active().prelu_backward(x, dy, dx, slopes, dslopes)
}

/// Clamp in place: `min(max(x, lo), hi)` with IEEE 754-2019
/// `maximum`/`minimum` ordering (`-0.0 < +0.0`); NaNs keep their bits.
///
/// ```
/// let mut x = [-2.0f32, 0.5, 9.0, -0.0];
/// relu_simd::clamp_inplace(&mut x, 0.0, 1.0);
/// assert_eq!(x, [0.0, 0.5, 1.0, 0.0]);
/// assert!(x[3].is_sign_positive());
/// ```
///
/// # Panics
///
/// If a bound is NaN or `lo > hi` (`+0.0 > -0.0` counts), before anything is
/// written.
#[inline]
pub fn clamp_inplace<T: Element>(x: &mut [T], lo: T, hi: T) {
    Relu::active().clamp_inplace(x, lo, hi)
}

/// Clamp: as [`clamp_inplace`], from `src` to `dst`.
///
/// ```
/// let mut dst = [0.0f64; 3];
/// relu_simd::clamp(&[-5.0f64, 0.0, 5.0], &mut dst, -1.0, 1.0);
/// assert_eq!(dst, [-1.0, 0.0, 1.0]);
/// ```
///
/// # Panics
///
/// If the lengths differ, or as [`clamp_inplace`].
#[inline]
pub fn clamp<T: Element>(src: &[T], dst: &mut [T], lo: T, hi: T) {
    Relu::active().clamp(src, dst, lo, hi)
}

/// Clamp gradient: `dx = dy` where `lo < x < hi` (with `-0.0 < +0.0`) or `x`
/// is NaN, else `+0.0`.
///
/// ```
/// let mut dx = [0.0f32; 3];
/// relu_simd::clamp_backward(&[0.0f32, 0.5, 1.0], &[7.0; 3], &mut dx, 0.0, 1.0);
/// assert_eq!(dx, [0.0, 7.0, 0.0]);
/// ```
///
/// # Panics
///
/// If the three lengths differ, or as [`clamp_inplace`].
#[inline]
pub fn clamp_backward<T: Element>(x: &[T], dy: &[T], dx: &mut [T], lo: T, hi: T) {
    Relu::active().clamp_backward(x, dy, dx, lo, hi)
}

/// ReLU6 in place: [`clamp_inplace`] to `[+0.0, 6.0]`, so `-0.0` gives
/// `+0.0` as in [`relu_inplace`](crate::relu_inplace).
///
/// ```
/// let mut x = [-1.0f32, 3.0, 7.0];
/// relu_simd::relu6_inplace(&mut x);
/// assert_eq!(x, [0.0, 3.0, 6.0]);
/// ```
#[inline]
pub fn relu6_inplace<T: Element>(x: &mut [T]) {
    Relu::active().relu6_inplace(x)
}

/// ReLU6: [`clamp`] to `[+0.0, 6.0]`.
///
/// ```
/// let mut dst = [0.0f32; 2];
/// relu_simd::relu6(&[-1.0f32, 8.0], &mut dst);
/// assert_eq!(dst, [0.0, 6.0]);
/// ```
///
/// # Panics
///
/// If the lengths differ, before anything is written.
#[inline]
pub fn relu6<T: Element>(src: &[T], dst: &mut [T]) {
    Relu::active().relu6(src, dst)
}

/// ReLU6 gradient: [`clamp_backward`] with bounds `+0.0` and `6.0`.
///
/// ```
/// let mut dx = [0.0f32; 3];
/// relu_simd::relu6_backward(&[0.0f32, 3.0, 6.0], &[1.0; 3], &mut dx);
/// assert_eq!(dx, [0.0, 1.0, 0.0]);
/// ```
///
/// # Panics
///
/// If the three lengths differ, before anything is written.
#[inline]
pub fn relu6_backward<T: Element>(x: &[T], dy: &[T], dx: &mut [T]) {
    Relu::active().relu6_backward(x, dy, dx)
}

/// Bias add and ReLU in one pass, channels last: `x = relu(x + bias[i %
/// bias.len()])`, the sum computed in [`Wide<T>`] and rounded once to `T`.
///
/// ```
/// let mut x = [1.0f32, 1.0, -1.0, -1.0];
/// relu_simd::bias_relu_inplace(&mut x, &[-2.0, 0.5]);
/// assert_eq!(x, [0.0, 1.5, 0.0, 0.0]);
/// ```
///
/// # Panics
///
/// If `bias` is empty (and `x` is not) or `x.len()` is not a multiple of
/// `bias.len()`, before anything is written.
#[inline]
pub fn bias_relu_inplace<T: Element>(x: &mut [T], bias: &[T]) {
    Relu::active().bias_relu_inplace(x, bias)
}

/// Bias add and ReLU: as [`bias_relu_inplace`], from `src` to `dst`.
///
/// ```
/// use relu_simd::half::f16;
///
/// let src = [0.5f32, -3.0].map(f16::from_f32);
/// let mut dst = [f16::ZERO; 2];
/// relu_simd::bias_relu(&src, &[f16::ONE], &mut dst);
/// assert_eq!(dst, [f16::from_f32(1.5), f16::ZERO]);
/// ```
///
/// # Panics
///
/// If the lengths of `src` and `dst` differ, or as [`bias_relu_inplace`].
#[inline]
pub fn bias_relu<T: Element>(src: &[T], bias: &[T], dst: &mut [T]) {
    Relu::active().bias_relu(src, bias, dst)
}

/// Bias + ReLU gradient, from the forward output `y`: `dx =
/// relu_backward(y, dy)`, and `dbias[c] += dx` over channel `c`'s elements,
/// row by row in index order, in [`Wide<T>`]. The number of channels is
/// `dbias.len()`.
///
/// `dbias` is added to, not overwritten: zero it first. A NaN sum comes back
/// as the canonical NaN.
///
/// ```
/// let y = [0.0f32, 1.0, 2.0, 0.0];
/// let dy = [1.0f32, 2.0, 3.0, 4.0];
/// let (mut dx, mut dbias) = ([0.0f32; 4], [0.0f32; 2]);
/// relu_simd::bias_relu_backward(&y, &dy, &mut dx, &mut dbias);
/// assert_eq!(dx, [0.0, 2.0, 3.0, 0.0]);
/// assert_eq!(dbias, [3.0, 2.0]);
/// ```
///
/// # Panics
///
/// If the lengths of `y`, `dy`, `dx` differ, or `dbias` is empty (and `y` is
/// not) or its length does not divide `y.len()`; before anything is written.
#[inline]
pub fn bias_relu_backward<T: Element>(y: &[T], dy: &[T], dx: &mut [T], dbias: &mut [Wide<T>]) {
    Relu::active().bias_relu_backward(y, dy, dx, dbias)
}
