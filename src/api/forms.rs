//! The macros that turn a row of the table into the methods of
//! [`Activations`](super::Activations) and the free functions.

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

/// Generates, for each row of the table, the methods of [`Activations`](super::Activations) and
/// the free functions on the active backend: for `forward` and `count` rows
/// out of place, in place and into uninitialised memory; for `backward`
/// rows the same three forms of the gradient (in place, `dy` becomes `dx`).
/// The parameters come after the data, as the row lists them, and the
/// expression after `=>` turns them into the kernel's [`Operands`](super::Operands).
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
