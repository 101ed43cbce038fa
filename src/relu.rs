//! [`Relu`]: the four operations on one chosen backend.

use crate::{Backend, Element};

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
        unsafe { (T::KERNELS[self.backend as usize].relu)(p, p, x.len()) }
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
        unsafe {
            (T::KERNELS[self.backend as usize].relu)(src.as_ptr(), dst.as_mut_ptr(), src.len())
        }
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
            (T::KERNELS[self.backend as usize].relu_backward)(
                x.as_ptr(),
                dy.as_ptr(),
                dx.as_mut_ptr(),
                x.len(),
            )
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
        unsafe { (T::KERNELS[self.backend as usize].relu_backward)(x.as_ptr(), p, p, x.len()) }
    }
}
