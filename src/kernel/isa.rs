//! The register traits each ISA backend implements: load and store, integer
//! lanes (compares, masks, shifts), IEEE arithmetic. Primitives only: the
//! loops and the operations are written once over them elsewhere.

use crate::element::Element;

/// Copies `n < 64` bytes from `src` to `dst` (which do not overlap) as two
/// possibly overlapping copies of the largest power of two not above `n`.
/// Unlike `copy_nonoverlapping` with a variable length, this is never a call
/// to `memcpy`, so a kernel whose tail goes through it needs no stack frame
/// on its other paths (a call made LLVM save registers on entry to every
/// two-input kernel, a few ns per call on short slices).
///
/// # Safety
/// `src` is readable and `dst` writable for `n < 64` bytes.
#[inline(always)]
pub(crate) unsafe fn copy_short(src: *const u8, dst: *mut u8, n: usize) {
    /// Copies bytes `0..K` and `n - K..n`.
    ///
    /// # Safety
    /// As `copy_short`, with `K <= n`.
    #[inline(always)]
    unsafe fn two<const K: usize>(src: *const u8, dst: *mut u8, n: usize) {
        // SAFETY: `K <= n`, so both `K`-byte ranges lie within the `n` bytes.
        unsafe {
            let (a, b) = (src.cast::<[u8; K]>(), src.add(n - K).cast::<[u8; K]>());
            let (a, b) = (a.read_unaligned(), b.read_unaligned());
            dst.cast::<[u8; K]>().write_unaligned(a);
            dst.add(n - K).cast::<[u8; K]>().write_unaligned(b);
        }
    }
    debug_assert!(n < 64);
    // SAFETY: each branch copies within the `n` bytes (`K <= n`).
    unsafe {
        if n >= 32 {
            two::<32>(src, dst, n)
        } else if n >= 16 {
            two::<16>(src, dst, n)
        } else if n >= 8 {
            two::<8>(src, dst, n)
        } else if n >= 4 {
            two::<4>(src, dst, n)
        } else if n >= 2 {
            two::<2>(src, dst, n)
        } else if n == 1 {
            *dst = *src;
        }
    }
}

/// One SIMD register, seen as raw bytes.
///
/// # Safety
///
/// Every method may use instructions of the implementing ISA: callers must have
/// checked that the CPU supports it (see [`crate::Backend::is_supported`]).
pub trait Vector: Copy {
    /// Width of the register in bytes.
    const BYTES: usize;

    /// Whether [`Lanes::store_where`] is one masked store instruction (AVX-512)
    /// rather than its default load, select and store.
    const MASKED_STORES: bool = false;

    /// Whether the ISA has masked loads, into which the compiler may merge a
    /// load and the zero-masking move after it (AVX-512), as
    /// [`separate_load`](Vector::separate_load) prevents; without them that
    /// is `self`, and the kernels make no choice.
    const MASKED_LOADS: bool = false;

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

    /// Stores `BYTES` bytes to `p`, which is aligned to `BYTES`, with a
    /// non-temporal store where the ISA has one (a hint to skip the caches;
    /// the caller orders it with `memory::fence`), else a regular store.
    ///
    /// # Safety
    /// As [`store`](Vector::store), and `p` is aligned to `BYTES`.
    #[inline(always)]
    unsafe fn store_stream(self, p: *mut u8) {
        // SAFETY: forwarded from the caller.
        unsafe { self.store(p) }
    }

