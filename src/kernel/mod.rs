//! The element-wise loops, written once over the traits below that each ISA
//! backend implements.
//!
//! A backend only says how to load, store, compare, mask and do arithmetic on
//! one register; the loops, the unrolling, the tails, the broadcasting and the
//! operations themselves live here and in `ops.rs`, so every backend runs the
//! same algorithm and they cannot drift apart.

pub(crate) mod convert;
pub(crate) mod ops;

use crate::Element;
use crate::element::sealed::Sealed;
use core::marker::PhantomData;
use core::mem::MaybeUninit;

/// One SIMD register, seen as raw bytes.
///
/// # Safety
///
/// Every method may use instructions of the implementing ISA: callers must have
/// checked that the CPU supports it (see [`crate::Backend::is_supported`]).
pub trait Vector: Copy {
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

    /// The lanes whose first byte lies in `from..to` (byte offsets within
    /// the register, multiples of the lane width, `to <= BYTES`).
    unsafe fn lanes_between(from: usize, to: usize) -> Self::Mask;

    /// `counts` plus one in the lanes `mask` sets (wrapping).
    unsafe fn count_into(counts: Self, mask: Self::Mask) -> Self;

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

/// Everything a backend's register provides: what the per-type conversions
/// in [`Element`] may use.
pub trait Isa: Lanes<i16> + Lanes<i32> + Lanes<i64> + Float<f32> + Float<f64> {}
impl<V: Lanes<i16> + Lanes<i32> + Lanes<i64> + Float<f32> + Float<f64>> Isa for V {}

/// What a kernel for element type `T` needs of the register `V`: integer lanes
/// of `T`'s width ([`Element`]'s `Bits`), integer lanes of its arithmetic
/// layout (`Lane`: `T`'s bits sign-extended to the width of `Wide`), and float
/// lanes of `Wide`.
pub trait Kernel<T: Element>: Isa + Lanes<T::Bits> + Lanes<T::Lane> + Float<T::Wide> {}
impl<T: Element, V> Kernel<T> for V where V: Isa + Lanes<T::Bits> + Lanes<T::Lane> + Float<T::Wide> {}

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
            core::ptr::copy_nonoverlapping(p, buf.as_mut_ptr().cast::<u8>(), bytes);
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
            core::ptr::copy_nonoverlapping(buf.as_ptr().cast::<u8>(), p, bytes);
        }
    }
}

/// The operation [`map`] applies: `N` input registers to one output register.
///
/// A trait with `#[inline(always)]` methods rather than a closure: a closure
/// is a function of its own, without the kernel's target features, so the
/// intrinsics inside it would not inline.
pub trait Op<V, const N: usize> {
    /// # Safety
    /// The CPU has the ISA of `V`.
    unsafe fn apply(&self, x: [V; N]) -> V;
}

/// The operation [`accumulate_rows`] applies: `N` row registers, `M`
/// per-channel registers and an accumulator to an output and a new
/// accumulator.
pub trait RowOp<V, const N: usize, const M: usize> {
    /// # Safety
    /// The CPU has the ISA of `V`.
    unsafe fn apply(&self, rows: [V; N], channels: [V; M], sum: V) -> (V, V);
}

/// Sees each register a loop stores, with the byte range of it that no other
/// stored register covers (so a count over them counts each element once).
pub trait Tally<V> {
    /// A register of the main loop: all its lanes are its own.
    fn whole(&mut self, y: V);
    /// A register whose own lanes are the bytes `from..to`.
    fn part(&mut self, y: V, from: usize, to: usize);
}

/// Counts nothing; compiles away.
impl<V> Tally<V> for () {
    #[inline(always)]
    fn whole(&mut self, _: V) {}
    #[inline(always)]
    fn part(&mut self, _: V, _: usize, _: usize) {}
}

