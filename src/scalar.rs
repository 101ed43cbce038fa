//! The reference: the contract written as plainly as possible. Every other
//! backend is tested against these definitions.

use crate::Element;
use crate::kernel::Kernels;

/// ReLU of one element: `x` if `x > 0` or `x` is NaN (returned with its exact
/// bits), else `+0` (so `-0.0` and `-inf` give `+0.0`).
#[inline(always)]
pub(crate) fn relu<T: Element>(x: T) -> T {
    // NaN is the only value that is not equal to itself.
    #[allow(clippy::eq_op)]
    if x > T::ZERO || x != x { x } else { T::ZERO }
}

/// ReLU gradient of one element: `dy` if `x > 0` or `x` is NaN, else `+0`
/// (relu'(0) = 0, as PyTorch's `threshold_backward`).
#[inline(always)]
pub(crate) fn relu_backward<T: Element>(x: T, dy: T) -> T {
    #[allow(clippy::eq_op)]
    if x > T::ZERO || x != x { dy } else { T::ZERO }
}

/// The scalar backend's kernels for `T`.
pub(crate) const fn kernels<T: Element>() -> Kernels<T> {
    Kernels {
        relu: relu_slice::<T>,
        relu_backward: relu_backward_slice::<T>,
    }
}

/// # Safety
/// `src` readable and `dst` writable for `len` elements; they may be equal.
unsafe fn relu_slice<T: Element>(src: *const T, dst: *mut T, len: usize) {
    for i in 0..len {
        // SAFETY: `i < len`; element `i` is read before it is written.
        unsafe { *dst.add(i) = relu(*src.add(i)) }
    }
}

/// # Safety
/// `x`, `dy` readable and `dx` writable for `len` elements; `dx` may equal an input.
unsafe fn relu_backward_slice<T: Element>(x: *const T, dy: *const T, dx: *mut T, len: usize) {
    for i in 0..len {
        // SAFETY: `i < len`; element `i` is read before it is written.
        unsafe { *dx.add(i) = relu_backward(*x.add(i), *dy.add(i)) }
    }
}
