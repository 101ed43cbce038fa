//! The element-wise loop, written once over the [`Vector`] and [`Lanes`] traits
//! that each ISA backend implements.
//!
//! A backend only says how to load, store and compare one register; the loop,
//! the unrolling, the tail and the ReLU logic live here, so every backend runs
//! the same algorithm and they cannot drift apart.

use crate::Element;

/// One SIMD register, seen as raw bytes.
///
/// # Safety
///
/// Every method may use instructions of the implementing ISA: callers must have
/// checked that the CPU supports it (see [`crate::Backend::is_supported`]).
pub(crate) trait Vector: Copy {
    /// Width of the register in bytes.
    const BYTES: usize;

    /// Loads `BYTES` bytes from `p` (no alignment needed).
    ///
    /// # Safety
    /// `p` is valid for reads of `BYTES` bytes; the CPU has this ISA.
    unsafe fn load(p: *const u8) -> Self;

    /// Stores `BYTES` bytes to `p` (no alignment needed).
    ///
    /// # Safety
    /// `p` is valid for writes of `BYTES` bytes; the CPU has this ISA.
    unsafe fn store(self, p: *mut u8);

    /// Loads the first `bytes < BYTES` bytes from `p`; the other lanes are zero.
    ///
    /// The default goes through a register-sized buffer on the stack; ISAs with
    /// masked loads (AVX-512) override it.
    ///
    /// # Safety
    /// `p` is valid for reads of `bytes` bytes; the CPU has this ISA.
    #[inline(always)]
    unsafe fn load_partial(p: *const u8, bytes: usize) -> Self {
        debug_assert!(bytes < Self::BYTES);
        let mut buf = core::mem::MaybeUninit::<Self>::zeroed();
        // SAFETY: `p` is readable for `bytes` bytes (caller) and `buf` is
        // writable for `BYTES > bytes` bytes; every bit pattern, zero included,
        // is a valid SIMD register, so the zeroed buffer is initialised and
        // can be loaded whole.
        unsafe {
            core::ptr::copy_nonoverlapping(p, buf.as_mut_ptr().cast::<u8>(), bytes);
            Self::load(buf.as_ptr().cast::<u8>())
        }
    }

    /// Stores the first `bytes < BYTES` bytes of `self` to `p` and nothing else.
    ///
    /// # Safety
    /// `p` is valid for writes of `bytes` bytes; the CPU has this ISA.
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut u8, bytes: usize) {
        debug_assert!(bytes < Self::BYTES);
        let mut buf = core::mem::MaybeUninit::<Self>::uninit();
        // SAFETY: `buf` is writable for `BYTES` bytes and readable for `bytes`
        // of them once stored; `p` is writable for `bytes` bytes (caller).
        unsafe {
            self.store(buf.as_mut_ptr().cast::<u8>());
            core::ptr::copy_nonoverlapping(buf.as_ptr().cast::<u8>(), p, bytes);
        }
    }
}

/// Signed-integer operations on the lanes of a [`Vector`], for lanes of type `I`
/// (`i16`, `i32` or `i64`: the bit patterns of the floats).
pub(crate) trait Lanes<I>: Vector {
    /// A lane mask: a vector of all-ones / all-zeros lanes, or an AVX-512 mask register.
    type Mask: Copy;

    /// Every lane set to `x`.
    ///
    /// # Safety
    /// The CPU has this ISA.
    unsafe fn splat(x: I) -> Self;

    /// Lanes where `self > other` as signed integers.
    ///
    /// # Safety
    /// The CPU has this ISA.
    unsafe fn gt(self, other: Self) -> Self::Mask;

    /// Lanes where `self == other`.
    ///
    /// # Safety
    /// The CPU has this ISA.
    unsafe fn eq(self, other: Self) -> Self::Mask;

    /// Lanes set in `a` and not in `b`.
    ///
    /// # Safety
    /// The CPU has this ISA.
    unsafe fn and_not(a: Self::Mask, b: Self::Mask) -> Self::Mask;