/// Streams of at least this many bytes align their loop's stores (see
/// [`map`]). Below it the registers tile the stream from its start: a short
/// slice written again soon (the next layer, or a benchmark loop) is then
/// reloaded register by register from the stores still in flight, which the
/// CPU forwards; a load that straddles two such stores waits for both to
/// reach the cache (`inplace/f32/64` of the `relu` bench, AVX-512, on the
/// Cascade Lake of the README: 20-22 ns in some runs with the loop aligned,
/// 6.4 ns tiled).
const ALIGN_FROM: usize = 2048;

/// Output streams of at least this many bytes that are not one of their
/// inputs ask for their cache lines [`PREFETCH_AHEAD`] bytes before the loop
/// stores to them (see [`map`]). Below it the prefetches cost more than they
/// save: on the Cascade Lake of the README (L2 1 MiB), out of place and
/// backward on the AVX2 and AVX-512 backends, outputs of 128-256 KiB ran up
/// to 18% slower with them, 0.5-2 MiB ones the same within the noise, and
/// 4-64 MiB ones 4-26% faster.
const PREFETCH_FROM: usize = 4 << 20;

/// How far ahead of its stores a long output stream is prefetched.
const PREFETCH_AHEAD: usize = 1024;

/// Asks the CPU to bring the cache line at `p` into L1 (`prefetcht0` on
/// x86_64; nothing elsewhere, and nothing under Miri). A hint: it never
/// faults and changes nothing the program can observe.
#[inline(always)]
fn prefetch(p: *const u8) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `prefetcht0` is SSE, which every x86_64 CPU has; it reads no
    // memory that the program can observe and never faults.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>());
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = p;
}

/// How many bytes from `out` a loop may prefetch ahead of its stores: all
/// `bytes` of an output of at least [`PREFETCH_FROM`] bytes that is none of
/// the inputs, else none (in place, the loads already fetch the lines).
#[inline(always)]
pub(crate) fn prefetch_span<const N: usize>(
    inputs: [*const u8; N],
    out: *const u8,
    bytes: usize,
) -> usize {
    if bytes >= PREFETCH_FROM && !inputs.contains(&out) {
        bytes
    } else {
        0
    }
}

/// Prefetches the lines [`PREFETCH_AHEAD`] bytes past `out + at .. out + at +
/// bytes`, kept below `out + span` (the output's end); nothing if `span` is 0.
/// The addresses are only hints, never dereferenced, so they are computed with
/// wrapping arithmetic and need no promise about `out`.
#[inline(always)]
fn prefetch_ahead(out: *const u8, at: usize, bytes: usize, span: usize) {
    if span == 0 {
        return;
    }
    let mut line = 0;
    while line < bytes {
        prefetch(out.wrapping_add((at + line + PREFETCH_AHEAD).min(span - 1)));
        line += 64;
    }
}

/// Applies `op` to `N` input streams of `bytes` bytes each and writes one
/// output stream, a whole register at a time (no scalar loop):
///
/// - at most one register: one register, partial (masked, or through a
///   buffer) if shorter;
/// - otherwise the first and the last full registers are computed first;
///   then the registers in between run (unrolled by 4), from the first
///   offset where `out` is aligned to `S::BYTES` if the stream has at least
///   [`ALIGN_FROM`] bytes (so that no store of the loop splits a cache line),
///   else right after the first; then the first and last registers are
///   stored. They may overlap the loop's.
///
/// An output of at least [`PREFETCH_FROM`] bytes that is none of the inputs
/// has its lines prefetched [`PREFETCH_AHEAD`] bytes ahead of the loop's
/// stores ([`prefetch_span`]). The CPU's own prefetchers follow the loads; a
/// store to a line that is not in L1 waits for the line to arrive (read for
/// ownership), one after another in program order, and the requests made
/// ahead overlap those waits. On the AVX-512 backend of the README's Cascade
/// Lake, `relu` out of place ran 14% (2,000,000 f32, L3) and 23%
/// (16,000,000, DRAM) faster with them, `relu_backward` 5% and 18%. In place
/// the loads already fetch the lines.
///
/// Every input is read before the output is written at the same offset, and
/// the first and last registers are computed from inputs read before any
/// store, so `out` may equal one of the inputs, and `op` need not be
/// idempotent. `tally` sees every stored register once, with the part that is
/// its own.
///
/// # Safety
/// Each input is readable and `out` writable for `bytes` bytes; the CPU has the
/// ISA of `S::Reg`.
#[inline(always)]
pub(crate) unsafe fn map<S: Stream, const N: usize>(
    inputs: [*const u8; N],
    out: *mut u8,
    bytes: usize,
    op: &impl Op<S::Reg, N>,
    tally: &mut impl Tally<S::Reg>,
) {
    let span = prefetch_span(inputs, out, bytes);
    // SAFETY: forwarded from the caller.
    unsafe { map_part::<S, N>(inputs, out, bytes, op, tally, span) }
}

