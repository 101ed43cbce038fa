//! [`Relu`]: every operation on one chosen backend, with the checks of
//! lengths and parameters that come before any write.

use crate::element::Wide;
use crate::{Backend, Element, scalar};

/// The ReLU operations of one backend that this CPU supports.
///
/// Holding a `Relu` is the proof that its backend can run here: [`Relu::new`]
/// returns `None` otherwise. The free functions ([`relu_inplace`](crate::relu_inplace)
/// and the others) use [`Relu::active`].
///
/// ```
/// use relu_simd::{Backend, Relu};
///
/// let mut x = [-2.0f32, -1.0, 0.0, 1.0, 2.0];
/// let relu = Relu::new(Backend::Portable).expect("portable runs everywhere");
/// relu.relu_inplace(&mut x);
/// assert_eq!(x, [0.0, 0.0, 0.0, 1.0, 2.0]);
///
/// // Some backends exist only on some CPUs.
/// if let Some(avx2) = Relu::new(Backend::Avx2) {
///     avx2.relu_inplace(&mut x);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relu {
    backend: Backend,
}

impl Relu {
    /// The operations of `backend`, or `None` if this CPU cannot run it.
    pub fn new(backend: Backend) -> Option<Relu> {
        backend.is_supported().then_some(Relu { backend })
    }

    /// The operations of [`Backend::active`].
    ///
    /// # Panics
    ///
    /// As [`Backend::active`]: on first use, if `RELU_SIMD_BACKEND` is invalid.
    #[inline]
    pub fn active() -> Relu {
        Relu {
            backend: Backend::active(),
        }
    }

    /// The backend these operations run.
    pub fn backend(self) -> Backend {
        self.backend
    }

    /// `x[i] = max(0, x[i])`; NaNs keep their bits. See the [crate docs](crate)
    /// for the exact contract.
    #[inline]
    pub fn relu_inplace<T: Element>(self, x: &mut [T]) {
        let p = x.as_mut_ptr();
        // SAFETY: `self.backend` is supported (only `new`/`active` build a
        // `Relu`, and both check); `p` is valid for `x.len()` reads and writes,
        // and the kernel reads each element before writing it.
        unsafe { (self.kernels::<T>().relu)(p, p, x.len()) }
    }

    /// `dst[i] = max(0, src[i])`; NaNs keep their bits.
    ///
    /// # Panics
    ///
    /// If `src.len() != dst.len()`, before anything is written.
    #[inline]
    pub fn relu<T: Element>(self, src: &[T], dst: &mut [T]) {
        assert_eq!(
            src.len(),
            dst.len(),
            "relu: src has {} elements but dst has {}",
            src.len(),
            dst.len()
        );
        // SAFETY: the backend is supported (see `relu_inplace`); both slices
        // hold `src.len()` elements, and `&`/`&mut` borrows cannot overlap.
        unsafe { (self.kernels::<T>().relu)(src.as_ptr(), dst.as_mut_ptr(), src.len()) }
    }