    /// `v` in the lanes set in `mask`, zero bits in the others.
    ///
    /// # Safety
    /// The CPU has this ISA.
    unsafe fn zero_unless(mask: Self::Mask, v: Self) -> Self;
}

/// The raw kernels of one backend for one element type.
///
/// Each takes pointers to `len` elements. The output may be the same pointer as
/// an input (in place) but must not overlap it otherwise.
#[derive(Clone, Copy)]
pub struct Kernels<T> {
    /// `dst[i] = relu(src[i])`.
    pub(crate) relu: unsafe fn(src: *const T, dst: *mut T, len: usize),
    /// `dx[i] = relu'(x[i]) * dy[i]`.
    pub(crate) relu_backward: unsafe fn(x: *const T, dy: *const T, dx: *mut T, len: usize),
}

/// Applies `op` to `N` input streams of `bytes` bytes each and writes one
/// output stream, a whole vector at a time (no scalar loop):
///
/// - shorter than one vector: one partial vector (masked, or through a buffer);
/// - otherwise the first and the last full vectors are computed first; then
///   the vectors in between run (unrolled by 4) from the first offset where
///   `out` is aligned to a vector, so that no store of the loop splits a cache
///   line; then the first and last vectors are stored. They may overlap the
///   loop's vectors.
///
/// Every input is read before the output is written at the same offset, and
/// the first and last vectors are computed from inputs read before any store,
/// so `out` may equal one of the inputs, and `op` need not be idempotent.
///
/// # Safety
/// Each input is readable and `out` writable for `bytes` bytes; the CPU has the
/// ISA of `V`.
#[inline(always)]
unsafe fn map<V: Vector, const N: usize>(
    inputs: [*const u8; N],
    out: *mut u8,
    bytes: usize,
    op: impl Fn([V; N]) -> V,
) {
    const UNROLL: usize = 4;
    // SAFETY: every full-vector access is at `at` with `at + BYTES <= bytes`
    // (`at < last`, or `at` is 0 or `last = bytes - BYTES`), and the partial
    // access covers exactly `bytes`, so all stay inside the streams the caller
    // vouched for. `bytes` fits in `isize` (it is the size of a slice), so no
    // offset or sum below overflows.
    unsafe {
        if bytes < V::BYTES {
            if bytes > 0 {
                op(inputs.map(|p| V::load_partial(p, bytes))).store_partial(out, bytes);
            }
            return;
        }
        let last = bytes - V::BYTES;
        let first = op(inputs.map(|p| V::load(p)));
        let tail = op(inputs.map(|p| V::load(p.add(last))));
        // The first offset after 0 where `out` is vector-aligned (`BYTES` is a
        // power of two); `first` covers everything before it.
        let mut at = V::BYTES - out.addr() % V::BYTES;
        while at + UNROLL * V::BYTES <= last {
            for k in 0..UNROLL {
                let at = at + k * V::BYTES;
                op(inputs.map(|p| V::load(p.add(at)))).store(out.add(at));
            }
            at += UNROLL * V::BYTES;
        }
        while at < last {
            op(inputs.map(|p| V::load(p.add(at)))).store(out.add(at));
            at += V::BYTES;
        }
        first.store(out);
        tail.store(out.add(last));
    }
}

// Why these two kernels are exact, for every format (f16, bf16, f32, f64) and
// whatever the CPU's denormal or rounding mode:
//
// Read a float's bits as a signed integer. The sign bit makes every negative
// value (`-0.0` included) negative, and among negatives a larger magnitude
// field is a *larger* integer. So in signed-integer order:
//
//   -0.0 < negative numbers < -inf < negative NaNs < +0.0 < positives < +inf < positive NaNs
//
// `bits > bits(-inf)` therefore holds exactly for NaNs of either sign, `+0.0`
// and everything above it. Keeping those lanes and zeroing the rest gives
// `max(+0, x)` with NaN bits untouched (`+0.0` keeps itself, which is the
// answer). No float instruction is involved, so nothing can quiet a signalling
// NaN, flush a subnormal (DAZ/FTZ) or pick an operand on unordered input, as
// `maxps` does. The gradient also needs `x == +0.0` out (relu'(0) = 0); its
// bit pattern is the integer 0.