/// [`map`] over a part of a longer output, which it may prefetch up to
/// `span` bytes from `out` (from [`prefetch_span`] of the whole, less the
/// bytes before the part; 0: no prefetching).
///
/// # Safety
/// As [`map`].
#[inline(always)]
pub(crate) unsafe fn map_part<S: Stream, const N: usize>(
    inputs: [*const u8; N],
    out: *mut u8,
    bytes: usize,
    op: &impl Op<S::Reg, N>,
    tally: &mut impl Tally<S::Reg>,
    span: usize,
) {
    const UNROLL: usize = 4;
    // SAFETY: every full access is at `at` with `at + BYTES <= bytes`
    // (`at < last`, or `at` is 0 or `last = bytes - BYTES`), and the partial
    // access covers exactly `bytes`, so all stay inside the streams the caller
    // vouched for. `bytes` fits in `isize` (it is the size of a slice), so no
    // offset or sum below overflows.
    unsafe {
        if bytes <= S::BYTES {
            if bytes == S::BYTES {
                let y = op.apply(inputs.map(|p| S::load(p)));
                S::store(y, out);
                tally.whole(y);
            } else if bytes > 0 {
                let y = op.apply(inputs.map(|p| S::load_partial(p, bytes)));
                S::store_partial(y, out, bytes);
                tally.part(y, 0, bytes);
            }
            return;
        }
        let last = bytes - S::BYTES;
        let first = op.apply(inputs.map(|p| S::load(p)));
        let tail = op.apply(inputs.map(|p| S::load(p.add(last))));
        // Where the loop starts: for long streams the first offset after 0
        // where `out` is aligned (`BYTES` is a power of two), else right
        // after `first`, which covers everything before it either way.
        let start = if bytes >= ALIGN_FROM {
            S::BYTES - out.addr() % S::BYTES
        } else {
            S::BYTES
        };
        let mut at = start;
        while at + UNROLL * S::BYTES <= last {
            prefetch_ahead(out, at, UNROLL * S::BYTES, span);
            for k in 0..UNROLL {
                let at = at + k * S::BYTES;
                let y = op.apply(inputs.map(|p| S::load(p.add(at))));
                S::store(y, out.add(at));
                tally.whole(y);
            }
            at += UNROLL * S::BYTES;
        }
        while at < last {
            let y = op.apply(inputs.map(|p| S::load(p.add(at))));
            S::store(y, out.add(at));
            tally.whole(y);
            at += S::BYTES;
        }
        S::store(first, out);
        S::store(tail, out.add(last));
        // The loop covered `start..at` if it ran; `first` and `tail` own the rest.
        let (first_own, tail_own) = if start < last {
            (start, at)
        } else {
            (last, last)
        };
        tally.part(first, 0, first_own);
        tally.part(tail, tail_own - last, S::BYTES);
    }
}

/// Registers of per-channel sums that [`accumulate_rows`] keeps in registers
/// while it walks down the rows.
const SUM_REGISTERS: usize = 8;

/// Bytes of rows [`accumulate_rows`] walks down before it moves to the next
/// block of channels, when a row is wider than one block (see there).
const ROW_BLOCK_BYTES: usize = 16 * 1024;

