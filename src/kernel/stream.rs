//! How a loop moves registers to and from memory for each element type:
//! whole registers, or 16-bit elements widened to 32-bit lanes for
//! arithmetic, and the per-type conversions to the type arithmetic runs in;
//! and where it reads its inputs (at the output's offset, or an operand that
//! repeats).

use super::convert;
use super::isa::{Isa, Vector, copy_short};
use crate::element::Widen;
use core::marker::PhantomData;

/// How a loop moves registers to and from memory: [`Plain`] whole registers,
/// or [`Halves`] of 16-bit elements widened to 32-bit lanes.
pub trait Stream {
    /// The register.
    type Reg: Vector;
    /// Bytes of memory per register.
    const BYTES: usize;
    /// Loads `BYTES` bytes.
    ///
    /// # Safety
    /// As [`Vector::load`], for `BYTES` bytes.
    unsafe fn load(p: *const u8) -> Self::Reg;
    /// Stores `BYTES` bytes.
    ///
    /// # Safety
    /// As [`Vector::store`], for `BYTES` bytes.
    unsafe fn store(v: Self::Reg, p: *mut u8);
    /// Stores `BYTES` bytes at `p`, aligned to `BYTES`, non-temporal where
    /// the register's ISA has such stores for this layout.
    ///
    /// # Safety
    /// As [`Vector::store_stream`], for `BYTES` bytes.
    #[inline(always)]
    unsafe fn store_stream(v: Self::Reg, p: *mut u8) {
        // SAFETY: forwarded from the caller (an aligned store is a store).
        unsafe { Self::store(v, p) }
    }
    /// Loads `bytes < BYTES` bytes; the other lanes are zero.
    ///
    /// # Safety
    /// As [`Vector::load_partial`].
    unsafe fn load_partial(p: *const u8, bytes: usize) -> Self::Reg;
    /// Stores the first `bytes < BYTES` bytes.
    ///
    /// # Safety
    /// As [`Vector::store_partial`].
    unsafe fn store_partial(v: Self::Reg, p: *mut u8, bytes: usize);
}

/// Whole registers: the layout of `f32`, `f64`, and of the 16-bit types in
/// integer-only kernels.
pub struct Plain<V>(PhantomData<V>);

impl<V: Vector> Stream for Plain<V> {
    type Reg = V;
    const BYTES: usize = V::BYTES;
    #[inline(always)]
    unsafe fn load(p: *const u8) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { V::load(p) }
    }
    #[inline(always)]
    unsafe fn store(v: V, p: *mut u8) {
        // SAFETY: forwarded from the caller.
        unsafe { v.store(p) }
    }
    #[inline(always)]
    unsafe fn store_stream(v: V, p: *mut u8) {
        // SAFETY: forwarded from the caller.
        unsafe { v.store_stream(p) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const u8, bytes: usize) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { V::load_partial(p, bytes) }
    }
    #[inline(always)]
    unsafe fn store_partial(v: V, p: *mut u8, bytes: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { v.store_partial(p, bytes) }
    }
}

/// 16-bit elements (f16, bf16) sign-extended to 32-bit lanes, where they are
/// converted to `f32` for arithmetic. Half a register of memory per register.
pub struct Halves<V>(PhantomData<V>);

impl<V: Vector> Stream for Halves<V> {
    type Reg = V;
    const BYTES: usize = V::BYTES / 2;
    #[inline(always)]
    unsafe fn load(p: *const u8) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { V::load_halves(p) }
    }
    #[inline(always)]
    unsafe fn store(v: V, p: *mut u8) {
        // SAFETY: forwarded from the caller.
        unsafe { v.store_halves(p) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const u8, bytes: usize) -> V {
        debug_assert!(bytes < Self::BYTES);
        let mut buf = core::mem::MaybeUninit::<V>::zeroed();
        // SAFETY: `p` is readable for `bytes` bytes (caller); `buf` is a
        // zeroed (hence initialised) register of `BYTES * 2 > bytes` bytes.
        unsafe {
            copy_short(p, buf.as_mut_ptr().cast::<u8>(), bytes);
            V::load_halves(buf.as_ptr().cast::<u8>())
        }
    }
    #[inline(always)]
    unsafe fn store_partial(v: V, p: *mut u8, bytes: usize) {
        debug_assert!(bytes < Self::BYTES);
        let mut buf = core::mem::MaybeUninit::<V>::uninit();
        // SAFETY: `buf` is writable for `BYTES * 2` bytes and its first
        // `BYTES > bytes` are initialised by `store_halves`; `p` is writable
        // for `bytes` bytes (caller).
        unsafe {
            v.store_halves(buf.as_mut_ptr().cast::<u8>());
            copy_short(buf.as_ptr().cast::<u8>(), p, bytes);
        }
    }
}

/// What the kernels need to know about an element type beyond its
/// [`Widen`]: how its registers are loaded for arithmetic, and how they are
/// converted to and from the type arithmetic runs in.
pub trait Layout: Widen {
    /// How arithmetic kernels load registers of `V`: whole for `f32` and
    /// `f64`, widened halves for `f16` and `bf16`.
    type Stream<V: Isa>: Stream<Reg = V>;

    /// [`to_wide`](Widen::to_wide) on every lane of `v` (bits in `Lane`s,
    /// as loaded by `Stream`), giving `Wide` bits.
    ///
    /// # Safety
    /// The CPU has the ISA of `V`.
    unsafe fn widen<V: Isa>(v: V) -> V;

    /// [`from_wide`](Widen::from_wide) on every lane of `v`, giving the bits
    /// in the low bits of each `Lane`, as `Stream` stores them.
    ///
    /// # Safety
    /// The CPU has the ISA of `V`.
    unsafe fn narrow<V: Isa>(v: V) -> V;
}