    /// `dx[i] = dy[i]` where `x[i] > 0` or `x[i]` is NaN, else `+0`
    /// (relu'(0) = 0). `x` may be the forward input or its output: both give
    /// the same `dx`.
    ///
    /// # Panics
    ///
    /// If the three lengths differ, before anything is written.
    #[inline]
    pub fn relu_backward<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T]) {
        assert!(
            x.len() == dy.len() && x.len() == dx.len(),
            "relu_backward: x has {} elements, dy has {} and dx has {}",
            x.len(),
            dy.len(),
            dx.len()
        );
        // SAFETY: the backend is supported; all three slices hold `x.len()`
        // elements and `dx` (a `&mut`) overlaps neither input.
        unsafe {
            (self.kernels::<T>().relu_backward)(x.as_ptr(), dy.as_ptr(), dx.as_mut_ptr(), x.len())
        }
    }

    /// As [`relu_backward`](Relu::relu_backward), writing `dx` over `dy`.
    ///
    /// # Panics
    ///
    /// If `x.len() != dy.len()`, before anything is written.
    #[inline]
    pub fn relu_backward_inplace<T: Element>(self, x: &[T], dy: &mut [T]) {
        assert_eq!(
            x.len(),
            dy.len(),
            "relu_backward_inplace: x has {} elements but dy has {}",
            x.len(),
            dy.len()
        );
        let p = dy.as_mut_ptr();
        // SAFETY: the backend is supported; both slices hold `x.len()`
        // elements; `dy` is read at each position before it is written there,
        // and `x` (shared) cannot overlap `dy` (exclusive).
        unsafe { (self.kernels::<T>().relu_backward)(x.as_ptr(), p, p, x.len()) }
    }

    /// The kernels of this backend for `T`.
    #[inline(always)]
    fn kernels<T: Element>(self) -> &'static crate::kernel::Kernels<T> {
        &T::KERNELS[self.backend as usize]
    }

    /// As [`relu_inplace_count_zeros`](crate::relu_inplace_count_zeros).
    #[inline]
    pub fn relu_inplace_count_zeros<T: Element>(self, x: &mut [T]) -> usize {
        let p = x.as_mut_ptr();
        // SAFETY: the backend is supported (see `relu_inplace`); `p` is valid
        // for `x.len()` reads and writes, each read before it is written.
        unsafe { (self.kernels::<T>().relu_count_zeros)(p, p, x.len()) }
    }

    /// As [`relu_count_zeros`](crate::relu_count_zeros).
    #[inline]
    pub fn relu_count_zeros<T: Element>(self, src: &[T], dst: &mut [T]) -> usize {
        same_lengths("relu_count_zeros", src.len(), dst.len());
        // SAFETY: the backend is supported; both slices hold `src.len()`
        // elements and cannot overlap.
        unsafe { (self.kernels::<T>().relu_count_zeros)(src.as_ptr(), dst.as_mut_ptr(), src.len()) }
    }

    /// As [`leaky_relu_inplace`](crate::leaky_relu_inplace).
    #[inline]
    pub fn leaky_relu_inplace<T: Element>(self, x: &mut [T], alpha: f32) {
        let p = x.as_mut_ptr();
        // SAFETY: as in `relu_inplace`.
        unsafe { (self.kernels::<T>().leaky_relu)(p, p, x.len(), alpha.into()) }
    }

    /// As [`leaky_relu`](crate::leaky_relu).
    #[inline]
    pub fn leaky_relu<T: Element>(self, src: &[T], dst: &mut [T], alpha: f32) {
        same_lengths("leaky_relu", src.len(), dst.len());
        // SAFETY: as in `relu`.
        unsafe {
            (self.kernels::<T>().leaky_relu)(
                src.as_ptr(),
                dst.as_mut_ptr(),
                src.len(),
                alpha.into(),
            )
        }
    }

    /// As [`leaky_relu_backward`](crate::leaky_relu_backward).
    #[inline]
    pub fn leaky_relu_backward<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T], alpha: f32) {
        three_lengths("leaky_relu_backward", "x", x.len(), dy.len(), dx.len());
        // SAFETY: as in `relu_backward`.
        unsafe {
            (self.kernels::<T>().leaky_relu_backward)(
                x.as_ptr(),
                dy.as_ptr(),
                dx.as_mut_ptr(),
                x.len(),
                alpha.into(),
            )
        }
    }

    /// As [`prelu_inplace`](crate::prelu_inplace).
    #[inline]
    pub fn prelu_inplace<T: Element>(self, x: &mut [T], slopes: &[T]) {
        channels("prelu_inplace", "x", x.len(), "slopes", slopes.len());
        let p = x.as_mut_ptr();
        // SAFETY: as in `relu_inplace`; `slopes` holds `slopes.len()` elements,
        // which divides `x.len()` (checked), and cannot overlap `x`.
        unsafe { (self.kernels::<T>().prelu)(p, p, x.len(), slopes.as_ptr(), slopes.len()) }
    }

    /// As [`prelu`](crate::prelu).
    #[inline]
    pub fn prelu<T: Element>(self, src: &[T], dst: &mut [T], slopes: &[T]) {
        same_lengths("prelu", src.len(), dst.len());
        channels("prelu", "src", src.len(), "slopes", slopes.len());
        // SAFETY: as in `relu` and `prelu_inplace`.
        unsafe {
            (self.kernels::<T>().prelu)(
                src.as_ptr(),
                dst.as_mut_ptr(),
                src.len(),
                slopes.as_ptr(),
                slopes.len(),
            )
        }
    }

    /// As [`prelu_backward`](crate::prelu_backward).
    #[inline]
    pub fn prelu_backward<T: Element>(
        self,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        slopes: &[T],
        dslopes: &mut [Wide<T>],
    ) {
        three_lengths("prelu_backward", "x", x.len(), dy.len(), dx.len());
        channels("prelu_backward", "x", x.len(), "slopes", slopes.len());
        assert_eq!(
            slopes.len(),
            dslopes.len(),
            "prelu_backward: slopes has {} elements but dslopes has {}",
            slopes.len(),
            dslopes.len()
        );
        // SAFETY: as in `relu_backward` and `prelu_inplace`; `dslopes` (a
        // `&mut`) holds `slopes.len()` elements and overlaps nothing else.
        unsafe {
            (self.kernels::<T>().prelu_backward)(
                x.as_ptr(),
                dy.as_ptr(),
                dx.as_mut_ptr(),
                x.len(),
                slopes.as_ptr(),
                slopes.len(),
                dslopes.as_mut_ptr(),
            )
        }
    }

    /// As [`clamp_inplace`](crate::clamp_inplace).
    #[inline]
    pub fn clamp_inplace<T: Element>(self, x: &mut [T], lo: T, hi: T) {
        bounds("clamp_inplace", lo, hi);
        let p = x.as_mut_ptr();
        // SAFETY: as in `relu_inplace`.
        unsafe { (self.kernels::<T>().clamp)(p, p, x.len(), lo, hi) }
    }

    /// As [`clamp`](crate::clamp()).
    #[inline]
    pub fn clamp<T: Element>(self, src: &[T], dst: &mut [T], lo: T, hi: T) {
        same_lengths("clamp", src.len(), dst.len());
        bounds("clamp", lo, hi);
        // SAFETY: as in `relu`.
        unsafe { (self.kernels::<T>().clamp)(src.as_ptr(), dst.as_mut_ptr(), src.len(), lo, hi) }
    }

    /// As [`clamp_backward`](crate::clamp_backward).
    #[inline]
    pub fn clamp_backward<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T], lo: T, hi: T) {
        three_lengths("clamp_backward", "x", x.len(), dy.len(), dx.len());
        bounds("clamp_backward", lo, hi);
        // SAFETY: as in `relu_backward`.
        unsafe {
            (self.kernels::<T>().clamp_backward)(
                x.as_ptr(),
                dy.as_ptr(),
                dx.as_mut_ptr(),
                x.len(),
                lo,
                hi,
            )
        }
    }

    /// As [`relu6_inplace`](crate::relu6_inplace).
    #[inline]
    pub fn relu6_inplace<T: Element>(self, x: &mut [T]) {
        self.clamp_inplace(x, T::ZERO, six())
    }

    /// As [`relu6`](crate::relu6).
    #[inline]
    pub fn relu6<T: Element>(self, src: &[T], dst: &mut [T]) {
        same_lengths("relu6", src.len(), dst.len());
        self.clamp(src, dst, T::ZERO, six())
    }

    /// As [`relu6_backward`](crate::relu6_backward).
    #[inline]
    pub fn relu6_backward<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T]) {
        three_lengths("relu6_backward", "x", x.len(), dy.len(), dx.len());
        self.clamp_backward(x, dy, dx, T::ZERO, six())
    }

    /// As [`bias_relu_inplace`](crate::bias_relu_inplace).
    #[inline]
    pub fn bias_relu_inplace<T: Element>(self, x: &mut [T], bias: &[T]) {
        channels("bias_relu_inplace", "x", x.len(), "bias", bias.len());
        let p = x.as_mut_ptr();
        // SAFETY: as in `prelu_inplace`.
        unsafe { (self.kernels::<T>().bias_relu)(p, p, x.len(), bias.as_ptr(), bias.len()) }
    }

    /// As [`bias_relu`](crate::bias_relu).
    #[inline]
    pub fn bias_relu<T: Element>(self, src: &[T], bias: &[T], dst: &mut [T]) {
        same_lengths("bias_relu", src.len(), dst.len());
        channels("bias_relu", "src", src.len(), "bias", bias.len());
        // SAFETY: as in `prelu`.
        unsafe {
            (self.kernels::<T>().bias_relu)(
                src.as_ptr(),
                dst.as_mut_ptr(),
                src.len(),
                bias.as_ptr(),
                bias.len(),
            )
        }
    }

    /// As [`bias_relu_backward`](crate::bias_relu_backward).
    #[inline]
    pub fn bias_relu_backward<T: Element>(
        self,
        y: &[T],
        dy: &[T],
        dx: &mut [T],
        dbias: &mut [Wide<T>],
    ) {
        three_lengths("bias_relu_backward", "y", y.len(), dy.len(), dx.len());
        channels("bias_relu_backward", "y", y.len(), "dbias", dbias.len());
        // SAFETY: as in `relu_backward`; `dbias` (a `&mut`) holds the
        // `channels` accumulators, `channels` divides `y.len()` (checked).
        unsafe {
            (self.kernels::<T>().bias_relu_backward)(
                y.as_ptr(),
                dy.as_ptr(),
                dx.as_mut_ptr(),
                y.len(),
                dbias.len(),
                dbias.as_mut_ptr(),
            )
        }
    }
}