/// Applies `op` row by row to `rows` rows of `channels` elements of `T`,
/// vectorised across channels, rows in order. `op` gets the registers of `N`
/// row-major inputs, of `M` per-channel inputs (`channels` elements each), and
/// of the running sums for the same channels (`channels` `T::Wide` at `acc`),
/// and returns the output register and the new sums. Row `r`'s contribution
/// is added after row `r - 1`'s, so the sums have the same bits on every
/// backend (NaN payloads aside: the caller canonicalises them).
///
/// With fewer channels than lanes, the contributions of a block of whole
/// rows go through a small buffer to one register of sums, a register add
/// per row (see `few_channels`). Otherwise the channels go
/// in blocks of [`SUM_REGISTERS`] registers whose sums stay in registers down
/// the rows: all the rows if a row fits in one block (then memory is read in
/// order), else blocks of about [`ROW_BLOCK_BYTES`] of rows, each walked once
/// per block of channels.
///
/// As in [`map`], an output of at least [`PREFETCH_FROM`] bytes has its
/// lines prefetched [`PREFETCH_AHEAD`] bytes past each register stored (for
/// rows wider than a block, further along the row, where a later block of
/// channels of the same rows stores).
///
/// # Safety
/// The row inputs are readable and `out` writable for `rows * channels`
/// elements, the channel inputs are readable for `channels` elements, `acc` is
/// readable and writable for `channels` `T::Wide`; `out` and `acc` overlap
/// nothing else; `channels > 0`; the CPU has the ISA of `V`.
#[inline(always)]
pub(crate) unsafe fn accumulate_rows<T: Element, V: Kernel<T>, const N: usize, const M: usize>(
    row_inputs: [*const T; N],
    channel_inputs: [*const T; M],
    out: *mut T,
    rows: usize,
    channels: usize,
    acc: *mut T::Wide,
    op: &impl RowOp<V, N, M>,
) {
    let step = <T::Stream<V> as Stream>::BYTES / size_of::<T>();
    let bytes = rows * channels * size_of::<T>();
    let sums = ChannelSums {
        row_inputs,
        channel_inputs,
        out,
        // (`out` overlaps no input here, so this only tests the size.)
        span: prefetch_span(row_inputs.map(|p| p.cast()), out.cast(), bytes),
        channels,
        acc,
        op,
    };
    // Each walk is compiled with and without the prefetches: their test
    // alone, run per register, cost 10% with 3 channels and 35% with 64
    // (131,072 f32, AVX-512, no prefetching at that size).
    // SAFETY: forwarded from the caller.
    unsafe {
        match (channels < step, sums.span > 0) {
            (true, true) => sums.few_channels::<V, true>(rows),
            (true, false) => sums.few_channels::<V, false>(rows),
            (false, true) => sums.blocks::<V, true>(rows),
            (false, false) => sums.blocks::<V, false>(rows),
        }
    }
}

/// The operands of [`accumulate_rows`].
struct ChannelSums<'a, T, O, const N: usize, const M: usize>
where
    T: Sealed,
{
    row_inputs: [*const T; N],
    channel_inputs: [*const T; M],
    out: *mut T,
    /// Bytes of `out` that may be prefetched: all of it or none
    /// ([`prefetch_span`]).
    span: usize,
    channels: usize,
    acc: *mut T::Wide,
    op: &'a O,
}

