//! The macros that turn a row of the table into the methods of
//! [`Activations`](super::Activations) and the free functions, and (`forms!`,
//! for `par.rs`) into the parallel forms.

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
    ($f:ident, $dst:expr) => {
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
    ($f:ident, $what:expr) => {
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

/// The words of the docs that differ between `backward` rows and the others:
/// what the `_inplace` form overwrites, and the output of the `_uninit` form.
macro_rules! inplace_what {
    (backward) => {
        "`dy` is the upstream gradient, and becomes `dx`."
    };
    ($kind:ident) => {
        "`x` is the input, and becomes the output."
    };
}

/// See `inplace_what!`.
macro_rules! uninit_output {
    (backward) => {
        "dx"
    };
    ($kind:ident) => {
        "dst"
    };
}

/// Generates the methods of [`Activations`](super::Activations) and the free
/// functions on the active backend from the rows of the table.
macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        $kind:ident $kernel:ident: $op:ident, $inplace:ident, $uninit:ident $params:tt
            => $operands:expr;
    )*) => {$(
        impl Activations {
            forms! {
                [self,] self, crate::dispatch::run;
                [#[doc = method_doc!($op)]]
                [#[doc = method_doc!($inplace)]]
                [#[doc = method_doc!($uninit)]]
                $kind $kernel: $op, $inplace, $uninit $params => $operands
            }
        }

        forms! {
            [] Activations::active(), crate::dispatch::run;
            [$(#[$doc])*]
            [#[doc = inplace_doc!($op, inplace_what!($kind))]]
            [#[doc = uninit_doc!($op, uninit_output!($kind))]]
            $kind $kernel: $op, $inplace, $uninit $params => $operands
        }
    )*};
}

/// Generates the three forms of one row of the table: for `forward` and
/// `count` rows out of place, in place and into uninitialised memory; for
/// `backward` rows the same three forms of the gradient (in place, `dy`
/// becomes `dx`). The parameters come after the data, as the row lists them,
/// and the expression after `=>` turns them into the kernel's
/// [`Operands`](super::Operands).
///
/// What differs between the places that use it comes first: the receiver of
/// the functions in brackets (`[self,]` for the methods, `[]` for the free
/// functions), the handle whose backend they run on, and the runner, a
/// function generic over `<T, K>` with the contract of
/// [`dispatch::run`](crate::dispatch::run) (`dispatch::run` itself for the
/// sequential forms); then the docs of the three forms, each in brackets.
/// The handle's `forward` or `backward` checks the arguments, then calls the
/// runner.
macro_rules! forms {
    (
        [$($self:tt)*] $handle:expr, $($run:ident)::+;
        [$($op_doc:tt)*] [$($inplace_doc:tt)*] [$($uninit_doc:tt)*]
        forward $kernel:ident: $op:ident, $inplace:ident, $uninit:ident
            ($($p:ident: $pt:ty),*) => $operands:expr
    ) => {
        $($op_doc)*
        #[inline]
        #[track_caller]
        pub fn $op<T: Element>($($self)* src: &[T], dst: &mut [T], $($p: $pt),*) {
            let (src, dst) = ((src.as_ptr(), src.len()), (dst.as_mut_ptr(), dst.len()));
            let run = $($run)::+::<T, kernels::$kernel>;
            $handle.forward(stringify!($op), "src", src, dst, &$operands, run);
        }

        $($inplace_doc)*
        #[inline]
        #[track_caller]
        pub fn $inplace<T: Element>($($self)* x: &mut [T], $($p: $pt),*) {
            let (p, len) = (x.as_mut_ptr(), x.len());
            let op = stringify!($inplace);
            let run = $($run)::+::<T, kernels::$kernel>;
            $handle.forward(op, "x", (p.cast_const(), len), (p, len), &$operands, run);
        }

        $($uninit_doc)*
        #[inline]
        #[track_caller]
        pub fn $uninit<'d, T: Element>(
            $($self)*
            src: &[T],
            dst: &'d mut [MaybeUninit<T>],
            $($p: $pt),*
        ) -> &'d mut [T] {
            let out = (dst.as_mut_ptr().cast::<T>(), dst.len());
            let src = (src.as_ptr(), src.len());
            let run = $($run)::+::<T, kernels::$kernel>;
            $handle.forward(stringify!($uninit), "src", src, out, &$operands, run);
            // SAFETY: the runner wrote all of `dst` (as long as `src`).
            unsafe { assume_init(dst) }
        }
    };

    (
        [$($self:tt)*] $handle:expr, $($run:ident)::+;
        [$($op_doc:tt)*] [$($inplace_doc:tt)*] [$($uninit_doc:tt)*]
        count $kernel:ident: $op:ident, $inplace:ident, $uninit:ident () => $operands:expr
    ) => {
        $($op_doc)*
        #[inline]
        #[track_caller]
        pub fn $op<T: Element>($($self)* src: &[T], dst: &mut [T]) -> usize {
            let (src, dst) = ((src.as_ptr(), src.len()), (dst.as_mut_ptr(), dst.len()));
            let run = $($run)::+::<T, kernels::$kernel>;
            $handle.forward(stringify!($op), "src", src, dst, &$operands, run)
        }

        $($inplace_doc)*
        #[inline]
        #[track_caller]
        pub fn $inplace<T: Element>($($self)* x: &mut [T]) -> usize {
            let (p, len) = (x.as_mut_ptr(), x.len());
            let op = stringify!($inplace);
            let run = $($run)::+::<T, kernels::$kernel>;
            $handle.forward(op, "x", (p.cast_const(), len), (p, len), &$operands, run)
        }

        $($uninit_doc)*
        #[inline]
        #[track_caller]
        pub fn $uninit<'d, T: Element>(
            $($self)*
            src: &[T],
            dst: &'d mut [MaybeUninit<T>],
        ) -> (&'d mut [T], usize) {
            let out = (dst.as_mut_ptr().cast::<T>(), dst.len());
            let src = (src.as_ptr(), src.len());
            let run = $($run)::+::<T, kernels::$kernel>;
            let n = $handle.forward(stringify!($uninit), "src", src, out, &$operands, run);
            // SAFETY: the runner wrote all of `dst` (as long as `src`).
            (unsafe { assume_init(dst) }, n)
        }
    };

    (
        [$($self:tt)*] $handle:expr, $($run:ident)::+;
        [$($op_doc:tt)*] [$($inplace_doc:tt)*] [$($uninit_doc:tt)*]
        backward $kernel:ident: $op:ident, $inplace:ident, $uninit:ident
            ($x:ident; $($p:ident: $pt:ty),*) => $operands:expr
    ) => {
        $($op_doc)*
        #[inline]
        #[track_caller]
        pub fn $op<T: Element>($($self)* $x: &[T], dy: &[T], dx: &mut [T], $($p: $pt),*) {
            let (dy, dx) = ((dy.as_ptr(), dy.len()), (dx.as_mut_ptr(), dx.len()));
            let run = $($run)::+::<T, kernels::$kernel>;
            $handle.backward(stringify!($op), stringify!($x), $x, dy, dx, &$operands, run);
        }

        $($inplace_doc)*
        #[inline]
        #[track_caller]
        pub fn $inplace<T: Element>($($self)* $x: &[T], dy: &mut [T], $($p: $pt),*) {
            let dy = (dy.as_mut_ptr(), dy.len());
            let (op, x_name) = (stringify!($inplace), stringify!($x));
            let input = (dy.0.cast_const(), dy.1);
            let run = $($run)::+::<T, kernels::$kernel>;
            $handle.backward(op, x_name, $x, input, dy, &$operands, run);
        }

        $($uninit_doc)*
        #[inline]
        #[track_caller]
        pub fn $uninit<'d, T: Element>(
            $($self)*
            $x: &[T],
            dy: &[T],
            dx: &'d mut [MaybeUninit<T>],
            $($p: $pt),*
        ) -> &'d mut [T] {
            let out = (dx.as_mut_ptr().cast::<T>(), dx.len());
            let (op, x_name) = (stringify!($uninit), stringify!($x));
            let dy = (dy.as_ptr(), dy.len());
            let run = $($run)::+::<T, kernels::$kernel>;
            $handle.backward(op, x_name, $x, dy, out, &$operands, run);
            // SAFETY: the runner wrote all of `dx` (as long as the inputs).
            unsafe { assume_init(dx) }
        }
    };
}