    /// `self`, as a register its operations must take as it is: a load that
    /// produced it stays an instruction of its own. Where the ISA has
    /// zero-masking moves (AVX-512) the compiler would otherwise merge a
    /// load into the move that zeroes some of its lanes, a masked load that
    /// cannot start before its mask is computed, so that a loop over memory
    /// waits for one stream before it reads the other (see
    /// [`SeparateLoads`](super::ops::SeparateLoads)). The default is `self`.
    ///
    /// # Safety
    /// The CPU has this ISA.
    #[inline(always)]
    unsafe fn separate_load(self) -> Self {
        self
    }

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
            copy_short(p, buf.as_mut_ptr().cast::<u8>(), bytes);
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
            copy_short(buf.as_ptr().cast::<u8>(), p, bytes);
        }
    }

    /// Loads `BYTES / 2` bytes of 16-bit lanes from `p` and sign-extends each,
    /// in order, to a 32-bit lane.
    ///
    /// # Safety
    /// `p` is valid for reads of `BYTES / 2` bytes; the CPU has this ISA.
    unsafe fn load_halves(p: *const u8) -> Self;

    /// Stores the low 16 bits of each 32-bit lane, in order, to `BYTES / 2`
    /// bytes at `p`.
    ///
    /// # Safety
    /// `p` is valid for writes of `BYTES / 2` bytes; the CPU has this ISA.
    unsafe fn store_halves(self, p: *mut u8);

    /// Bitwise `self & other`.
    ///
    /// # Safety
    /// The CPU has this ISA.
    unsafe fn and(self, other: Self) -> Self;

    /// Bitwise `self | other`.
    ///
    /// # Safety
    /// The CPU has this ISA.
    unsafe fn or(self, other: Self) -> Self;

    /// Bitwise `self ^ other`.
    ///
    /// # Safety
    /// The CPU has this ISA.
    unsafe fn xor(self, other: Self) -> Self;
}

/// Integer operations on the lanes of a [`Vector`], for lanes of type `I`
/// (`i16`, `i32` or `i64`: the bit patterns of the floats).
pub trait Lanes<I>: Vector {
    /// A lane mask: a vector of all-ones / all-zeros lanes, or an AVX-512 mask register.
    type Mask: Copy;

    /// Every lane set to `x`.
    ///
    /// # Safety
    /// The CPU has this ISA (as for every method below).
    unsafe fn splat(x: I) -> Self;

    /// Lanes where `self > other` as signed integers.
    unsafe fn gt(self, other: Self) -> Self::Mask;

    /// Lanes where `self == other`.
    unsafe fn eq(self, other: Self) -> Self::Mask;

    /// Lanes set in both masks.
    unsafe fn both(a: Self::Mask, b: Self::Mask) -> Self::Mask;

    /// Lanes set in either mask.
    unsafe fn either(a: Self::Mask, b: Self::Mask) -> Self::Mask;

    /// Lanes set in `a` and not in `b`.
    unsafe fn and_not(a: Self::Mask, b: Self::Mask) -> Self::Mask;

    /// `v` in the lanes set in `mask`, zero bits in the others.
    unsafe fn zero_unless(mask: Self::Mask, v: Self) -> Self;

    /// `a` in the lanes set in `mask`, `b` in the others.
    unsafe fn select(mask: Self::Mask, a: Self, b: Self) -> Self;

