//! The macros that turn each row of the crate's table of operations
//! (`relu::for_each_operation!`) into exported C functions, for each element
//! type: `relu_simd_<op>_<type>` for every form the row's Rust functions
//! have, except `_uninit` (C has no uninitialised type; the out-of-place form
//! writes every element of `dst` and never reads it).

/// The entry point: one row of the table at a time.
macro_rules! c_api {
    () => {};

    (
        $(#[doc = $doc:tt])*
        $kind:ident $kernel:ident: $op:ident, $inplace:ident, $uninit:ident ($($params:tt)*)
            => $operands:expr;
        $($rest:tt)*
    ) => {
        summary! { [] [$($doc)*] c_types! { $kind $op $inplace ($($params)*) } }
        c_api! { $($rest)* }
    };
}

/// Calls `$callback!` with the first paragraph of a doc (the lines up to
/// the first empty one): the contract, without the Rust example and the
/// Rust `# Panics` section.
macro_rules! summary {
    ([$($line:tt)*] [r"" $($rest:tt)*] $callback:ident! { $($pass:tt)* }) => {
        $callback! { [$($line)*] $($pass)* }
    };
    ([$($line:tt)*] [$next:tt $($rest:tt)*] $callback:ident! { $($pass:tt)* }) => {
        summary! { [$($line)* $next] [$($rest)*] $callback! { $($pass)* } }
    };
    ([$($line:tt)*] [] $callback:ident! { $($pass:tt)* }) => {
        $callback! { [$($line)*] $($pass)* }
    };
}

/// One row, once per element type: (suffix, Rust type, C type as Rust
/// spells it, `Wide<T>`, the C type's name, `Wide<T>`'s C name).
macro_rules! c_types {
    ($doc:tt $kind:ident $op:ident $inplace:ident $params:tt) => {
        c_form! { $kind $doc (f32, f32, f32, f32, "float", "float") $op $inplace $params }
        c_form! { $kind $doc (f64, f64, f64, f64, "double", "double") $op $inplace $params }
        c_form! {
            $kind $doc (f16, f16, u16, f32, "uint16_t (IEEE binary16 bits)", "float")
            $op $inplace $params
        }
        c_form! {
            $kind $doc (bf16, bf16, u16, f32, "uint16_t (bfloat16 bits)", "float")
            $op $inplace $params
        }
    };
}

/// One row for one type: reads the parameters (`params!`), then writes the
/// functions of the row's kind. `n` and `channels` are named here, so that
/// the checks `params!` writes and the functions see the same variables.
macro_rules! c_form {
    (forward $doc:tt $ty:tt $op:ident $inplace:ident ($($params:tt)*)) => {
        params! { $ty [n channels] ($($params)*) c_forward! { $doc $ty $op $inplace } }
    };
    (count $doc:tt $ty:tt $op:ident $inplace:ident ()) => {
        c_count! { $doc $ty $op $inplace [n] }
    };
    (backward $doc:tt $ty:tt $op:ident $inplace:ident ($x:ident; $($params:tt)*)) => {
        params! { $ty [n channels] ($($params)*) c_backward! { $doc $ty $op $inplace $x } }
    };
}

/// The C form of a row's parameters, for the known kinds of parameter: what
/// the C function declares, what it passes to its in-place form, its NULL
/// checks and other checks, the byte ranges it reads and writes besides the
/// data, the Rust arguments and a line of doc. A row with a new kind of
/// parameter fails to compile here until it gets a rule.
macro_rules! params {
    ($ty:tt [$n:ident $channels:ident] () $callback:ident! { $($pass:tt)* }) => {
        $callback! {
            $($pass)* [$n]
            decls[] names[] nulls[] checks[] ins[] outs[] args[] doc[]
        }
    };
    (
        ($t:ident, $T:ty, $C:ty, $W:ty, $cname:literal, $wname:literal) [$n:ident $channels:ident]
        ($alpha:ident: Wide<T>) $callback:ident! { $($pass:tt)* }
    ) => {
        $callback! {
            $($pass)* [$n]
            decls[$alpha: $W,] names[$alpha,] nulls[] checks[] ins[] outs[] args[$alpha,]
            doc[" `", stringify!($alpha), "` is a ", $wname, "."]
        }
    };
    (
        ($t:ident, $T:ty, $C:ty, $W:ty, $cname:literal, $wname:literal) [$n:ident $channels:ident]
        ($lo:ident: T, $hi:ident: T) $callback:ident! { $($pass:tt)* }
    ) => {
        $callback! {
            $($pass)* [$n]
            decls[$lo: $C, $hi: $C,] names[$lo, $hi,] nulls[]
            checks[bounds(<$T>::from_c($lo), <$T>::from_c($hi))?;] ins[] outs[]
            args[<$T>::from_c($lo), <$T>::from_c($hi),]
            doc[
                " `", stringify!($lo), "` and `", stringify!($hi), "` are ", $cname,
                ", not NaN, with `", stringify!($lo), " <= ", stringify!($hi), "`."
            ]
        }
    };
    (
        ($t:ident, $T:ty, $C:ty, $W:ty, $cname:literal, $wname:literal) [$n:ident $channels:ident]
        ($per_channel:ident: &[T]) $callback:ident! { $($pass:tt)* }
    ) => {
        $callback! {
            $($pass)* [$n]
            decls[$per_channel: *const $C, $channels: usize,] names[$per_channel, $channels,]
            nulls[nonnull($per_channel, $channels)?;] checks[channels($n, $channels)?;]
            ins[span($per_channel, $channels),] outs[]
            args[slice($per_channel.cast::<$T>(), $channels),]
            doc[
                " `", stringify!($per_channel), "` has `channels` elements (channels last); ",
                "`n` is a multiple of `channels`."
            ]
        }
    };
    (
        ($t:ident, $T:ty, $C:ty, $W:ty, $cname:literal, $wname:literal) [$n:ident $channels:ident]
        ($per_channel:ident: &[T], $sums:ident: &mut [Wide<T>]) $callback:ident! { $($pass:tt)* }
    ) => {
        $callback! {
            $($pass)* [$n]
            decls[$per_channel: *const $C, $channels: usize, $sums: *mut $W,]
            names[$per_channel, $channels, $sums,]
            nulls[nonnull($per_channel, $channels)?; nonnull($sums, $channels)?;]
            checks[channels($n, $channels)?;]
            ins[span($per_channel, $channels),] outs[span($sums, $channels),]
            args[slice($per_channel.cast::<$T>(), $channels), slice_mut($sums, $channels),]
            doc[
                " `", stringify!($per_channel), "` has `channels` elements (channels last); ",
                "`n` is a multiple of `channels`; `", stringify!($sums), "` has `channels` ",
                $wname, " sums, added to."
            ]
        }
    };
    (
        ($t:ident, $T:ty, $C:ty, $W:ty, $cname:literal, $wname:literal) [$n:ident $channels:ident]
        ($sums:ident: &mut [Wide<T>]) $callback:ident! { $($pass:tt)* }
    ) => {
        $callback! {
            $($pass)* [$n]
            decls[$sums: *mut $W, $channels: usize,] names[$sums, $channels,]
            nulls[nonnull($sums, $channels)?;] checks[channels($n, $channels)?;]
            ins[] outs[span($sums, $channels),] args[slice_mut($sums, $channels),]
            doc[
                " `", stringify!($sums), "` has `channels` ", $wname, " sums (channels last), ",
                "added to; `n` is a multiple of `channels`."
            ]
        }
    };
}

/// The common end of every function's doc.
macro_rules! returns_doc {
    () => {
        concat!(
            " Returns RELU_SIMD_OK, or an error status with nothing written (see the top of this ",
            "header).\n\n # Safety\n\n Each pointer is aligned and valid for its length, or NULL ",
            "with length 0."
        )
    };
}

/// A forward row: out of place and in place.
macro_rules! c_forward {
    (
        [$($doc:tt)*] ($t:ident, $T:ty, $C:ty, $W:ty, $cname:literal, $wname:literal)
        $op:ident $inplace:ident [$n:ident]
        decls[$($decl:tt)*] names[$($name:tt)*] nulls[$($null:tt)*] checks[$($check:tt)*]
        ins[$($in:tt)*] outs[$($out:tt)*] args[$($arg:tt)*] doc[$($pdoc:tt)*]
    ) => { paste::paste! {
        $(#[doc = $doc])*
        #[doc = ""]
        #[doc = concat!(
            " Out of place, T = ", $cname, ": reads `src` and writes `dst`, `n` elements each; ",
            "`dst == src` runs ", stringify!([<relu_simd_ $inplace _ $t>]), ".",
            $($pdoc)*
        )]
        #[doc = ""]
        #[doc = returns_doc!()]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn [<relu_simd_ $op _ $t>](
            src: *const $C,
            dst: *mut $C,
            $n: usize,
            $($decl)*
        ) -> c_int {
            if dst.cast_const() == src {
                // SAFETY: the caller's promise for `src` and `dst`, which are
                // one array; the in-place form checks the rest.
                return unsafe { [<relu_simd_ $inplace _ $t>](dst, $n, $($name)*) };
            }
            guard(|| {
                ready()?;
                nonnull(src, $n)?;
                nonnull(dst, $n)?;
                $($null)*
                $($check)*
                disjoint(&[span(dst, $n), $($out)*], &[span(src, $n), $($in)*])?;
                // SAFETY: the caller's promise (aligned, valid for their
                // lengths, not NULL unless empty); no output overlaps
                // anything else, so the `&mut` slices alias nothing; the
                // checks above are the Rust function's panics, so it runs
                // to the end.
                unsafe {
                    relu::$op::<$T>(slice(src.cast(), $n), slice_mut(dst.cast(), $n), $($arg)*)
                };
                Ok(())
            })
        }

        $(#[doc = $doc])*
        #[doc = ""]
        #[doc = concat!(
            " In place, T = ", $cname, ": `x` (`n` elements) is the input and becomes the ",
            "output.", $($pdoc)*
        )]
        #[doc = ""]
        #[doc = returns_doc!()]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn [<relu_simd_ $inplace _ $t>](
            x: *mut $C,
            $n: usize,
            $($decl)*
        ) -> c_int {
            guard(|| {
                ready()?;
                nonnull(x, $n)?;
                $($null)*
                $($check)*
                disjoint(&[span(x, $n), $($out)*], &[$($in)*])?;
                // SAFETY: as in the out-of-place form.
                unsafe { relu::$inplace::<$T>(slice_mut(x.cast(), $n), $($arg)*) };
                Ok(())
            })
        }
    }};
}

