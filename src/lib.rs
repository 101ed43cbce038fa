//! Exact SIMD ReLU for `f32`, `f64`, `f16` and `bf16` slices, with the kernel
//! chosen at run time for the CPU: AVX-512, AVX2, NEON, a portable `wide`
//! path, or the scalar reference.
//!
//! ```
//! let mut x = [-2.0f32, -1.0, 0.0, 1.0, 2.0];
//! relu_simd::relu_inplace(&mut x);
//! assert_eq!(x, [0.0, 0.0, 0.0, 1.0, 2.0]);
//! ```
//!
//! # The contract
//!
//! Every backend returns exactly these bits, for every input bit pattern, on
//! every CPU. It is IEEE 754-2019 `maximum(x, +0)` with NaN payloads kept:
//!
//! | input `x`                                                  | `relu(x)`           |
//! |------------------------------------------------------------|---------------------|
//! | `x > 0`: positive normals and subnormals, `+inf`            | `x`                 |
//! | `x <= 0`: `+0.0`, `-0.0`, negatives, negative subnormals, `-inf` | `+0.0`         |
//! | NaN of either sign, any payload, quiet or signalling        | `x`, bit for bit    |
//!
//! The gradient, given the forward input `x` and the upstream gradient `dy`:
//!
//! | input `x`                       | `relu_backward(x, dy)` |
//! |---------------------------------|------------------------|
//! | `x > 0`                         | `dy`                   |
//! | NaN                             | `dy`                   |
//! | `x <= 0` (`relu'(0)` = 0, as PyTorch's `threshold_backward`) | `+0.0` |
//!
//! Passing the forward *output* `y = relu(x)` instead of `x` gives the same
//! `dx`: `y > 0` or NaN exactly where `x` was, and `y = +0.0` elsewhere.
//!
//! Where common shortcuts differ:
//!
//! | expression                  | NaN input           | `-0.0` input |
//! |-----------------------------|---------------------|--------------|
//! | this crate                  | returned, same bits | `+0.0`       |
//! | `f32::max(x, 0.0)`          | `0.0` (NaN dropped) | `+0.0` or `-0.0` (unspecified) |
//! | `_mm256_max_ps(x, zero)`    | `0.0` (returns the second operand when either is NaN) | `+0.0` |
//! | `np.maximum(0, x)` (f32)    | NaN                 | `-0.0`       |
//!
//! The SIMD kernels compare the floats' bit patterns as integers (see
//! `src/kernel/steps.rs`), so their result does not depend on the CPU's denormal
//! or flush-to-zero modes, and signalling NaNs are never quieted. The scalar
//! reference uses float compares and, like any Rust code, assumes the default
//! floating-point environment.
//!
//! # The ReLU family
//!
//! The same exactness, for the operations engines use next to ReLU. Each has
//! an in-place form (`*_inplace`), an out-of-place form, and a gradient
//! (`*_backward`); all run on every backend and give the scalar reference's
//! bits. Two rules cover every special case:
//!
//! - **Passed through, bit for bit.** Where a definition returns an input (`x`,
//!   `dy`, a bound), the output has that input's exact bits, NaN payloads and
//!   signalling NaNs included.
//! - **Computed once, then rounded once.** Where it computes (`alpha * x`,
//!   `x + bias`), the result is one IEEE multiply or add in [`Wide<T>`]
//!   (`f32` for `f16`, `bf16`, `f32`; `f64` for `f64`), rounded to nearest
//!   even, then rounded once to `T`. No fused multiply-add. A NaN result is
//!   the canonical quiet NaN (`0x7fc0_0000` for `f32`, `0x7e00` for `f16`,
//!   `0x7fc0` for `bf16`, `0x7ff8_0000_0000_0000` for `f64`): x86 and ARM
//!   return different NaNs from the same arithmetic, so none of them is kept.
//!
//! | operation | forward `y` | gradient `dx` |
//! |-----------|-------------|---------------|
//! | [`leaky_relu`] (`alpha: Wide<T>`) | `x` if `x > 0` or NaN, else `alpha * x` (`-0.0` gives `alpha * -0.0`; `-inf` with `alpha = 0` gives NaN) | `dy` if `x > 0`, else `alpha * dy` (NaN `x` included, as PyTorch) |
//! | [`prelu`] (`slopes: &[T]`) | leaky ReLU with `alpha = slopes[i % slopes.len()]` (channels last) | as leaky ReLU; `dslopes[c] += x * dy` where `x > 0` is false, row by row |
//! | [`clamp`] (`lo, hi: T`) | `min(max(x, lo), hi)` with `-0.0 < +0.0`; NaN kept | `dy` if `lo < x < hi` or NaN, else `+0.0` |
//! | [`relu6`] | `clamp(x, +0.0, 6.0)`: `-0.0` gives `+0.0`, like `relu` | `dy` if `0 < x < 6` or NaN, else `+0.0` |
//! | [`bias_relu`] (`bias: &[T]`) | `relu(x + bias[i % bias.len()])` | from `y`: `relu_backward(y, dy)`; `dbias[c] += dx`, row by row |
//! | [`relu_count_inactive`] | `relu(x)`, and returns how many `y` are `+0.0` | (use [`relu_backward`]) |
//!
//! Per-channel operands (`slopes`, `bias`) repeat along the slice, so channels
//! are the last (fastest) dimension; a slice whose length is not a multiple of
//! theirs panics before anything is written. Channels-first callers call once
//! per channel plane with a one-element operand. Gradients of per-channel
//! operands (`dslopes`, `dbias`, of type `&mut [Wide<T>]`) are added to, one
//! row after the other in index order, so the sums are the same on every
//! backend (and as slow as that order allows when there are few channels). A
//! sum that is NaN, or a NaN passed in as a starting value, comes back as the
//! canonical NaN.
//!
//! Compared with the other definitions in use:
//!
//! | case | relu-simd | PyTorch 2.15 (CPU) | ONNX (operator function bodies; onnxruntime) |
//! |---|---|---|---|
//! | `relu(-0.0)` | `+0.0` | `-0.0` | unspecified: onnxruntime `-0.0`, reference evaluator `+0.0` |
//! | `relu'(0)` | `0` | `0` (`threshold_backward`) | no gradients specified |
//! | `leaky_relu(±0.0)` | `alpha * ±0.0` | `alpha * ±0.0` (`x > 0 ? x : x * slope`) | `±0.0` unchanged (`x < 0 ? alpha * x : x`) |
//! | leaky/PReLU gradient at `x = 0` or NaN | `alpha * dy` | `alpha * dy` | no gradients specified |
//! | default `alpha` | none (an argument) | `0.01` | `0.01` |
//! | PReLU slope layout | channels last: `slopes[i % C]` | one weight per channel on dim 1 (channels first) | broadcast from the trailing axis: `[C]` is the last axis (W for NCHW), `[C, 1, 1]` per channel |
//! | PReLU slope gradient | `x * dy` summed where `x > 0` is false | same condition (`mask = x > 0`) | no gradients specified |
//! | `clamp(-0.0, +0.0, hi)`, `relu6(-0.0)` | `+0.0` | `-0.0` | `-0.0` |
//! | NaN input to clamp | kept, same bits | NaN | NaN |
//! | NaN bound | panics | every output NaN | onnxruntime ignores the bound |
//! | `lo > hi` | panics | every output `hi` (`F.hardtanh` raises) | every output `max` |
//! | clamp gradient at a bound | `0` | `0` for scalar bounds | no gradients specified |
//! | clamp/ReLU6 gradient at NaN | `dy` | clamp `0`; hardtanh/ReLU6 `0` or `dy` depending on the element's position (pytorch#195075) | no gradients specified |
//! | NaN from arithmetic (`0 * inf`, `inf - inf`) | canonical quiet NaN | the CPU's NaN | the runtime's NaN |
//!
//! ONNX's specifications say nothing about NaN, `-0.0` or gradients; the ONNX
//! column is what each operator's function body implies and what onnxruntime
//! 1.32 returned. PyTorch figures were measured with torch 2.15.0 on an AVX-512
//! CPU. Where relu-simd differs, it is on purpose: `-0.0` below a `+0.0` bound is
//! IEEE 754-2019 `maximum`, and computed NaNs must not depend on the CPU.
//!
//! Clamp and count are integer-only like ReLU. Leaky ReLU, PReLU and bias +
//! ReLU use the CPU's float add and multiply (`f16`/`bf16` are widened and
//! narrowed with integer code, not F16C), and, like all Rust code, assume the
//! default floating-point environment (round to nearest, no flush to zero).
//!
//! # Choosing the backend
//!
//! The free functions run [`Backend::active`]: the best backend the CPU
//! supports, detected once with `cpufeatures` and cached. With the default
//! `std` feature, the environment variable `RELU_SIMD_BACKEND`
//! (`scalar`, `portable`, `avx2`, `avx512` or `neon`) overrides it; an unknown
//! or unsupported name panics at first use with the list of supported ones.
//! To run one backend explicitly, use a [`Activations`] from [`Activations::new`].
//!
//! # Half precision and raw bits
//!
//! [`half::f16`] and [`half::bf16`] work like `f32`, directly on their 16-bit
//! patterns (no conversion to `f32`, no F16C). Engines that keep half floats as
//! `u16` bits can view them as such with `bytemuck`, without copying:
//!
//! ```
//! use relu_simd::half::f16;
//!
//! let mut bits: Vec<u16> = [-1.5f32, 0.5, -0.0, 2.0].map(|v| f16::from_f32(v).to_bits()).to_vec();
//! relu_simd::relu_inplace(relu_simd::bytemuck::cast_slice_mut::<u16, f16>(&mut bits));
//! assert_eq!(bits, [0x0000, f16::from_f32(0.5).to_bits(), 0x0000, f16::from_f32(2.0).to_bits()]);
//! ```
//!
//! # Features
//!
//! - `std` (default): caches detection through `std` and reads
//!   `RELU_SIMD_BACKEND`. Without it the crate is `#![no_std]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

#[cfg(feature = "std")]
extern crate std;

// In layers, each using only those above it: the float formats; the SIMD
// kernel framework; the ISAs and the scalar reference; the kernels (one per
// operation and direction); dispatch; the public API.
mod api;
mod arch;
mod backend;
mod dispatch;
mod element;
mod kernel;
mod kernels;
mod scalar;

pub use api::*;
pub use backend::{Backend, ParseBackendError};
pub use bytemuck;
pub use element::WideFloat;
pub use half;

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
