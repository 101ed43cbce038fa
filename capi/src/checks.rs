//! The status codes and the checks that run before any call: the backend
//! override, NULL pointers, channels, clamp bounds and overlaps.

use core::ffi::{CStr, c_int};
use core::panic::AssertUnwindSafe;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
use relu::Backend;
use relu::half::{bf16, f16};

/// Success.
pub const RELU_SIMD_OK: c_int = 0;
/// A pointer is NULL while its length (`n`, or `channels` for a per-channel
/// operand) is not 0, or the count pointer is NULL.
pub const RELU_SIMD_ERR_NULL: c_int = 1;
/// `n` is not a whole number of rows of `channels` elements, or `channels`
/// is 0 while `n` is not.
pub const RELU_SIMD_ERR_CHANNELS: c_int = 2;
/// A clamp bound is NaN, or `lo > hi` (with `-0.0 < +0.0`).
pub const RELU_SIMD_ERR_BOUNDS: c_int = 3;
/// An output overlaps an input or another output (other than `dst == src`
/// or `dx == dy` in an out-of-place form, which runs the in-place form).
pub const RELU_SIMD_ERR_OVERLAP: c_int = 4;
/// The environment variable `RELU_SIMD_BACKEND` names no backend, or one
/// this CPU cannot run.
pub const RELU_SIMD_ERR_BACKEND: c_int = 5;
/// A bug in relu-simd: a Rust panic was caught at the C boundary (the
/// checks should make this impossible); the output may be partly written.
pub const RELU_SIMD_ERR_INTERNAL: c_int = 6;

pub(crate) fn describe(status: c_int) -> &'static CStr {
    match status {
        RELU_SIMD_OK => c"ok",
        RELU_SIMD_ERR_NULL => c"a pointer is NULL while its length is not 0",
        RELU_SIMD_ERR_CHANNELS => c"n is not a whole number of rows of channels elements",
        RELU_SIMD_ERR_BOUNDS => c"a clamp bound is NaN, or lo > hi",
        RELU_SIMD_ERR_OVERLAP => c"an output overlaps an input or another output",
        RELU_SIMD_ERR_BACKEND => c"RELU_SIMD_BACKEND is not a backend this CPU supports",
        RELU_SIMD_ERR_INTERNAL => c"internal error (a bug in relu-simd)",
        _ => c"unknown status",
    }
}

/// A check's outcome: `Err` holds the status to return.
pub(crate) type Checked = Result<(), c_int>;

/// Runs `f` and returns its status; a panic (a bug: the checks come first so
/// that none can happen) becomes [`RELU_SIMD_ERR_INTERNAL`] rather than
/// unwinding into C.
#[inline(always)]
pub(crate) fn guard(f: impl FnOnce() -> Checked) -> c_int {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => RELU_SIMD_OK,
        Ok(Err(status)) => status,
        Err(_) => RELU_SIMD_ERR_INTERNAL,
    }
}

/// Whether `RELU_SIMD_BACKEND` was found valid: not yet checked, valid,
/// invalid.
static BACKEND: AtomicU8 = AtomicU8::new(UNCHECKED);
const UNCHECKED: u8 = 0;
const VALID: u8 = 1;
const INVALID: u8 = 2;

/// `Ok` once the active backend is known without a panic: the Rust crate
/// panics on first use if `RELU_SIMD_BACKEND` is invalid, so it is read and
/// checked here first, as the crate reads it, then the crate's detection is
/// run (and cached) at once.
#[inline(always)]
pub(crate) fn ready() -> Checked {
    match BACKEND.load(Relaxed) {
        VALID => Ok(()),
        INVALID => Err(RELU_SIMD_ERR_BACKEND),
        _ => check_backend(),
    }
}

#[cold]
#[inline(never)]
fn check_backend() -> Checked {
    let valid = match std::env::var_os("RELU_SIMD_BACKEND") {
        None => true,
        Some(value) => {
            let value = value.to_string_lossy();
            let value = value.trim();
            value.is_empty() || value.parse::<Backend>().is_ok_and(Backend::is_supported)
        }
    };
    // Still in `guard`: should the variable change between the check and the
    // crate's own read, its panic becomes a status, not an abort.
    let valid = valid && std::panic::catch_unwind(Backend::active).is_ok();
    BACKEND.store(if valid { VALID } else { INVALID }, Relaxed);
    if valid {
        Ok(())
    } else {
        Err(RELU_SIMD_ERR_BACKEND)
    }
}