/// A count row: out of place and in place, the count through a pointer.
macro_rules! c_count {
    (
        [$($doc:tt)*] ($t:ident, $T:ty, $C:ty, $W:ty, $cname:literal, $wname:literal)
        $op:ident $inplace:ident [$n:ident]
    ) => { paste::paste! {
        $(#[doc = $doc])*
        #[doc = ""]
        #[doc = concat!(
            " Out of place, T = ", $cname, ": reads `src` and writes `dst`, `n` elements each, ",
            "and stores the count in `*count` (not NULL, overlapping neither); `dst == src` runs ",
            stringify!([<relu_simd_ $inplace _ $t>]), "."
        )]
        #[doc = ""]
        #[doc = returns_doc!()]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn [<relu_simd_ $op _ $t>](
            src: *const $C,
            dst: *mut $C,
            $n: usize,
            count: *mut usize,
        ) -> c_int {
            if dst.cast_const() == src {
                // SAFETY: the caller's promise for `src` and `dst`, which are
                // one array; the in-place form checks the rest.
                return unsafe { [<relu_simd_ $inplace _ $t>](dst, $n, count) };
            }
            guard(|| {
                ready()?;
                nonnull(src, $n)?;
                nonnull(dst, $n)?;
                nonnull(count, 1)?;
                disjoint(&[span(dst, $n), span(count, 1)], &[span(src, $n)])?;
                // SAFETY: as in the forward functions; `count` overlaps
                // nothing else, and is written after the slices' last use.
                unsafe {
                    let inactive = relu::$op::<$T>(slice(src.cast(), $n), slice_mut(dst.cast(), $n));
                    count.write(inactive);
                }
                Ok(())
            })
        }

        $(#[doc = $doc])*
        #[doc = ""]
        #[doc = concat!(
            " In place, T = ", $cname, ": `x` (`n` elements) is the input and becomes the ",
            "output; stores the count in `*count` (not NULL, not overlapping `x`)."
        )]
        #[doc = ""]
        #[doc = returns_doc!()]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn [<relu_simd_ $inplace _ $t>](
            x: *mut $C,
            $n: usize,
            count: *mut usize,
        ) -> c_int {
            guard(|| {
                ready()?;
                nonnull(x, $n)?;
                nonnull(count, 1)?;
                disjoint(&[span(x, $n), span(count, 1)], &[])?;
                // SAFETY: as in the forward functions; `count` overlaps
                // nothing else, and is written after the slice's last use.
                unsafe {
                    let inactive = relu::$inplace::<$T>(slice_mut(x.cast(), $n));
                    count.write(inactive);
                }
                Ok(())
            })
        }
    }};
}