impl<T: Element, O, const N: usize, const M: usize> ChannelSums<'_, T, O, N, M> {
    /// [`accumulate_rows`] with at least a register of channels: blocks of
    /// [`SUM_REGISTERS`] registers of channels, down all the rows if a row
    /// fits in one block, else down blocks of about [`ROW_BLOCK_BYTES`] of
    /// rows.
    ///
    /// # Safety
    /// As [`accumulate_rows`], with `channels >=` the lanes of a register.
    #[inline(always)]
    unsafe fn blocks<V: Kernel<T>, const PREFETCH: bool>(&self, rows: usize)
    where
        O: RowOp<V, N, M>,
    {
        let channels = self.channels;
        let step = <T::Stream<V> as Stream>::BYTES / size_of::<T>();
        let block = SUM_REGISTERS * step;
        let block_rows = if channels <= block {
            rows
        } else {
            (ROW_BLOCK_BYTES / (channels * size_of::<T>())).max(1)
        };
        let whole_blocks = channels - channels % block;
        let mut first = 0;
        // SAFETY: each block of rows and channels lies inside the rows and
        // channels the caller vouched for.
        unsafe {
            while first < rows {
                let rows = first..rows.min(first + block_rows);
                let mut c = 0;
                while c < whole_blocks {
                    self.block::<V, PREFETCH>(rows.clone(), c, SUM_REGISTERS, 0);
                    c += block;
                }
                if c < channels {
                    let rest = channels - c;
                    let (regs, last) = (rest.div_ceil(step), rest % step);
                    self.block::<V, PREFETCH>(rows.clone(), c, regs, last);
                }
                first = rows.end;
            }
        }
    }

    /// Runs `regs <= SUM_REGISTERS` registers of channels from `c` down
    /// `rows`, their sums in registers. Each register holds `step` channels
    /// but the last, which holds `last` if that is not 0 (inlined with
    /// constants, the full blocks have no partial accesses).
    ///
    /// # Safety
    /// As [`accumulate_rows`], with the channels `c..` of the registers and
    /// `rows` inside those it was given.
    #[inline(always)]
    unsafe fn block<V: Kernel<T>, const PREFETCH: bool>(
        &self,
        rows: core::ops::Range<usize>,
        c: usize,
        regs: usize,
        last: usize,
    ) where
        O: RowOp<V, N, M>,
    {
        type In<T, V> = <T as Sealed>::Stream<V>;
        let step = In::<T, V>::BYTES / size_of::<T>();
        // Channels of register `k`, and whether it is partial.
        let width = |k: usize| {
            if k + 1 == regs && last != 0 {
                last
            } else {
                step
            }
        };
        // SAFETY: register `k < regs` covers channels `c + k * step` to
        // `c + k * step + width(k) <= channels` of each row in `rows`; whole
        // registers load and store `BYTES`, partial ones exactly their width.
        unsafe {
            let zero = <V as Lanes<i32>>::splat(0);
            let mut sums = [zero; SUM_REGISTERS];
            let mut params = [[zero; M]; SUM_REGISTERS];
            for k in 0..regs.min(SUM_REGISTERS) {
                let (at, n) = (c + k * step, width(k));
                let p = self.channel_inputs.map(|p| p.add(at).cast::<u8>());
                let s = self.acc.add(at).cast::<u8>();
                if n == step {
                    params[k] = p.map(|p| In::<T, V>::load(p));
                    sums[k] = V::load(s);
                } else {
                    let bytes = n * size_of::<T>();
                    params[k] = p.map(|p| In::<T, V>::load_partial(p, bytes));
                    sums[k] = V::load_partial(s, n * size_of::<T::Wide>());
                }
            }
            for r in rows {
                for k in 0..SUM_REGISTERS {
                    if k >= regs {
                        break;
                    }
                    let at = r * self.channels + c + k * step;
                    if PREFETCH {
                        let (out, bytes) = (self.out.cast(), In::<T, V>::BYTES);
                        prefetch_ahead(out, at * size_of::<T>(), bytes, self.span);
                    }
                    sums[k] = apply_register::<T, V, N, M>(
                        self.op,
                        self.row_inputs.map(|p| p.add(at).cast()),
                        params[k],
                        sums[k],
                        self.out.add(at).cast(),
                        width(k) * size_of::<T>(),
                    );
                }
            }
            for (k, sum) in sums.iter().enumerate().take(regs) {
                let (at, n) = (c + k * step, width(k));
                let s = self.acc.add(at).cast::<u8>();
                if n == step {
                    sum.store(s);
                } else {
                    sum.store_partial(s, n * size_of::<T::Wide>());
                }
            }
        }
    }

    /// [`accumulate_rows`] with fewer channels than lanes, `c` of them, over
    /// `rows` rows. The slice goes in blocks of `c` registers, which hold
    /// `step` (the lanes of a register) whole rows; the channel operands
    /// come from a repeated pattern at each register's phase. `op` gets
    /// `-0.0` sums, so it returns the contributions themselves (`-0.0 + v`
    /// is `v`); they are stored in order to a buffer, where row `r` starts
    /// at element `r * c`. A register loaded from there has row `r` in its
    /// first `c` lanes, so one register of sums, lane `j` for channel `j`,
    /// adds the rows in order, a register add per row (the other lanes add
    /// junk that is never stored).
    ///
    /// # Safety
    /// As [`accumulate_rows`], with `0 < channels <` the lanes of a register.
    #[inline(always)]
    unsafe fn few_channels<V: Kernel<T>, const PREFETCH: bool>(&self, rows: usize)
    where
        O: RowOp<V, N, M>,
    {
        let (row_inputs, channel_inputs) = (self.row_inputs, self.channel_inputs);
        let (out, channels, acc, op, span) =
            (self.out, self.channels, self.acc, self.op, self.span);
        type In<T, V> = <T as Sealed>::Stream<V>;
        let step = In::<T, V>::BYTES / size_of::<T>();
        let (len, block) = (rows * channels, step * channels);
        let sum_bytes = channels * size_of::<T::Wide>();
        // SAFETY: every access is to elements `at..at + n` of the row
        // streams with `at + n <= len`, to the `channels` sums, or inside
        // the stack buffers: a pattern holds `step + channels < 2 * step <=
        // 128` elements and is read at `phase < channels` for `step`; the
        // contributions buffer holds two halves of `(channels + 1) * step <=
        // step * step <= 256` initialised `T::Wide` (a register holds `step
        // <= 16` of them); registers are stored in a half at `k * step` for
        // `k < channels` and loaded at `r * channels` for `r < step`, both
        // ending within it.
        unsafe {
            let patterns = channel_inputs.map(|p| {
                let mut pattern = MaybeUninit::<[T; 128]>::uninit();
                let buf = pattern.as_mut_ptr().cast::<T>();
                for k in 0..step + channels {
                    buf.add(k).write(*p.add(k % channels));
                }
                pattern
            });
            let negative_zero = <V as Float<T::Wide>>::fsplat((-0.0f32).into());
            // Two buffers: block `b` is stored to one while block `b - 1` is
            // summed from the other, so its loads, which straddle registers, do
            // not wait on stores still in flight.
            let mut contributions = MaybeUninit::<[T::Wide; 512]>::uninit();
            let half = (channels + 1) * step;
            let bufs = contributions.as_mut_ptr().cast::<T::Wide>();
            bufs.write_bytes(0, 2 * half);
            let mut sums = V::load_partial(acc.cast(), sum_bytes);
            let blocks = len.div_ceil(block);
            for b in 0..=blocks {
                if b < blocks {
                    let buf = bufs.add(b % 2 * half);
                    for k in 0..channels {
                        let at = b * block + k * step;
                        if at >= len {
                            break;
                        }
                        let phase = k * step % channels;
                        let params = patterns
                            .each_ref()
                            .map(|p| In::<T, V>::load(p.as_ptr().cast::<T>().add(phase).cast()));
                        let bytes = step.min(len - at) * size_of::<T>();
                        if PREFETCH {
                            prefetch_ahead(out.cast(), at * size_of::<T>(), bytes, span);
                        }
                        let added = apply_register::<T, V, N, M>(
                            op,
                            row_inputs.map(|p| p.add(at).cast()),
                            params,
                            negative_zero,
                            out.add(at).cast(),
                            bytes,
                        );
                        added.store(buf.add(k * step).cast());
                    }
                }
                if b > 0 {
                    let buf = bufs.add((b - 1) % 2 * half);
                    for r in 0..block.min(len - (b - 1) * block) / channels {
                        let row = V::load(buf.add(r * channels).cast());
                        sums = <V as Float<T::Wide>>::fadd(sums, row);
                    }
                }
            }
            sums.store_partial(acc.cast(), sum_bytes);
        }
    }
}