/// `Err(RELU_SIMD_ERR_NULL)` if `p` is NULL while `len > 0`.
#[inline(always)]
pub(crate) fn nonnull<P>(p: *const P, len: usize) -> Checked {
    if p.is_null() && len > 0 {
        Err(RELU_SIMD_ERR_NULL)
    } else {
        Ok(())
    }
}

/// `Err(RELU_SIMD_ERR_CHANNELS)` unless `n` is a whole number of rows of
/// `channels` (an empty `n` fits any `channels`, 0 included).
#[inline(always)]
pub(crate) fn channels(n: usize, channels: usize) -> Checked {
    if n == 0 || (channels > 0 && n.is_multiple_of(channels)) {
        Ok(())
    } else {
        Err(RELU_SIMD_ERR_CHANNELS)
    }
}

/// An element type's value as `f64` (exact for every type), for the bounds
/// check.
pub(crate) trait Bound: Copy {
    fn to_f64(self) -> f64;
}

impl Bound for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Bound for f64 {
    fn to_f64(self) -> f64 {
        self
    }
}

impl Bound for f16 {
    fn to_f64(self) -> f64 {
        f16::to_f64(self)
    }
}

impl Bound for bf16 {
    fn to_f64(self) -> f64 {
        bf16::to_f64(self)
    }
}

/// An element type from its C type (`u16` bits for the halves).
pub(crate) trait FromC {
    type C;
    fn from_c(c: Self::C) -> Self;
}

macro_rules! from_c {
    ($($t:ty: $c:ty => $f:expr),*) => {$(
        impl FromC for $t {
            type C = $c;
            #[inline(always)]
            fn from_c(c: $c) -> $t {
                $f(c)
            }
        }
    )*};
}

from_c!(f32: f32 => f32::from, f64: f64 => f64::from, f16: u16 => f16::from_bits, bf16: u16 => bf16::from_bits);

/// `Err(RELU_SIMD_ERR_BOUNDS)` if a bound is NaN or `hi < lo`, where `-0.0 <
/// +0.0` (the crate's order).
#[inline(always)]
pub(crate) fn bounds<T: Bound>(lo: T, hi: T) -> Checked {
    let (lo, hi) = (lo.to_f64(), hi.to_f64());
    let zeros_reversed = hi == lo && hi.is_sign_negative() && lo.is_sign_positive();
    if lo.is_nan() || hi.is_nan() || hi < lo || zeros_reversed {
        Err(RELU_SIMD_ERR_BOUNDS)
    } else {
        Ok(())
    }
}

/// The bytes `[start, end)` of `len` elements at `p`.
pub(crate) type Span = (usize, usize);

#[inline(always)]
pub(crate) fn span<P>(p: *const P, len: usize) -> Span {
    let start = p.addr();
    (start, start.wrapping_add(len.wrapping_mul(size_of::<P>())))
}

/// `Err(RELU_SIMD_ERR_OVERLAP)` if an output shares a byte with another
/// output or an input (inputs may overlap each other).
#[inline(always)]
pub(crate) fn disjoint(outputs: &[Span], inputs: &[Span]) -> Checked {
    let overlap = |a: Span, b: Span| a.0 < a.1 && b.0 < b.1 && a.0 < b.1 && b.0 < a.1;
    for (i, &out) in outputs.iter().enumerate() {
        let others = outputs[i + 1..].iter().chain(inputs);
        if others.into_iter().any(|&other| overlap(out, other)) {
            return Err(RELU_SIMD_ERR_OVERLAP);
        }
    }
    Ok(())
}

/// `len` elements at `p` as a slice (an empty one when `len` is 0, whatever
/// `p` is).
///
/// # Safety
/// If `len > 0`, `p` is aligned and valid for `len` reads, and no `&mut`
/// to them lives as long as the slice.
#[inline(always)]
pub(crate) unsafe fn slice<'a, T>(p: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: the caller's promise.
        unsafe { core::slice::from_raw_parts(p, len) }
    }
}

/// `len` elements at `p` as a mutable slice (an empty one when `len` is 0).
///
/// # Safety
/// If `len > 0`, `p` is aligned and valid for `len` reads and writes, and
/// no other reference to them lives as long as the slice.
#[inline(always)]
pub(crate) unsafe fn slice_mut<'a, T>(p: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        // SAFETY: the caller's promise.
        unsafe { core::slice::from_raw_parts_mut(p, len) }
    }
}
