//! The operations under test, one row each: its name, its kind, the
//! parameters it takes, its contract (from the oracle) and how to call its
//! three forms. Every check walks this table, so a new operation is one row.

use super::floats::TestFloat;
use super::oracle::{self, broadcast, each, each2, zero};
use relu_simd::Activations;
use std::mem::MaybeUninit;

/// Where the operations come from.
#[derive(Clone, Copy, Debug)]
pub enum Api {
    /// The methods of one backend's handle.
    Method(Activations),
    /// The free functions (the active backend).
    Free,
    /// The parallel forms (`relu_simd::par`) on one backend, split from
    /// `from` bytes into chunks of `chunk` bytes, on the current rayon pool.
    #[cfg(feature = "rayon")]
    Par {
        relu: Activations,
        from: usize,
        chunk: usize,
    },
}

impl Api {
    pub fn name(self) -> String {
        match self {
            Api::Method(relu) => relu.backend().to_string(),
            Api::Free => format!("free functions ({})", Activations::active().backend()),
            #[cfg(feature = "rayon")]
            Api::Par { relu, from, chunk } => format!(
                "par on {} (from {from} bytes, chunks of {chunk}, {} threads)",
                relu.backend(),
                rayon::current_num_threads()
            ),
        }
    }
}

/// What an operation computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `src` to `dst` (in place: `x`).
    Forward,
    /// `x` and `dy` to `dx` (in place: `dy` becomes `dx`).
    Backward,
    /// As `Forward`, returning the number of `+0` outputs.
    Count,
}

/// The parameters an operation takes, besides its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Takes {
    Nothing,
    /// `alpha`.
    Alpha,
    /// `lo` and `hi`.
    Bounds,
    /// One value per channel (slopes, biases).
    Channel,
    /// One value per channel and a per-channel sum of the same length.
    ChannelAndSums,
    /// Per-channel sums, whose length is the number of channels.
    Sums,
}

impl Takes {
    /// Whether the data must be whole rows of channels.
    pub fn channels(self) -> bool {
        matches!(self, Takes::Channel | Takes::ChannelAndSums | Takes::Sums)
    }
}

/// The forms of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Out of place (`relu`, `relu_backward`).
    Main,
    /// In place (`relu_inplace`, `relu_backward_inplace`).
    Inplace,
    /// Into uninitialised memory (`relu_uninit`, `relu_backward_uninit`).
    Uninit,
}

pub const FORMS: [Form; 3] = [Form::Main, Form::Inplace, Form::Uninit];

/// Every parameter of every operation: each takes those it needs.
#[derive(Clone, Debug)]
pub struct Params<T: TestFloat> {
    pub alpha: T::W,
    pub lo: T,
    pub hi: T,
    /// Slopes (PReLU) or biases (bias + ReLU): one per channel.
    pub channel: Vec<T>,
    /// The per-channel sums' initial values (`dslopes`, `dbias`).
    pub sums: Vec<T::W>,
}

/// One call's operands. `out` is initialised memory except for
/// `Form::Uninit`; for `Form::Inplace` it holds the operand that becomes the
/// result (`x`, or `dy` for a gradient), and that one of `x`, `dy` is not
/// read. `channel` is `p.channel` or a copy of it elsewhere in memory.
pub struct Call<'a, T: TestFloat> {
    pub x: &'a [T],
    pub dy: &'a [T],
    pub out: &'a mut [MaybeUninit<T>],
    pub p: &'a Params<T>,
    pub channel: &'a [T],
    pub sums: &'a mut [T::W],
}

/// An operation's contract: the output for `x` (and `dy`), with `sums`
/// updated.
pub type Contract<T> =
    fn(x: &[T], dy: &[T], p: &Params<T>, sums: &mut [<T as TestFloat>::W]) -> Vec<T>;

