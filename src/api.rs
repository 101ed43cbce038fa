//! The public operations: the [`Activations`] handle of one backend, and the
//! free functions on the active one. Both are generated from the table at
//! the end of this file, one row per operation and direction; the checks
//! that come before any write are written once, in the runners below.

use crate::dispatch::Dispatch;
use crate::element::Format;
use crate::kernels::{self, Kernel, Params};
use crate::{Backend, scalar};
use core::marker::PhantomData;
use core::mem::MaybeUninit;

/// A floating-point type the kernels work on: [`f32`], [`f64`],
/// [`half::f16`] and [`half::bf16`].
///
/// The trait is sealed: the kernels rely on the IEEE 754 binary layout of
/// exactly these types (sign bit on top, then exponent, then mantissa), so it
/// cannot be implemented outside this crate. Every type here is
/// [`bytemuck::Pod`], so buffers kept as raw bits (`u16` for f16/bf16, `u32`,
/// `u64`) can be viewed as element slices with [`bytemuck::cast_slice_mut`].
///
/// ```
/// use relu_simd::Element;
///
/// fn fresh<T: Element>(n: usize) -> Vec<T> {
///     vec![T::ZERO; n]
/// }
/// assert_eq!(fresh::<f32>(2), [0.0, 0.0]);
/// ```
pub trait Element: Dispatch {
    /// `+0.0`.
    const ZERO: Self;
}

impl<T: Dispatch> Element for T {
    const ZERO: Self = T::POSITIVE_ZERO;
}

/// The float type that arithmetic on `T` runs in, and that per-channel
/// gradients of `T` are summed in: `f32` for [`f32`], [`half::f16`] and
/// [`half::bf16`]; `f64` for [`f64`]. Its bounds are those of
/// [`WideFloat`](crate::WideFloat).
pub type Wide<T> = <T as Format>::Wide;

/// Every operation on one backend that this CPU supports.
///
/// Holding an `Activations` is the proof that its backend can run here:
/// [`Activations::new`] returns `None` otherwise. Its methods are the free
/// functions of the crate ([`relu_inplace`](crate::relu_inplace) and the
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

    /// Runs a forward kernel from `src` to `dst` (which may be `src`), after
    /// the checks.
    #[inline(always)]
    #[track_caller]
    fn forward<T: Element, K: Kernel>(
        self,
        op: &str,
        data: &str,
        src: (*const T, usize),
        dst: (*mut T, usize),
        operands: &Operands<'_, T>,
    ) -> usize {
        let len = src.1;
        assert!(
            len == dst.1,
            "{op}: src has {len} elements but dst has {}",
            dst.1
        );
        operands.check(op, data, len);
        // SAFETY: the backend is supported (only `new`/`active` build an
        // `Activations`, and both check); the pointers come from slices of
        // `len` elements, the output is the input or a `&mut` that cannot
        // overlap it; `operands` was checked against `len`.
        unsafe { T::run::<K>(self.backend, src.0, src.0, dst.0, len, &operands.params) }
    }

    /// Runs a gradient kernel from `x` and `dy` to `dx` (which may be `dy`),
    /// after the checks; `x_name` is the first input's name.
    #[inline(always)]
    #[track_caller]
    fn backward<T: Element, K: Kernel>(
        self,
        op: &str,
        x_name: &str,
        x: &[T],
        dy: (*const T, usize),
        dx: (*mut T, usize),
        operands: &Operands<'_, T>,
    ) -> usize {
        let len = x.len();
        assert!(
            len == dy.1 && len == dx.1,
            "{op}: {x_name} has {len} elements, dy has {} and dx has {}",
            dy.1,
            dx.1
        );
        operands.check(op, x_name, len);
        // SAFETY: as in `forward`; `x` is shared, so it overlaps neither `dy`
        // when that is the output nor `dx`.
        unsafe { T::run::<K>(self.backend, x.as_ptr(), dy.0, dx.0, len, &operands.params) }
    }
}

