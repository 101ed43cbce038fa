//! The element-wise loop, written once: `N` input streams to one output
//! stream, a whole register at a time, tails included, and the prefetching
//! of long outputs.

use super::stream::Stream;

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
/// reach the cache (measured on Cascade Lake: BENCHMARKS.md, "Short
/// slices").
pub(crate) const ALIGN_FROM: usize = 2048;

/// Output streams of at least this many bytes that are not one of their
/// inputs ask for their cache lines [`PREFETCH_AHEAD`] bytes before the loop
/// stores to them (see [`map`]). Below it the prefetches cost more than they
/// save, above it they gain (measured on Cascade Lake, AVX2 and AVX-512, out
/// of place and backward: BENCHMARKS.md, "Prefetching").
pub(crate) const PREFETCH_FROM: usize = 4 << 20;

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
pub(crate) fn prefetch_ahead(out: *const u8, at: usize, bytes: usize, span: usize) {
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
/// ahead overlap those waits (BENCHMARKS.md, "Prefetching"). In place the
/// loads already fetch the lines.
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