/// A backward row: out of place and in place (`dy` becomes `dx`).
macro_rules! c_backward {
    (
        [$($doc:tt)*] ($t:ident, $T:ty, $C:ty, $W:ty, $cname:literal, $wname:literal)
        $op:ident $inplace:ident $x:ident [$n:ident]
        decls[$($decl:tt)*] names[$($name:tt)*] nulls[$($null:tt)*] checks[$($check:tt)*]
        ins[$($in:tt)*] outs[$($out:tt)*] args[$($arg:tt)*] doc[$($pdoc:tt)*]
    ) => { paste::paste! {
        $(#[doc = $doc])*
        #[doc = ""]
        #[doc = concat!(
            " Out of place, T = ", $cname, ": reads `", stringify!($x), "` and `dy` and writes ",
            "`dx`, `n` elements each; `dx == dy` runs ",
            stringify!([<relu_simd_ $inplace _ $t>]), ".", $($pdoc)*
        )]
        #[doc = ""]
        #[doc = returns_doc!()]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn [<relu_simd_ $op _ $t>](
            $x: *const $C,
            dy: *const $C,
            dx: *mut $C,
            $n: usize,
            $($decl)*
        ) -> c_int {
            if dx.cast_const() == dy {
                // SAFETY: the caller's promise for `dy` and `dx`, which are
                // one array; the in-place form checks the rest.
                return unsafe { [<relu_simd_ $inplace _ $t>]($x, dx, $n, $($name)*) };
            }
            guard(|| {
                ready()?;
                nonnull($x, $n)?;
                nonnull(dy, $n)?;
                nonnull(dx, $n)?;
                $($null)*
                $($check)*
                disjoint(&[span(dx, $n), $($out)*], &[span($x, $n), span(dy, $n), $($in)*])?;
                // SAFETY: as in the forward functions.
                unsafe {
                    relu::$op::<$T>(
                        slice($x.cast(), $n),
                        slice(dy.cast(), $n),
                        slice_mut(dx.cast(), $n),
                        $($arg)*
                    )
                };
                Ok(())
            })
        }

        $(#[doc = $doc])*
        #[doc = ""]
        #[doc = concat!(
            " In place, T = ", $cname, ": reads `", stringify!($x), "`; `dy` (`n` elements each) ",
            "is the upstream gradient and becomes `dx`.", $($pdoc)*
        )]
        #[doc = ""]
        #[doc = returns_doc!()]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn [<relu_simd_ $inplace _ $t>](
            $x: *const $C,
            dy: *mut $C,
            $n: usize,
            $($decl)*
        ) -> c_int {
            guard(|| {
                ready()?;
                nonnull($x, $n)?;
                nonnull(dy, $n)?;
                $($null)*
                $($check)*
                disjoint(&[span(dy, $n), $($out)*], &[span($x, $n), $($in)*])?;
                // SAFETY: as in the forward functions.
                unsafe {
                    relu::$inplace::<$T>(slice($x.cast(), $n), slice_mut(dy.cast(), $n), $($arg)*)
                };
                Ok(())
            })
        }
    }};
}
