//! How a loop moves registers to and from memory for each element type:
//! whole registers, or 16-bit elements widened to 32-bit lanes for
//! arithmetic, and the per-type conversions to the type arithmetic runs in.

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