/// `6` in `T` (exact in every format).
fn six<T: Element>() -> T {
    T::from_wide(6.0f32.into())
}

/// Panics unless an input and an output have the same length.
#[inline]
#[track_caller]
fn same_lengths(op: &str, src: usize, dst: usize) {
    assert!(src == dst, "{op}: src has {src} elements but dst has {dst}");
}

/// Panics unless `x` (or `y`), `dy` and `dx` have the same length.
#[inline]
#[track_caller]
fn three_lengths(op: &str, x_name: &str, x: usize, dy: usize, dx: usize) {
    assert!(
        x == dy && x == dx,
        "{op}: {x_name} has {x} elements, dy has {dy} and dx has {dx}"
    );
}

/// Panics unless `channels` per-channel operands fit `len` elements: a
/// non-empty operand whose length divides `len` (or nothing to do).
#[inline]
#[track_caller]
fn channels(op: &str, data: &str, len: usize, per_channel: &str, channels: usize) {
    assert!(
        len.is_multiple_of(channels),
        "{op}: {data} has {len} elements, which is not a multiple of the {channels} elements \
         of {per_channel}"
    );
}

/// Panics if a bound is NaN or `lo > hi` (with `-0.0 < +0.0`).
#[inline]
#[track_caller]
fn bounds<T: Element>(op: &str, lo: T, hi: T) {
    #[allow(clippy::eq_op)]
    let nan = lo != lo || hi != hi;
    assert!(
        !nan && !scalar::less(hi, lo),
        "{op}: the bounds must be ordered numbers, but lo is {lo:?} and hi is {hi:?}"
    );
}
