//! The public operations: the [`Activations`] handle of one backend, and the
//! free functions on the active one. Both are generated (`forms.rs`) from the
//! table of operations (`table.rs`), one row per operation and direction; the
//! checks that come before any write are written once, in the runners here.

#[macro_use]
mod forms;
#[cfg(feature = "rayon")]
pub mod par;
mod table;

pub use table::*;

use crate::element::{Element, Wide};
use crate::kernels::{Inputs, Output, Params};
use crate::{Backend, scalar};
use core::marker::PhantomData;
use core::mem::MaybeUninit;

/// Every operation on one backend that this CPU supports.
///
/// Holding an `Activations` is the proof that its backend can run here:
/// [`Activations::new`] returns `None` otherwise. Its methods are the free
/// functions of the crate ([`relu_inplace`](fn@crate::relu_inplace) and the
/// others) on that backend; the free functions use [`Activations::active`].
///
/// ```
/// use relu_simd::{Activations, Backend};
///
/// let mut x = [-2.0f32, -1.0, 0.0, 1.0, 2.0];
/// let portable = Activations::new(Backend::Portable).expect("portable runs everywhere");
/// portable.relu_inplace(&mut x);
/// assert_eq!(x, [0.0, 0.0, 0.0, 1.0, 2.0]);
///
/// // Some backends exist only on some CPUs.
/// if let Some(avx2) = Activations::new(Backend::Avx2) {
///     avx2.leaky_relu_inplace(&mut x, 0.5);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Activations {
    backend: Backend,
}

impl Activations {
    /// The operations of `backend`, or `None` if this CPU cannot run it.
    pub fn new(backend: Backend) -> Option<Activations> {
        // How long outputs are stored on this CPU, decided before any kernel
        // runs (`Activations::active` decides it with the backend).
        crate::kernel::memory::decide();
        backend.is_supported().then_some(Activations { backend })
    }

    /// The operations of [`Backend::active`].
    ///
    /// # Panics
    ///
    /// As [`Backend::active`]: on first use, if `RELU_SIMD_BACKEND` is invalid.
    #[inline]
    pub fn active() -> Activations {
        Activations {
            backend: Backend::active(),
        }
    }

    /// The backend these operations run.
    pub fn backend(self) -> Backend {
        self.backend
    }

    /// Runs a forward kernel from `src` to `dst` (which may be `src`)
    /// through `run` (a [`Run`]: the sequential or the parallel form), after
    /// the checks.
    #[inline(always)]
    #[track_caller]
    fn forward<T: Element>(
        self,
        op: &str,
        data: &str,
        src: (*const T, usize),
        dst: (*mut T, usize),
        operands: &Operands<'_, T>,
        run: Run<T>,
    ) -> usize {
        let len = src.1;
        if len != dst.1 {
            lengths_differ(op, &[("src", len), ("dst", dst.1)]);
        }
        operands.check(op, data, len);
        let (src, dst) = (
            Inputs {
                x: src.0,
                dy: src.0,
            },
            Output { out: dst.0, len },
        );
        // SAFETY: the backend is supported (only `new`/`active` build an
        // `Activations`, and both check); `run` has the contract of
        // `dispatch::run`; the pointers come from slices of
        // `len` elements, the output is the input or a `&mut` that cannot
        // overlap it; `operands` was checked against `len`.
        unsafe { run(self.backend, src, dst, operands.params()) }
    }

    /// Runs a gradient kernel from `x` and `dy` to `dx` (which may be `dy`)
    /// through `run`, as `forward`, after the checks; `x_name` is the first
    /// input's name.
    #[inline(always)]
    #[track_caller]
    #[allow(clippy::too_many_arguments)]
    fn backward<T: Element>(
        self,
        op: &str,
        x_name: &str,
        x: &[T],
        dy: (*const T, usize),
        dx: (*mut T, usize),
        operands: &Operands<'_, T>,
        run: Run<T>,
    ) -> usize {
        let len = x.len();
        if len != dy.1 || len != dx.1 {
            lengths_differ(op, &[(x_name, len), ("dy", dy.1), ("dx", dx.1)]);
        }
        operands.check(op, x_name, len);
        let (src, dst) = (
            Inputs {
                x: x.as_ptr(),
                dy: dy.0,
            },
            Output { out: dx.0, len },
        );
        // SAFETY: as in `forward`; `x` is shared, so it overlaps neither `dy`
        // when that is the output nor `dx`.
        unsafe { run(self.backend, src, dst, operands.params()) }
    }
}

/// A way to run a kernel on checked operands, with the contract of
/// [`dispatch::run`](crate::dispatch::run): `dispatch::run::<T, K>` itself, or a parallel form.
type Run<T> = unsafe fn(Backend, Inputs<T>, Output<T>, &Params<T>) -> usize;