/// `dst = relu(src)` over `len` elements.
///
/// # Safety
/// `src` readable and `dst` writable for `len` elements (they may be equal);
/// the CPU has the ISA of `V`.
#[inline(always)]
pub(crate) unsafe fn relu<V: Lanes<T::Bits>, T: Element>(src: *const T, dst: *mut T, len: usize) {
    // SAFETY: forwarded from the caller; `len` elements are `len * size_of::<T>()` bytes.
    unsafe {
        let neg_inf = V::splat(T::NEG_INF_BITS);
        map::<V, 1>([src.cast()], dst.cast(), len * size_of::<T>(), |[x]| {
            V::zero_unless(x.gt(neg_inf), x)
        });
    }
}

/// `dx = dy` where `x > 0` or `x` is NaN, else `+0`, over `len` elements.
///
/// # Safety
/// `x`, `dy` readable and `dx` writable for `len` elements (`dx` may equal
/// `dy` or `x`); the CPU has the ISA of `V`.
#[inline(always)]
pub(crate) unsafe fn relu_backward<V: Lanes<T::Bits>, T: Element>(
    x: *const T,
    dy: *const T,
    dx: *mut T,
    len: usize,
) {
    // SAFETY: forwarded from the caller; `len` elements are `len * size_of::<T>()` bytes.
    unsafe {
        let neg_inf = V::splat(T::NEG_INF_BITS);
        let zero = V::splat(T::ZERO_BITS);
        map::<V, 2>(
            [x.cast(), dy.cast()],
            dx.cast(),
            len * size_of::<T>(),
            |[x, dy]| V::zero_unless(V::and_not(x.gt(neg_inf), x.eq(zero)), dy),
        );
    }
}

/// Defines a backend's `relu`, `relu_backward` and `kernels`, instantiating the
/// generic kernels above for the vector type `$vector` inside functions
/// compiled with `$features`, so that the ISA's intrinsics inline.
macro_rules! backend_kernels {
    ($vector:ty $(, target_feature = $features:literal)?) => {
        /// [`crate::kernel::relu`] compiled for this backend.
        ///
        /// # Safety
        /// As [`crate::kernel::relu`].
        $(#[target_feature(enable = $features)])?
        unsafe fn relu<T: $crate::Element>(src: *const T, dst: *mut T, len: usize)
        where
            $vector: $crate::kernel::Lanes<T::Bits>,
        {
            // SAFETY: forwarded from the caller.
            unsafe { $crate::kernel::relu::<$vector, T>(src, dst, len) }
        }

        /// [`crate::kernel::relu_backward`] compiled for this backend.
        ///
        /// # Safety
        /// As [`crate::kernel::relu_backward`].
        $(#[target_feature(enable = $features)])?
        unsafe fn relu_backward<T: $crate::Element>(
            x: *const T,
            dy: *const T,
            dx: *mut T,
            len: usize,
        ) where
            $vector: $crate::kernel::Lanes<T::Bits>,
        {
            // SAFETY: forwarded from the caller.
            unsafe { $crate::kernel::relu_backward::<$vector, T>(x, dy, dx, len) }
        }

        /// This backend's kernels for `T`. Calling them is only sound where
        /// the CPU supports the backend.
        pub(crate) const fn kernels<T: $crate::Element>() -> $crate::kernel::Kernels<T>
        where
            $vector: $crate::kernel::Lanes<T::Bits>,
        {
            $crate::kernel::Kernels {
                relu: relu::<T>,
                relu_backward: relu_backward::<T>,
            }
        }
    };
}
pub(crate) use backend_kernels;