    /// The larger of `self` and `other` in each lane, as signed integers. The
    /// default compares and selects; AVX-512 (every width), AVX2, NEON and
    /// simd128 (16- and 32-bit lanes) have one instruction.
    #[inline(always)]
    unsafe fn max(self, other: Self) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { Self::select(self.gt(other), self, other) }
    }

    /// The smaller of `self` and `other` in each lane, as signed integers.
    #[inline(always)]
    unsafe fn min(self, other: Self) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { Self::select(other.gt(self), self, other) }
    }

    /// The lanes whose float (`f32` in 32-bit lanes, `f64` in 64-bit ones)
    /// is above zero or NaN, by one float compare (`!(x <= 0)`), where the
    /// ISA has one for these lanes; `None` otherwise (the default, and every
    /// 16-bit lane, which holds f16 or bf16). Only for lanes that hold a
    /// float of their own width (an element's `Bits`, never f16 or bf16
    /// bits sign-extended to 32). Exact only while the CPU
    /// compares subnormal inputs as themselves
    /// ([`cpu::subnormals_kept`](crate::cpu::subnormals_kept)): with
    /// denormals-are-zero a positive subnormal compares as zero.
    #[inline(always)]
    unsafe fn above_zero_or_nan(self) -> Option<Self::Mask> {
        None
    }

    /// The lanes whose float is at most zero (`+0.0`, `-0.0`, the negatives
    /// and `-inf`; NaN false), by one float compare (`x <= 0`, quiet), as
    /// [`above_zero_or_nan`](Lanes::above_zero_or_nan) says.
    #[inline(always)]
    unsafe fn at_most_zero(self) -> Option<Self::Mask> {
        None
    }

    /// `self - other` as unsigned integers, `0` where `other` is larger, by
    /// one instruction where the backend uses it (AVX-512's `vpsubusw`, for
    /// 16-bit lanes); `None` otherwise (the default: AVX2 has `vpsubusw` too,
    /// but there it measured no faster than the compares it would replace).
    /// Only for lanes whose width is the format's own: the zero key it makes
    /// ([`Splats::zero_key`](super::steps::Splats::zero_key)) is wrong on
    /// 16-bit floats sign-extended to 32-bit lanes.
    #[inline(always)]
    unsafe fn sub_saturating(self, other: Self) -> Option<Self> {
        let _ = other;
        None
    }

    /// The larger float of `self` and `bound` (no NaN), and `self` itself
    /// where it is NaN or where both are zeros, by one instruction where the
    /// ISA has one (x86's `maxps` with `self` second); `None` otherwise, for
    /// the lanes [`above_zero_or_nan`](Lanes::above_zero_or_nan) says and
    /// under its condition. For a `bound` other than `+0.0` that is the max
    /// of IEEE total order (`-0.0 < +0.0`) with a NaN `self` kept, bits and
    /// all.
    #[inline(always)]
    unsafe fn float_max(self, bound: Self) -> Option<Self> {
        let _ = bound;
        None
    }

    /// [`float_max`](Lanes::float_max)'s min (`minps`): for a `bound` other
    /// than `-0.0`, the min of total order with a NaN `self` kept.
    #[inline(always)]
    unsafe fn float_min(self, bound: Self) -> Option<Self> {
        let _ = bound;
        None
    }

    /// Each lane of `self`, of `x`, `+0.0` or the sign-set canonical NaN
    /// ([`Pick`]), as `classes` picks by the class of `x`'s float in that
    /// lane, in one instruction where the ISA has one; `None` otherwise
    /// (the default), for the lanes
    /// [`above_zero_or_nan`](Lanes::above_zero_or_nan) says. The picked
    /// bits are moved, not computed: a NaN keeps its bits, signalling ones
    /// too. Exact under the same condition (with denormals-are-zero a
    /// subnormal `x` classes as zero).
    #[inline(always)]
    unsafe fn by_class(self, x: Self, classes: Classes) -> Option<Self> {
        let _ = (x, classes);
        None
    }

    /// The lanes whose first byte lies in `from..to` (byte offsets within
    /// the register, multiples of the lane width, `to <= BYTES`).
    unsafe fn lanes_between(from: usize, to: usize) -> Self::Mask;

    /// `counts` plus one in the lanes `mask` sets. The caller keeps every
    /// lane below its maximum as an unsigned integer, so the add neither
    /// wraps nor saturates ([`ZeroCount`](super::ops::ZeroCount)).
    unsafe fn count_into(counts: Self, mask: Self::Mask) -> Self;

    /// How many lanes `mask` sets, where that takes a few scalar
    /// instructions (an AVX-512 mask register's population count); `None`
    /// where it would take a reduction across lanes (the default).
    #[inline(always)]
    unsafe fn mask_count(mask: Self::Mask) -> Option<usize> {
        let _ = mask;
        None
    }

    /// Stores the lanes of `self` that `mask` sets to `p`, leaving the bytes
    /// of the other lanes as they are. The default loads the register at `p`,
    /// selects and stores it whole (no other thread may write those bytes
    /// meanwhile: the kernels own their output); AVX-512 overrides it with a
    /// masked store, which writes only the lanes set
    /// ([`MASKED_STORES`](Vector::MASKED_STORES)).
    ///
    /// # Safety
    /// `p` is valid for reads and writes of `BYTES` bytes.
    #[inline(always)]
    unsafe fn store_where(self, mask: Self::Mask, p: *mut u8) {
        // SAFETY: forwarded from the caller.
        unsafe { Self::select(mask, self, Self::load(p)).store(p) }
    }

    /// The sum of the lanes of `counts`, read as unsigned integers.
    #[inline(always)]
    unsafe fn sum(counts: Self) -> usize
    where
        I: bytemuck::Pod + Into<i64>,
    {
        let mut buf = core::mem::MaybeUninit::<[u8; 64]>::uninit();
        // SAFETY: `BYTES <= 64` (the widest register); the first `BYTES`
        // bytes of `buf` are initialised by the store.
        let bytes = unsafe {
            counts.store(buf.as_mut_ptr().cast::<u8>());
            core::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), Self::BYTES)
        };
        let width = u64::MAX >> (64 - 8 * size_of::<I>());
        let lanes = bytes.chunks_exact(size_of::<I>());
        lanes
            .map(|lane| (bytemuck::pod_read_unaligned::<I>(lane).into() as u64 & width) as usize)
            .sum()
    }

    /// Lane-wise wrapping `self + other`.
    unsafe fn add(self, other: Self) -> Self;

    /// Each lane shifted left by `n < lane bits`.
    unsafe fn shl(self, n: u32) -> Self;

    /// Each lane shifted right by `n < lane bits`, filling with zeros.
    unsafe fn shr(self, n: u32) -> Self;
}