/// Applies `op` to one register of each row input at `inputs`, `bytes` of
/// them (a whole register or less), stores the output's `bytes` to `out`, and
/// returns the new sums.
///
/// # Safety
/// The inputs are readable and `out` writable for `bytes` bytes; the CPU has
/// the ISA of `V`.
#[inline(always)]
unsafe fn apply_register<T: Element, V: Kernel<T>, const N: usize, const M: usize>(
    op: &impl RowOp<V, N, M>,
    inputs: [*const u8; N],
    params: [V; M],
    sum: V,
    out: *mut u8,
    bytes: usize,
) -> V {
    type In<T, V> = <T as Sealed>::Stream<V>;
    // SAFETY: forwarded from the caller.
    unsafe {
        if bytes == In::<T, V>::BYTES {
            let (y, sum) = op.apply(inputs.map(|p| In::<T, V>::load(p)), params, sum);
            In::<T, V>::store(y, out);
            sum
        } else {
            let x = inputs.map(|p| In::<T, V>::load_partial(p, bytes));
            let (y, sum) = op.apply(x, params, sum);
            In::<T, V>::store_partial(y, out, bytes);
            sum
        }
    }
}

/// The raw kernels of one backend for one element type.
///
/// Each takes pointers to `len` elements. The output may be the same pointer as
/// an input (in place) but must not overlap it otherwise; the two gradients
/// with per-channel sums need an output that overlaps nothing. Broadcast operands
/// (`slopes`, `bias`) hold `channels` elements, `channels` divides `len` and
/// is not 0 unless `len` is; accumulators hold `channels` `T::Wide`.
pub struct Kernels<T: Sealed> {
    /// `dst = relu(src)`.
    pub(crate) relu: unsafe fn(src: *const T, dst: *mut T, len: usize),
    /// `dx = relu'(x) * dy`.
    pub(crate) relu_backward: unsafe fn(x: *const T, dy: *const T, dx: *mut T, len: usize),
    /// `dst = relu(src)`; returns how many `dst` are `+0`.
    pub(crate) relu_count_zeros: unsafe fn(src: *const T, dst: *mut T, len: usize) -> usize,
    /// `dst = leaky_relu(src, alpha)`.
    pub(crate) leaky_relu: unsafe fn(src: *const T, dst: *mut T, len: usize, alpha: T::Wide),
    /// `dx = leaky_relu'(x) * dy`.
    pub(crate) leaky_relu_backward:
        unsafe fn(x: *const T, dy: *const T, dx: *mut T, len: usize, alpha: T::Wide),
    /// `dst = clamp(src, lo, hi)`.
    pub(crate) clamp: unsafe fn(src: *const T, dst: *mut T, len: usize, lo: T, hi: T),
    /// `dx = clamp'(x) * dy`.
    pub(crate) clamp_backward:
        unsafe fn(x: *const T, dy: *const T, dx: *mut T, len: usize, lo: T, hi: T),
    /// `dst = prelu(src, slopes)`.
    pub(crate) prelu:
        unsafe fn(src: *const T, dst: *mut T, len: usize, slopes: *const T, channels: usize),
    /// `dx = prelu'(x) * dy`; `dslopes[c] += x * dy` where `x > 0` is false.
    pub(crate) prelu_backward: unsafe fn(
        x: *const T,
        dy: *const T,
        dx: *mut T,
        len: usize,
        slopes: *const T,
        channels: usize,
        dslopes: *mut T::Wide,
    ),
    /// `dst = relu(src + bias)`.
    pub(crate) bias_relu:
        unsafe fn(src: *const T, dst: *mut T, len: usize, bias: *const T, channels: usize),
    /// `dx = relu_backward(y, dy)`; `dbias[c] += dx` row by row.
    pub(crate) bias_relu_backward: unsafe fn(
        y: *const T,
        dy: *const T,
        dx: *mut T,
        len: usize,
        channels: usize,
        dbias: *mut T::Wide,
    ),
}