/// The parameters of one call, with what the checks need to know of them.
struct Operands<'a, T: Format> {
    params: Params<T>,
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
            ..Self::bounds(T::ZERO, T::from_wide(6.0f32.into()))
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
        self.sums = Some((name, sums.len()));
        self
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
                len.is_multiple_of(channels),
                "{op}: {data} has {len} elements, which is not a multiple of the {channels} \
                 elements of {channel}"
            );
        } else if let Some((sums, _)) = self.sums {
            assert!(
                len.is_multiple_of(channels),
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

/// A link to a free function of the crate, for the generated docs.
macro_rules! link {
    ($f:ident) => {
        concat!("[`", stringify!($f), "`](fn@crate::", stringify!($f), ")")
    };
}

/// The doc of a generated method: the free function's, on this backend.
macro_rules! method_doc {
    ($f:ident) => {
        concat!("As ", link!($f), ", on this handle's backend.")
    };
}

/// The doc of the `_uninit` form of `$f`.
macro_rules! uninit_doc {
    ($f:ident, $dst:literal) => {
        concat!(
            link!($f),
            " into uninitialised memory, such as [`Vec::spare_capacity_mut`]",
            "(https://doc.rust-lang.org/std/vec/struct.Vec.html#method.spare_capacity_mut): ",
            "writes every element of `",
            $dst,
            "` and returns it, initialised (nothing needs zeroing first).\n\n",
            "# Panics\n\nAs ",
            link!($f),
            ", before anything is written."
        )
    };
}

/// The doc of the `_inplace` form of `$f`.
macro_rules! inplace_doc {
    ($f:ident, $what:literal) => {
        concat!(
            link!($f),
            " in place: ",
            $what,
            "\n\n# Panics\n\nAs ",
            link!($f),
            ", before anything is written."
        )
    };
}

/// Generates, for each row of the table, the methods of [`Activations`] and
/// the free functions on the active backend: for `forward` and `count` rows
/// out of place, in place and into uninitialised memory; for `backward`
/// rows the same three forms of the gradient (in place, `dy` becomes `dx`).
/// The parameters come after the data, as the row lists them, and the
/// expression after `=>` turns them into the kernel's [`Operands`].
macro_rules! operations {
    () => {};

    (
        $(#[$doc:meta])*
        forward $kernel:ident: $op:ident, $inplace:ident, $uninit:ident
            ($($p:ident: $pt:ty),*) => $operands:expr;
        $($rest:tt)*
    ) => {
        impl Activations {
            #[doc = method_doc!($op)]
            #[inline]
            #[track_caller]
            pub fn $op<T: Element>(self, src: &[T], dst: &mut [T], $($p: $pt),*) {
                let (src, dst) = ((src.as_ptr(), src.len()), (dst.as_mut_ptr(), dst.len()));
                self.forward::<T, kernels::$kernel>(stringify!($op), "src", src, dst, &$operands);
            }

            #[doc = method_doc!($inplace)]
            #[inline]
            #[track_caller]
            pub fn $inplace<T: Element>(self, x: &mut [T], $($p: $pt),*) {
                let (p, len) = (x.as_mut_ptr(), x.len());
                let op = stringify!($inplace);
                self.forward::<T, kernels::$kernel>(op, "x", (p.cast_const(), len), (p, len), &$operands);
            }

            #[doc = method_doc!($uninit)]
            #[inline]
            #[track_caller]
            pub fn $uninit<'d, T: Element>(
                self,
                src: &[T],
                dst: &'d mut [MaybeUninit<T>],
                $($p: $pt),*
            ) -> &'d mut [T] {
                let out = (dst.as_mut_ptr().cast::<T>(), dst.len());
                let src = (src.as_ptr(), src.len());
                self.forward::<T, kernels::$kernel>(stringify!($uninit), "src", src, out, &$operands);
                // SAFETY: the kernel wrote all of `dst` (as long as `src`).
                unsafe { assume_init(dst) }
            }
        }

        $(#[$doc])*
        #[inline]
        #[track_caller]
        pub fn $op<T: Element>(src: &[T], dst: &mut [T], $($p: $pt),*) {
            Activations::active().$op(src, dst, $($p),*)
        }

        #[doc = inplace_doc!($op, "`x` is the input, and becomes the output.")]
        #[inline]
        #[track_caller]
        pub fn $inplace<T: Element>(x: &mut [T], $($p: $pt),*) {
            Activations::active().$inplace(x, $($p),*)
        }

        #[doc = uninit_doc!($op, "dst")]
        #[inline]
        #[track_caller]
        pub fn $uninit<'d, T: Element>(
            src: &[T],
            dst: &'d mut [MaybeUninit<T>],
            $($p: $pt),*
        ) -> &'d mut [T] {
            Activations::active().$uninit(src, dst, $($p),*)
        }

        operations!($($rest)*);
    };

    (
        $(#[$doc:meta])*
        count $kernel:ident: $op:ident, $inplace:ident, $uninit:ident () => $operands:expr;
        $($rest:tt)*
    ) => {
        impl Activations {
            #[doc = method_doc!($op)]
            #[inline]
            #[track_caller]
            pub fn $op<T: Element>(self, src: &[T], dst: &mut [T]) -> usize {
                let (src, dst) = ((src.as_ptr(), src.len()), (dst.as_mut_ptr(), dst.len()));
                self.forward::<T, kernels::$kernel>(stringify!($op), "src", src, dst, &$operands)
            }

            #[doc = method_doc!($inplace)]
            #[inline]
            #[track_caller]
            pub fn $inplace<T: Element>(self, x: &mut [T]) -> usize {
                let (p, len) = (x.as_mut_ptr(), x.len());
                let op = stringify!($inplace);
                self.forward::<T, kernels::$kernel>(op, "x", (p.cast_const(), len), (p, len), &$operands)
            }

            #[doc = method_doc!($uninit)]
            #[inline]
            #[track_caller]
            pub fn $uninit<'d, T: Element>(
                self,
                src: &[T],
                dst: &'d mut [MaybeUninit<T>],
            ) -> (&'d mut [T], usize) {
                let out = (dst.as_mut_ptr().cast::<T>(), dst.len());
                let src = (src.as_ptr(), src.len());
                let n = self.forward::<T, kernels::$kernel>(stringify!($uninit), "src", src, out, &$operands);
                // SAFETY: the kernel wrote all of `dst` (as long as `src`).
                (unsafe { assume_init(dst) }, n)
            }
        }

        $(#[$doc])*
        #[inline]
        #[track_caller]
        pub fn $op<T: Element>(src: &[T], dst: &mut [T]) -> usize {
            Activations::active().$op(src, dst)
        }

        #[doc = inplace_doc!($op, "`x` is the input, and becomes the output.")]
        #[inline]
        #[track_caller]
        pub fn $inplace<T: Element>(x: &mut [T]) -> usize {
            Activations::active().$inplace(x)
        }

        #[doc = uninit_doc!($op, "dst")]
        #[inline]
        #[track_caller]
        pub fn $uninit<'d, T: Element>(
            src: &[T],
            dst: &'d mut [MaybeUninit<T>],
        ) -> (&'d mut [T], usize) {
            Activations::active().$uninit(src, dst)
        }

        operations!($($rest)*);
    };

    (
        $(#[$doc:meta])*
        backward $kernel:ident: $op:ident, $inplace:ident, $uninit:ident
            ($x:ident; $($p:ident: $pt:ty),*) => $operands:expr;
        $($rest:tt)*
    ) => {
        impl Activations {
            #[doc = method_doc!($op)]
            #[inline]
            #[track_caller]
            pub fn $op<T: Element>(self, $x: &[T], dy: &[T], dx: &mut [T], $($p: $pt),*) {
                let (dy, dx) = ((dy.as_ptr(), dy.len()), (dx.as_mut_ptr(), dx.len()));
                let x_name = stringify!($x);
                self.backward::<T, kernels::$kernel>(stringify!($op), x_name, $x, dy, dx, &$operands);
            }

            #[doc = method_doc!($inplace)]
            #[inline]
            #[track_caller]
            pub fn $inplace<T: Element>(self, $x: &[T], dy: &mut [T], $($p: $pt),*) {
                let dy = (dy.as_mut_ptr(), dy.len());
                let (op, x_name) = (stringify!($inplace), stringify!($x));
                let input = (dy.0.cast_const(), dy.1);
                self.backward::<T, kernels::$kernel>(op, x_name, $x, input, dy, &$operands);
            }

            #[doc = method_doc!($uninit)]
            #[inline]
            #[track_caller]
            pub fn $uninit<'d, T: Element>(
                self,
                $x: &[T],
                dy: &[T],
                dx: &'d mut [MaybeUninit<T>],
                $($p: $pt),*
            ) -> &'d mut [T] {
                let out = (dx.as_mut_ptr().cast::<T>(), dx.len());
                let (op, x_name) = (stringify!($uninit), stringify!($x));
                let dy = (dy.as_ptr(), dy.len());
                self.backward::<T, kernels::$kernel>(op, x_name, $x, dy, out, &$operands);
                // SAFETY: the kernel wrote all of `dx` (as long as the inputs).
                unsafe { assume_init(dx) }
            }
        }

        $(#[$doc])*
        #[inline]
        #[track_caller]
        pub fn $op<T: Element>($x: &[T], dy: &[T], dx: &mut [T], $($p: $pt),*) {
            Activations::active().$op($x, dy, dx, $($p),*)
        }

        #[doc = inplace_doc!($op, "`dy` is the upstream gradient, and becomes `dx`.")]
        #[inline]
        #[track_caller]
        pub fn $inplace<T: Element>($x: &[T], dy: &mut [T], $($p: $pt),*) {
            Activations::active().$inplace($x, dy, $($p),*)
        }

        #[doc = uninit_doc!($op, "dx")]
        #[inline]
        #[track_caller]
        pub fn $uninit<'d, T: Element>(
            $x: &[T],
            dy: &[T],
            dx: &'d mut [MaybeUninit<T>],
            $($p: $pt),*
        ) -> &'d mut [T] {
            Activations::active().$uninit($x, dy, dx, $($p),*)
        }

        operations!($($rest)*);
    };
}

// The table: one row per operation and direction. A row's doc comment is the
// free function's (out of place, or the gradient); the other forms link to it.
operations! {
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