/// Implements [`Layout`] for an element type.
macro_rules! layout {
    ($t:ty, $stream:ident, $widen:path, $narrow:path) => {
        impl Layout for $t {
            type Stream<V: Isa> = $stream<V>;

            #[inline(always)]
            unsafe fn widen<V: Isa>(v: V) -> V {
                // SAFETY: forwarded from the caller.
                unsafe { $widen(v) }
            }

            #[inline(always)]
            unsafe fn narrow<V: Isa>(v: V) -> V {
                // SAFETY: forwarded from the caller.
                unsafe { $narrow(v) }
            }
        }
    };
}

layout!(f32, Plain, convert::same, convert::same);
layout!(f64, Plain, convert::same, convert::same);
layout!(half::f16, Halves, convert::f16_to_f32, convert::f32_to_f16);
layout!(
    half::bf16,
    Halves,
    convert::bf16_to_f32,
    convert::f32_to_bf16
);

/// Registers per step of the loops of `map.rs`.
pub(crate) const UNROLL: usize = 4;

/// Where a loop (`map.rs`) reads the registers of its `N` inputs for each
/// output register: in the input streams at the output's offset
/// (`[*const u8; N]`), or [`Repeating`].
pub(crate) trait Inputs<S: Stream, const N: usize>: Copy {
    /// Where the registers for the output's offset `at` are.
    type At: Copy;

    /// The place of the output's offset `at`.
    fn at(self, at: usize) -> Self::At;

    /// The output's offset of a place.
    fn offset(self, from: Self::At) -> usize;

    /// The place `by <= UNROLL * S::BYTES` bytes past `from`.
    fn on(self, from: Self::At, by: usize) -> Self::At;

    /// The registers `k < UNROLL * S::BYTES` bytes past `from`.
    ///
    /// # Safety
    /// They are inside the inputs (the caller keeps `at + k` inside the
    /// output, and `Repeating`'s pattern covers what that reads); the CPU
    /// has the ISA of `S::Reg`.
    unsafe fn load(self, from: Self::At, k: usize) -> [S::Reg; N];

    /// The registers of the first `bytes < S::BYTES` bytes.
    ///
    /// # Safety
    /// As [`load`](Self::load).
    unsafe fn load_partial(self, bytes: usize) -> [S::Reg; N];
}

/// The input streams, each read at the output's offset.
impl<S: Stream, const N: usize> Inputs<S, N> for [*const u8; N] {
    type At = usize;

    #[inline(always)]
    fn at(self, at: usize) -> usize {
        at
    }

    #[inline(always)]
    fn offset(self, from: usize) -> usize {
        from
    }

    #[inline(always)]
    fn on(self, from: usize, by: usize) -> usize {
        from + by
    }

    #[inline(always)]
    unsafe fn load(self, from: usize, k: usize) -> [S::Reg; N] {
        // SAFETY: forwarded from the caller.
        self.map(|p| unsafe { S::load(p.add(from + k)) })
    }

    #[inline(always)]
    unsafe fn load_partial(self, bytes: usize) -> [S::Reg; N] {
        // SAFETY: forwarded from the caller.
        self.map(|p| unsafe { S::load_partial(p, bytes) })
    }
}

/// A stream and an operand that repeats: `pattern` holds the operand's
/// bytes from the stream's start, which repeat every `period` bytes, and is
/// read at the output's offset modulo `period`. `period` is at least
/// `UNROLL * S::BYTES` (so a step of the loop wraps at most once), and the
/// pattern holds `period + UNROLL * S::BYTES` bytes, or as many as the
/// output if fewer (what the loop reads: it wraps between steps).
///
/// `STEP`: the period is one step of the loop (`UNROLL * S::BYTES`), so
/// every step reads the same registers of the pattern, at addresses the
/// loop need not move: on the Sapphire Rapids-class VM, `bias_relu` over
/// 2,048 `f32` with 64 channels took 98.5 ns with the offset wrapped at
/// every step, 78 ns with this (`relu`: 60-63 ns).
#[derive(Clone, Copy)]
pub(crate) struct Repeating<const STEP: bool> {
    pub(crate) stream: *const u8,
    pub(crate) pattern: *const u8,
    pub(crate) period: usize,
}

impl<S: Stream, const STEP: bool> Inputs<S, 2> for Repeating<STEP> {
    /// The offsets in the stream and in the pattern.
    type At = (usize, usize);

    #[inline(always)]
    fn at(self, at: usize) -> (usize, usize) {
        // No division where the offset is inside the first period (every
        // one but the last register's: the loop starts within one register).
        let wrapped = if at < self.period {
            at
        } else {
            at % self.period
        };
        (at, wrapped)
    }

    #[inline(always)]
    fn offset(self, (at, _): (usize, usize)) -> usize {
        at
    }

    #[inline(always)]
    fn on(self, (at, w): (usize, usize), by: usize) -> (usize, usize) {
        if STEP && by == UNROLL * S::BYTES {
            debug_assert_eq!(self.period, by);
            return (at + by, w);
        }
        let w = w + by;
        (at + by, if w >= self.period { w - self.period } else { w })
    }

    #[inline(always)]
    unsafe fn load(self, (at, w): (usize, usize), k: usize) -> [S::Reg; 2] {
        // SAFETY: forwarded from the caller.
        unsafe {
            [
                S::load(self.stream.add(at + k)),
                S::load(self.pattern.add(w + k)),
            ]
        }
    }

    #[inline(always)]
    unsafe fn load_partial(self, bytes: usize) -> [S::Reg; 2] {
        // SAFETY: forwarded from the caller.
        unsafe {
            [
                S::load_partial(self.stream, bytes),
                S::load_partial(self.pattern, bytes),
            ]
        }
    }
}