impl<T: Sealed> Clone for Kernels<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Sealed> Copy for Kernels<T> {}

/// Defines one kernel of a backend: the generic kernel `ops::$name`
/// instantiated for `$vector` in a function compiled with `$features`.
macro_rules! compile_kernel {
    ($vector:ty, [$($features:literal)?], $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)?) => {
        /// As the generic kernel of the same name, compiled for this backend.
        ///
        /// # Safety
        /// As that kernel.
        $(#[target_feature(enable = $features)])?
        pub(crate) unsafe fn $name<T: $crate::Element>($($arg: $ty),*) $(-> $ret)?
        where
            $vector: $crate::kernel::Kernel<T>,
        {
            // SAFETY: forwarded from the caller.
            unsafe { $crate::kernel::ops::$name::<T, $vector>($($arg),*) }
        }
    };
}
pub(crate) use compile_kernel;

/// Defines a backend's `kernels`: every generic kernel of `ops.rs`
/// instantiated for the register `$vector` inside functions compiled with
/// `$features`, so that the ISA's intrinsics inline.
macro_rules! backend_kernels {
    ($vector:ty $(, target_feature = $features:literal)?) => {
        /// The generic kernels of `kernel::ops`, compiled for this backend.
        mod compiled {
            #[allow(unused_imports)]
            use super::*;
            use $crate::kernel::compile_kernel;

            compile_kernel!($vector, [$($features)?], relu(src: *const T, dst: *mut T, len: usize));
            compile_kernel!($vector, [$($features)?], relu_backward(
                x: *const T, dy: *const T, dx: *mut T, len: usize
            ));
            compile_kernel!($vector, [$($features)?], relu_count_zeros(
                src: *const T, dst: *mut T, len: usize
            ) -> usize);
            compile_kernel!($vector, [$($features)?], leaky_relu(
                src: *const T, dst: *mut T, len: usize, alpha: T::Wide
            ));
            compile_kernel!($vector, [$($features)?], leaky_relu_backward(
                x: *const T, dy: *const T, dx: *mut T, len: usize, alpha: T::Wide
            ));
            compile_kernel!($vector, [$($features)?], clamp(
                src: *const T, dst: *mut T, len: usize, lo: T, hi: T
            ));
            compile_kernel!($vector, [$($features)?], clamp_backward(
                x: *const T, dy: *const T, dx: *mut T, len: usize, lo: T, hi: T
            ));
            compile_kernel!($vector, [$($features)?], prelu(
                src: *const T, dst: *mut T, len: usize, slopes: *const T, channels: usize
            ));
            compile_kernel!($vector, [$($features)?], prelu_backward(
                x: *const T, dy: *const T, dx: *mut T, len: usize,
                slopes: *const T, channels: usize, dslopes: *mut T::Wide
            ));
            compile_kernel!($vector, [$($features)?], bias_relu(
                src: *const T, dst: *mut T, len: usize, bias: *const T, channels: usize
            ));
            compile_kernel!($vector, [$($features)?], bias_relu_backward(
                y: *const T, dy: *const T, dx: *mut T, len: usize,
                channels: usize, dbias: *mut T::Wide
            ));
        }

        /// This backend's kernels for `T`. Calling them is only sound where
        /// the CPU supports the backend.
        pub(crate) const fn kernels<T: $crate::Element>() -> $crate::kernel::Kernels<T>
        where
            $vector: $crate::kernel::Kernel<T>,
        {
            $crate::kernel::Kernels {
                relu: compiled::relu::<T>,
                relu_backward: compiled::relu_backward::<T>,
                relu_count_zeros: compiled::relu_count_zeros::<T>,
                leaky_relu: compiled::leaky_relu::<T>,
                leaky_relu_backward: compiled::leaky_relu_backward::<T>,
                clamp: compiled::clamp::<T>,
                clamp_backward: compiled::clamp_backward::<T>,
                prelu: compiled::prelu::<T>,
                prelu_backward: compiled::prelu_backward::<T>,
                bias_relu: compiled::bias_relu::<T>,
                bias_relu_backward: compiled::bias_relu_backward::<T>,
            }
        }
    };
}
pub(crate) use backend_kernels;