/// The parameters of one call, with what the checks need to know of them.
struct Operands<'a, T: Element> {
    params: Params<T>,
    /// Whether `params` is `Params::NONE` (no parameters).
    none: bool,
    /// Whether `params.lo` and `params.hi` are bounds to check.
    bounds: bool,
    /// The per-channel operand's name, if the operation has one.
    channel: Option<&'static str>,
    /// The per-channel sums' name and length, if the operation has them.
    sums: Option<(&'static str, usize)>,
    _borrows: PhantomData<&'a mut [T]>,
}

impl<'a, T: Element> Operands<'a, T> {
    const NONE: Self = Operands {
        params: Params::NONE,
        none: true,
        bounds: false,
        channel: None,
        sums: None,
        _borrows: PhantomData,
    };

    #[inline(always)]
    fn alpha(alpha: Wide<T>) -> Self {
        let params = Params {
            alpha,
            ..Params::NONE
        };
        Operands {
            params,
            none: false,
            ..Self::NONE
        }
    }

    #[inline(always)]
    fn bounds(lo: T, hi: T) -> Self {
        let params = Params {
            lo,
            hi,
            ..Params::NONE
        };
        Operands {
            params,
            none: false,
            bounds: true,
            ..Self::NONE
        }
    }

    /// ReLU6's bounds, `+0.0` and `6.0` (exact in every format), which
    /// need no check.
    #[inline(always)]
    fn relu6() -> Self {
        Operands {
            bounds: false,
            ..Self::bounds(T::ZERO, T::SIX)
        }
    }

    #[inline(always)]
    fn channel(name: &'static str, operand: &'a [T]) -> Self {
        let params = Params {
            channel: operand.as_ptr(),
            channels: operand.len(),
            ..Params::NONE
        };
        Operands {
            params,
            none: false,
            channel: Some(name),
            ..Self::NONE
        }
    }

    /// Adds per-channel sums; without a per-channel operand, they give the
    /// number of channels.
    #[inline(always)]
    fn sums(mut self, name: &'static str, sums: &'a mut [Wide<T>]) -> Self {
        if self.channel.is_none() {
            self.params.channels = sums.len();
        }
        self.params.sums = sums.as_mut_ptr();
        self.none = false;
        self.sums = Some((name, sums.len()));
        self
    }

    /// The kernel's parameters ([`Params::none`] if there are none).
    #[inline(always)]
    fn params(&self) -> &Params<T> {
        if self.none {
            Params::none()
        } else {
            &self.params
        }
    }

    /// Panics, naming the values, unless the operands fit `len` elements of
    /// data called `data`.
    #[inline(always)]
    #[track_caller]
    fn check(&self, op: &str, data: &str, len: usize) {
        let channels = self.params.channels;
        if let Some(channel) = self.channel {
            if let Some((sums, n)) = self.sums {
                assert!(
                    n == channels,
                    "{op}: {channel} has {channels} elements but {sums} has {n}"
                );
            }
            assert!(
                whole_rows(len, channels),
                "{op}: {data} has {len} elements, which is not a multiple of the {channels} \
                 elements of {channel}"
            );
        } else if let Some((sums, _)) = self.sums {
            assert!(
                whole_rows(len, channels),
                "{op}: {data} has {len} elements, which is not a multiple of the {channels} \
                 elements of {sums}"
            );
        }
        if self.bounds {
            let (lo, hi) = (self.params.lo, self.params.hi);
            #[allow(clippy::eq_op)]
            let nan = lo != lo || hi != hi;
            assert!(
                !nan && !scalar::less(hi, lo),
                "{op}: the bounds must be ordered numbers, but lo is {lo:?} and hi is {hi:?}"
            );
        }
    }
}

/// Whether `len` elements are a whole number of rows of `channels`: by a
/// mask where `channels` is a power of two, as layer widths mostly are,
/// else by a division.
#[inline(always)]
fn whole_rows(len: usize, channels: usize) -> bool {
    if channels.is_power_of_two() {
        len & (channels - 1) == 0
    } else {
        len.is_multiple_of(channels)
    }
}

/// Panics: the slices of `op` named in `lengths` differ in length. Out of
/// line and cold, so that the checks cost a compare at the call site.
#[cold]
#[inline(never)]
#[track_caller]
fn lengths_differ(op: &str, lengths: &[(&str, usize)]) -> ! {
    match lengths {
        [(a, n), (b, m)] => panic!("{op}: {a} has {n} elements but {b} has {m}"),
        [(a, n), (b, m), (c, k)] => {
            panic!("{op}: {a} has {n} elements, {b} has {m} and {c} has {k}")
        }
        _ => unreachable!(),
    }
}

/// `dst` as initialised elements.
///
/// # Safety
/// Every element of `dst` has been written.
#[inline(always)]
unsafe fn assume_init<T>(dst: &mut [MaybeUninit<T>]) -> &mut [T] {
    // SAFETY: `MaybeUninit<T>` has the layout of `T`, and the caller promises
    // that every element is initialised.
    unsafe { &mut *(dst as *mut [MaybeUninit<T>] as *mut [T]) }
}