/// IEEE 754 arithmetic on the lanes of a [`Vector`], for lanes of type `F`
/// (`f32` or `f64`), rounding to nearest even as the default floating-point
/// environment does. No fused multiply-add: each operation rounds once, as in
/// the scalar reference.
pub trait Float<F>: Vector {
    /// Every lane set to `x`.
    ///
    /// # Safety
    /// The CPU has this ISA (as for every method below).
    unsafe fn fsplat(x: F) -> Self;

    /// `self + other`.
    unsafe fn fadd(self, other: Self) -> Self;

    /// `self - other`.
    unsafe fn fsub(self, other: Self) -> Self;

    /// `self * other`.
    unsafe fn fmul(self, other: Self) -> Self;
}

/// What [`Lanes::by_class`] puts in a lane.
#[derive(Clone, Copy)]
pub enum Pick {
    /// The lane of `self`.
    Own,
    /// The lane of `x`.
    X,
    /// `+0.0`.
    Zero,
    /// The quiet NaN with the sign bit set and no payload (x86's "QNaN
    /// indefinite"): the canonical NaN with its sign bit set.
    NegativeNan,
}

/// A [`Pick`] for each class of float [`Lanes::by_class`] tells apart.
/// (Read only by the ISAs that have the instruction: AVX-512.)
#[derive(Clone, Copy)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub struct Classes {
    /// Quiet and signalling NaNs of either sign.
    pub nan: Pick,
    /// `+0.0`, `-0.0`, the negatives and `-inf`.
    pub at_most_zero: Pick,
    /// The positives (subnormals included) and `+inf`.
    pub above_zero: Pick,
}

/// Conversions between f16 and f32 in 32-bit lanes (the f16 bits in the low
/// 16 bits of a lane): the integer code of `convert.rs` unless the ISA has
/// exact conversion instructions that every CPU running its backend has.
pub trait HalfFloat: Lanes<i32> + Float<f32> {
    /// f16 to f32, exactly; a NaN stays a NaN of the same sign.
    ///
    /// # Safety
    /// The CPU has this ISA (as for the method below).
    unsafe fn f16_to_f32(self) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { super::convert::f16_to_f32_lanes(self) }
    }

    /// f32 to f16, rounding to nearest even, into the low 16 bits of each
    /// lane (the high 16 bits zero); the canonical NaN of either sign gives
    /// f16's canonical NaN of that sign.
    unsafe fn f32_to_f16(self) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { super::convert::f32_to_f16_lanes(self) }
    }
}

/// Everything a backend's register provides: what the per-type conversions
/// in [`Layout`](super::stream::Layout) may use.
pub trait Isa: Lanes<i16> + Lanes<i32> + Lanes<i64> + Float<f32> + Float<f64> + HalfFloat {}
impl<V: Lanes<i16> + Lanes<i32> + Lanes<i64> + Float<f32> + Float<f64> + HalfFloat> Isa for V {}

/// What a kernel for element type `T` needs of the register `V`: integer lanes
/// of `T`'s width (its `Bits`), integer lanes of its arithmetic
/// layout (`Lane`: `T`'s bits sign-extended to the width of `Wide`), and float
/// lanes of `Wide`.
pub trait Register<T: Element>: Isa + Lanes<T::Bits> + Lanes<T::Lane> + Float<T::Wide> {}
impl<T: Element, V> Register<T> for V where V: Isa + Lanes<T::Bits> + Lanes<T::Lane> + Float<T::Wide>
{}