/// One operation: a row of the table.
pub struct Op<T: TestFloat> {
    pub name: &'static str,
    pub kind: Kind,
    pub takes: Takes,
    pub want: Contract<T>,
    /// Runs one form; returns the zero count (`Kind::Count`) or 0.
    pub run: fn(api: Api, form: Form, call: Call<'_, T>) -> usize,
}

impl<T: TestFloat> Op<T> {
    /// The function's name in `form`.
    pub fn form_name(&self, form: Form) -> String {
        let backward = if self.kind == Kind::Backward {
            "_backward"
        } else {
            ""
        };
        let suffix = match form {
            Form::Main => "",
            Form::Inplace => "_inplace",
            Form::Uninit => "_uninit",
        };
        format!("{}{backward}{suffix}", self.name)
    }
}

/// Initialised memory seen as uninitialised, for [`Call::out`]: the
/// operations only write initialised `T`s to it, so it stays initialised.
pub fn as_uninit<T: Copy>(dst: &mut [T]) -> &mut [MaybeUninit<T>] {
    // SAFETY: `MaybeUninit<T>` has the layout of `T`; whoever writes through
    // the result writes initialised `T`s (the operations under test do).
    unsafe { &mut *(dst as *mut [T] as *mut [MaybeUninit<T>]) }
}

/// [`Call::out`] of a form other than `Form::Uninit`, which is initialised.
fn init<T: Copy>(out: &mut [MaybeUninit<T>]) -> &mut [T] {
    // SAFETY: `Call::out` is initialised memory for every form but
    // `Form::Uninit` (its documented contract), and only those forms call
    // this; `MaybeUninit<T>` has the layout of `T`.
    unsafe { &mut *(out as *mut [MaybeUninit<T>] as *mut [T]) }
}

/// Calls `$name` on the handle or as a free function.
macro_rules! api_call {
    ($api:expr, $name:ident ( $($arg:expr),* )) => {
        match $api {
            Api::Method(relu) => relu.$name($($arg),*),
            Api::Free => relu_simd::$name($($arg),*),
            #[cfg(feature = "rayon")]
            Api::Par { relu, from, chunk } => {
                relu_simd::par::with_setting(relu, from, chunk, || relu_simd::par::$name($($arg),*))
            }
        }
    };
}

/// The three forms of one row, called with `$c`'s operands.
macro_rules! forms {
    (Forward, $api:ident, $form:ident, $c:ident, $main:ident, $inplace:ident, $uninit:ident, [$($arg:expr),*]) => {
        match $form {
            Form::Main => api_call!($api, $main($c.x, init($c.out) $(, $arg)*)),
            Form::Inplace => api_call!($api, $inplace(init($c.out) $(, $arg)*)),
            Form::Uninit => {
                let ptr = $c.out.as_ptr().cast::<T>();
                let y = api_call!($api, $uninit($c.x, $c.out $(, $arg)*));
                assert_eq!(y.as_ptr(), ptr, "{} returned another slice", stringify!($uninit));
            }
        }
    };
    (Backward, $api:ident, $form:ident, $c:ident, $main:ident, $inplace:ident, $uninit:ident, [$($arg:expr),*]) => {
        match $form {
            Form::Main => api_call!($api, $main($c.x, $c.dy, init($c.out) $(, $arg)*)),
            Form::Inplace => api_call!($api, $inplace($c.x, init($c.out) $(, $arg)*)),
            Form::Uninit => {
                let ptr = $c.out.as_ptr().cast::<T>();
                let y = api_call!($api, $uninit($c.x, $c.dy, $c.out $(, $arg)*));
                assert_eq!(y.as_ptr(), ptr, "{} returned another slice", stringify!($uninit));
            }
        }
    };
}

/// The table: `kind name (forms) takes |params, channel, sums| [arguments]
/// => contract`.
macro_rules! table {
    ($(
        $kind:ident $name:ident ($main:ident, $inplace:ident, $uninit:ident) $takes:ident
            |$p:ident, $ch:ident, $s:ident| [$($arg:expr),*] => $want:expr;
    )*) => {
        /// Every operation, in the order of the README.
        pub fn operations<T: TestFloat>() -> Vec<Op<T>> {
            vec![$(Op {
                name: stringify!($name),
                kind: Kind::$kind,
                takes: Takes::$takes,
                want: $want,
                run: |api, form, c| {
                    #[allow(unused_variables)]
                    let ($p, $ch, $s) = (c.p, c.channel, c.sums);
                    table!(@run $kind, api, form, c, $main, $inplace, $uninit, [$($arg),*])
                },
            }),*]
        }
    };
    (@run Count, $api:ident, $form:ident, $c:ident, $main:ident, $inplace:ident, $uninit:ident, []) => {
        match $form {
            Form::Main => api_call!($api, $main($c.x, init($c.out))),
            Form::Inplace => api_call!($api, $inplace(init($c.out))),
            Form::Uninit => {
                let ptr = $c.out.as_ptr().cast::<T>();
                let (y, n) = api_call!($api, $uninit($c.x, $c.out));
                assert_eq!(y.as_ptr(), ptr, "{} returned another slice", stringify!($uninit));
                n
            }
        }
    };
    (@run $kind:ident, $($rest:tt)*) => {{
        forms!($kind, $($rest)*);
        0
    }};
}

table! {
    Forward relu (relu, relu_inplace, relu_uninit) Nothing |p, ch, s| []
        => |x, _, _, _| each(x, oracle::relu);
    Backward relu (relu_backward, relu_backward_inplace, relu_backward_uninit) Nothing |p, ch, s| []
        => |x, dy, _, _| each2(x, dy, oracle::relu_backward);
    Count relu_count_inactive
        (relu_count_inactive, relu_count_inactive_inplace, relu_count_inactive_uninit) Nothing
        |p, ch, s| [] => |x, _, _, _| each(x, oracle::relu);
    Forward leaky_relu (leaky_relu, leaky_relu_inplace, leaky_relu_uninit) Alpha
        |p, ch, s| [T::lib_wide(p.alpha)] => |x, _, p, _| each(x, |v| oracle::leaky_relu(v, p.alpha));
    Backward leaky_relu
        (leaky_relu_backward, leaky_relu_backward_inplace, leaky_relu_backward_uninit) Alpha
        |p, ch, s| [T::lib_wide(p.alpha)]
        => |x, dy, p, _| each2(x, dy, |v, d| oracle::leaky_relu_backward(v, d, p.alpha));
    Forward prelu (prelu, prelu_inplace, prelu_uninit) Channel |p, ch, s| [ch]
        => |x, _, p, _| broadcast(x, &p.channel, |v, a| oracle::leaky_relu(v, a.widen()));
    Backward prelu (prelu_backward, prelu_backward_inplace, prelu_backward_uninit) ChannelAndSums
        |p, ch, s| [ch, T::lib(s)] => |x, dy, p, s| oracle::prelu_backward(x, dy, &p.channel, s);
    Forward clamp (clamp, clamp_inplace, clamp_uninit) Bounds |p, ch, s| [p.lo, p.hi]
        => |x, _, p, _| each(x, |v| oracle::clamp(v, p.lo, p.hi));
    Backward clamp (clamp_backward, clamp_backward_inplace, clamp_backward_uninit) Bounds
        |p, ch, s| [p.lo, p.hi] => |x, dy, p, _| each2(x, dy, |v, d| oracle::clamp_backward(v, d, p.lo, p.hi));
    Forward relu6 (relu6, relu6_inplace, relu6_uninit) Nothing |p, ch, s| []
        => |x, _, _, _| each(x, |v| oracle::clamp(v, zero(), oracle::six()));
    Backward relu6 (relu6_backward, relu6_backward_inplace, relu6_backward_uninit) Nothing
        |p, ch, s| [] => |x, dy, _, _| each2(x, dy, |v, d| oracle::clamp_backward(v, d, zero(), oracle::six()));
    Forward bias_relu (bias_relu, bias_relu_inplace, bias_relu_uninit) Channel |p, ch, s| [ch]
        => |x, _, p, _| broadcast(x, &p.channel, oracle::bias_relu);
    Backward bias_relu (bias_relu_backward, bias_relu_backward_inplace, bias_relu_backward_uninit)
        Sums |p, ch, s| [T::lib(s)] => |y, dy, _, s| oracle::bias_relu_backward(y, dy, s);
}
