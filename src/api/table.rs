//! The table of operations: one row per operation and direction, the
//! kernel that runs it, its parameters and how they become the kernel's
//! operands, and its docs (the free function's; the other forms link to it).

use super::{Activations, Operands, assume_init};
use crate::element::{Element, Wide};
use crate::kernels;
use core::mem::MaybeUninit;

/// Calls `$callback! { .. }` with the rows of the table of operations, as
/// written below: how the crate generates its functions (`operations!`) and
/// its parallel forms (`par_operations!` in `par.rs`), and how other crates of
/// the workspace derive theirs (the C API in `capi/`), so that a new row
/// reaches them all. Not part of the public API.
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_operation {
    ($callback:ident) => {
        $callback! {
            /// ReLU: `dst[i] = max(+0, src[i])`: `src[i]` where it is `> 0` or NaN
            /// (bits kept), else `+0.0` (so `-0.0` gives `+0.0`).
            ///
            /// ```
            /// let src = [-2.0f64, -0.0, 0.0, 1.0, f64::NAN];
            /// let mut dst = [1.0f64; 5];
            /// relu_simd::relu(&src, &mut dst);
            /// assert_eq!(dst[..4], [0.0, 0.0, 0.0, 1.0]);
            /// assert!(dst[1].is_sign_positive() && dst[4].is_nan());
            /// ```
            ///
            /// # Panics
            ///
            /// If `src.len() != dst.len()` (the message names both), before anything
            /// is written; on first use, if `RELU_SIMD_BACKEND` is invalid.
            forward ReluForward: relu, relu_inplace, relu_uninit () => Operands::NONE;

            /// ReLU gradient: `dx[i] = dy[i]` where `x[i] > 0` or `x[i]` is NaN,
            /// else `+0.0` (relu'(0) = 0). `x` may be the forward input or its
            /// output: both give the same `dx`.
            ///
            /// ```
            /// let (x, dy) = ([-2.0f32, 0.0, 3.0], [10.0f32, 20.0, 30.0]);
            /// let mut dx = [0.0f32; 3];
            /// relu_simd::relu_backward(&x, &dy, &mut dx);
            /// assert_eq!(dx, [0.0, 0.0, 30.0]);
            /// ```
            ///
            /// # Panics
            ///
            /// If the three lengths differ (the message names them), before anything
            /// is written.
            backward ReluGradient: relu_backward, relu_backward_inplace, relu_backward_uninit (x;)
                => Operands::NONE;

            /// ReLU, returning how many outputs are `+0.0`: the units this ReLU left
            /// inactive (`+0.0` and `-0.0` inputs included), counted in the same pass.
            ///
            /// ```
            /// let mut dst = [0.0f32; 5];
            /// let inactive = relu_simd::relu_count_inactive(&[-2.0f32, 0.0, 3.0, f32::NAN, -0.0], &mut dst);
            /// assert_eq!(inactive, 3);
            /// ```
            ///
            /// # Panics
            ///
            /// If `src.len() != dst.len()`, before anything is written.
            count ReluCountInactive: relu_count_inactive, relu_count_inactive_inplace,
                relu_count_inactive_uninit () => Operands::NONE;

            /// Leaky ReLU: `dst[i] = src[i]` where `src[i] > 0` or NaN (bits kept),
            /// else `alpha * src[i]`, computed in [`Wide<T>`] and rounded once to `T`
            /// (a NaN product is the canonical NaN).
            ///
            /// ```
            /// use relu_simd::half::bf16;
            ///
            /// let src = [-4.0f32, -0.0, 1.5].map(bf16::from_f32);
            /// let mut dst = [bf16::ZERO; 3];
            /// relu_simd::leaky_relu(&src, &mut dst, 0.01);
            /// assert_eq!(dst, [bf16::from_f32(-0.04), bf16::NEG_ZERO, bf16::from_f32(1.5)]);
            ///
            /// // `alpha` is in the type's arithmetic: f64 for f64.
            /// let mut y = [0.0f64; 1];
            /// relu_simd::leaky_relu(&[-1.0f64], &mut y, 0.01f64);
            /// assert_eq!(y, [-0.01]);
            /// ```
            ///
            /// # Panics
            ///
            /// If `src.len() != dst.len()`, before anything is written.
            forward LeakyReluForward: leaky_relu, leaky_relu_inplace, leaky_relu_uninit
                (alpha: Wide<T>) => Operands::alpha(alpha);

            /// Leaky ReLU gradient: `dx[i] = dy[i]` where `x[i] > 0`, else
            /// `alpha * dy[i]` (a NaN `x[i]` included, as PyTorch), rounded once.
            ///
            /// ```
            /// let mut dx = [0.0f32; 3];
            /// relu_simd::leaky_relu_backward(&[-1.0f32, 0.0, 2.0], &[8.0; 3], &mut dx, 0.5);
            /// assert_eq!(dx, [4.0, 4.0, 8.0]);
            /// ```
            ///
            /// # Panics
            ///
            /// If the three lengths differ, before anything is written.
            backward LeakyReluGradient: leaky_relu_backward, leaky_relu_backward_inplace,
                leaky_relu_backward_uninit (x; alpha: Wide<T>) => Operands::alpha(alpha);

            /// Parametric ReLU, one slope per channel, channels last: element `i`
            /// is leaky ReLU with `alpha = slopes[i % slopes.len()]`. For
            /// channels-first data, call it once per channel plane with a
            /// one-element `slopes`.
            ///
            /// ```
            /// // Two rows of two channels.
            /// let mut dst = [0.0f32; 4];
            /// relu_simd::prelu(&[-4.0f32, -4.0, 1.0, 1.0], &mut dst, &[0.25, 0.5]);
            /// assert_eq!(dst, [-1.0, -2.0, 1.0, 1.0]);
            /// ```
            ///
            /// # Panics
            ///
            /// If `src.len() != dst.len()`, or `src.len()` is not a multiple of
            /// `slopes.len()` (an empty `slopes` only fits an empty `src`), before
            /// anything is written.
            forward PreluForward: prelu, prelu_inplace, prelu_uninit
                (slopes: &[T]) => Operands::channel("slopes", slopes);

            /// Parametric ReLU gradient: `dx` as [`leaky_relu_backward`] with each
            /// channel's slope, and `dslopes[c] += x * dy` over the elements of
            /// channel `c` where `x > 0` is false, added row by row in index order in
            /// [`Wide<T>`] (so every backend gives the same bits). `dslopes` is added
            /// to, not overwritten; a NaN sum comes back as the canonical NaN.
            ///
            /// ```
            /// let (x, dy) = ([-1.0f32, 2.0, -3.0, 4.0], [1.0f32; 4]);
            /// let (mut dx, mut dslopes) = ([0.0f32; 4], [0.0f32; 2]);
            /// relu_simd::prelu_backward(&x, &dy, &mut dx, &[0.5, 0.5], &mut dslopes);
            /// assert_eq!(dx, [0.5, 1.0, 0.5, 1.0]);
            /// assert_eq!(dslopes, [-4.0, 0.0]);
            /// ```
            ///
            /// # Panics
            ///
            /// If the lengths of `x`, `dy`, `dx` differ, `dslopes.len() !=
            /// slopes.len()`, or as [`prelu`]; before anything is written.
            backward PreluGradient: prelu_backward, prelu_backward_inplace, prelu_backward_uninit
                (x; slopes: &[T], dslopes: &mut [Wide<T>])
                => Operands::channel("slopes", slopes).sums("dslopes", dslopes);

            /// Clamp: `min(max(src[i], lo), hi)` with IEEE 754-2019
            /// `maximum`/`minimum` ordering (`-0.0 < +0.0`); NaNs keep their bits.
            ///
            /// ```
            /// let mut dst = [1.0f64; 4];
            /// relu_simd::clamp(&[-5.0f64, 0.5, 5.0, -0.0], &mut dst, 0.0, 1.0);
            /// assert_eq!(dst, [0.0, 0.5, 1.0, 0.0]);
            /// assert!(dst[3].is_sign_positive());
            /// ```
            ///
            /// # Panics
            ///
            /// If the lengths differ, a bound is NaN or `lo > hi` (`-0.0 < +0.0`
            /// counts), before anything is written.
            forward ClampForward: clamp, clamp_inplace, clamp_uninit (lo: T, hi: T)
                => Operands::bounds(lo, hi);

            /// Clamp gradient: `dx[i] = dy[i]` where `lo < x[i] < hi` (with `-0.0 <
            /// +0.0`) or `x[i]` is NaN, else `+0.0`.
            ///
            /// ```
            /// let mut dx = [0.0f32; 3];
            /// relu_simd::clamp_backward(&[0.0f32, 0.5, 1.0], &[7.0; 3], &mut dx, 0.0, 1.0);
            /// assert_eq!(dx, [0.0, 7.0, 0.0]);
            /// ```
            ///
            /// # Panics
            ///
            /// If the three lengths differ, or as [`clamp`].
            backward ClampGradient: clamp_backward, clamp_backward_inplace, clamp_backward_uninit
                (x; lo: T, hi: T) => Operands::bounds(lo, hi);

            /// ReLU6: [`clamp`] to `[+0.0, 6.0]`, so `-0.0` gives `+0.0` as in
            /// [`relu`].
            ///
            /// ```
            /// let mut dst = [0.0f32; 3];
            /// relu_simd::relu6(&[-1.0f32, 3.0, 8.0], &mut dst);
            /// assert_eq!(dst, [0.0, 3.0, 6.0]);
            /// ```
            ///
            /// # Panics
            ///
            /// If the lengths differ, before anything is written.
            forward ClampForward: relu6, relu6_inplace, relu6_uninit () => Operands::relu6();

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
            backward ClampGradient: relu6_backward, relu6_backward_inplace, relu6_backward_uninit (x;)
                => Operands::relu6();

            /// Bias add and ReLU in one pass, channels last: `dst[i] = relu(src[i] +
            /// bias[i % bias.len()])`, the sum computed in [`Wide<T>`] and rounded
            /// once to `T`.
            ///
            /// ```
            /// use relu_simd::half::f16;
            ///
            /// let src = [0.5f32, -3.0].map(f16::from_f32);
            /// let mut dst = [f16::ZERO; 2];
            /// relu_simd::bias_relu(&src, &mut dst, &[f16::ONE]);
            /// assert_eq!(dst, [f16::from_f32(1.5), f16::ZERO]);
            /// ```
            ///
            /// # Panics
            ///
            /// If `src.len() != dst.len()`, or `src.len()` is not a multiple of
            /// `bias.len()` (an empty `bias` only fits an empty `src`), before
            /// anything is written.
            forward BiasReluForward: bias_relu, bias_relu_inplace, bias_relu_uninit
                (bias: &[T]) => Operands::channel("bias", bias);

            /// Bias + ReLU gradient, from the forward output `y`: `dx =
            /// relu_backward(y, dy)`, and `dbias[c] += dx` over channel `c`'s
            /// elements, row by row in index order, in [`Wide<T>`]. The number of
            /// channels is `dbias.len()`. `dbias` is added to, not overwritten; a NaN
            /// sum comes back as the canonical NaN.
            ///
            /// ```
            /// let (y, dy) = ([0.0f32, 1.0, 2.0, 0.0], [1.0f32, 2.0, 3.0, 4.0]);
            /// let (mut dx, mut dbias) = ([0.0f32; 4], [0.0f32; 2]);
            /// relu_simd::bias_relu_backward(&y, &dy, &mut dx, &mut dbias);
            /// assert_eq!(dx, [0.0, 2.0, 3.0, 0.0]);
            /// assert_eq!(dbias, [3.0, 2.0]);
            /// ```
            ///
            /// # Panics
            ///
            /// If the lengths of `y`, `dy`, `dx` differ, or `y.len()` is not a
            /// multiple of `dbias.len()`; before anything is written.
            backward BiasReluGradient: bias_relu_backward, bias_relu_backward_inplace,
                bias_relu_backward_uninit (y; dbias: &mut [Wide<T>]) => Operands::NONE.sums("dbias", dbias);
        }
    };
}

for_each_operation!(operations);
