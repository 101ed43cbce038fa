//! The element-wise loop, written once: `N` input streams to one output
//! stream, a whole register at a time, tails included, with the stores of
//! `memory.rs` for long outputs.

use super::inputs::{Inputs, UNROLL};
use super::isa::Lanes;
use super::memory::{Stores, fence, prefetch_ahead};
use super::stream::Stream;

/// The operation [`map`] applies: `N` input registers to one output register.
///
/// A trait with `#[inline(always)]` methods rather than a closure: a closure
/// is a function of its own, without the kernel's target features, so the
/// intrinsics inside it would not inline.
pub trait Op<V, const N: usize> {
    /// Whether the output is an input with lanes zeroed by a mask computed
    /// from another input (the ReLU-like gradients), which AVX-512 code
    /// would read by a masked load that waits for the mask; the kernels then
    /// load the inputs separately where
    /// [`separate_loads`](super::memory::separate_loads) says so
    /// ([`SeparateLoads`](super::ops::SeparateLoads)).
    const MASKS_AN_INPUT: bool = false;

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

/// Applies `op` to `N` input streams of `bytes` bytes each and writes one
/// output stream, a whole register at a time (no scalar loop):
///
/// - at most [`SHORT`] registers: as [`short`] says, without a loop;
/// - otherwise the first full register is computed first; then the
///   registers in between run ([`run`]: unrolled by 4, then one at a time,
///   the last full register computed in between), from the first offset
///   where `out` is aligned to `S::BYTES` if the stream has at least
///   [`ALIGN_FROM`] bytes (so that no store of the loop splits a cache line),
///   else right after the first; then the first and last registers are
///   stored. They may overlap the loop's.
///
/// A long output that is none of the inputs is stored as
/// [`Stores::for_output`] says: its lines prefetched ahead of the loop's
/// stores (the CPU's own prefetchers follow the loads; a store to a line that
/// is not in L1 waits for the line to arrive, one after another in program
/// order, and the requests made ahead overlap those waits), or, on CPUs where
/// that wins, with non-temporal stores (`memory.rs`). In place the loads
/// already fetch the lines.
///
/// Every input is read before the output is written at the same offset, and
/// the first and last registers are computed from inputs read before any
/// store that overlaps them, so `out` may equal one of the inputs, and `op`
/// need not be idempotent. `tally` sees every stored register once, with the
/// part that is its own.
///
/// # Safety
/// Each input is readable and `out` writable for `bytes` bytes; the CPU has the
/// ISA of `S::Reg`.
#[inline(always)]
pub(crate) unsafe fn map<S: Stream, const N: usize>(
    inputs: [*const u8; N],
    out: *mut u8,
    bytes: usize,
    whole: usize,
    op: &impl Op<S::Reg, N>,
    tally: &mut impl Tally<S::Reg>,
) {
    // Short streams take no decision about stores.
    if is_short::<S>(bytes) {
        // SAFETY: forwarded from the caller.
        return unsafe { short::<S, N>(inputs, out, bytes, op, tally) };
    }
    let stores = Stores::for_output(inputs, out, bytes, whole);
    // SAFETY: forwarded from the caller.
    unsafe { map_part::<S, N>(inputs, out, bytes, op, tally, stores) }
}

/// [`map`] over a part of a longer output, or over inputs that [`Inputs`]
/// reads other than at the output's offset
/// ([`Repeating`](super::inputs::Repeating)), stored as `stores` says (from
/// [`Stores::for_output`] of the whole, [`from`](Stores::from) the part's
/// offset).
///
/// # Safety
/// As [`map`], with the inputs readable as [`Inputs::load`] requires for
/// every register of `bytes` (and as [`Inputs::load_partial`] requires if
/// `bytes < S::BYTES`).
#[inline(always)]
pub(crate) unsafe fn map_part<S: Stream, const N: usize>(
    inputs: impl Inputs<S, N>,
    out: *mut u8,
    bytes: usize,
    op: &impl Op<S::Reg, N>,
    tally: &mut impl Tally<S::Reg>,
    stores: Stores,
) {
    if is_short::<S>(bytes) {
        // SAFETY: forwarded from the caller.
        return unsafe { short::<S, N>(inputs, out, bytes, op, tally) };
    }
    // SAFETY: every access is at `at` with `at + BYTES <= bytes` (`at <
    // last`, or `at` is 0 or `last = bytes - BYTES`), so all stay inside the
    // streams the caller vouched for. `bytes` fits in `isize` (it is the size
    // of a slice), so no offset or sum below overflows.
    unsafe {
        let last = bytes - S::BYTES;
        let first = op.apply(inputs.load_at(0));
        // Where the loop starts: for long streams the first offset after 0
        // where `out` is aligned (`BYTES` is a power of two), else right
        // after `first`, which covers everything before it either way.
        let aligned = bytes >= ALIGN_FROM;
        let start = if aligned {
            S::BYTES - out.addr() % S::BYTES
        } else {
            S::BYTES
        };
        // Non-temporal stores need the aligned loop. `tail` is the last
        // register, computed by the loop.
        let (at, tail) = match stores {
            Stores::Streamed { .. } if aligned => {
                let at = run::<S, N, true>(inputs, out, start, last, op, tally, stores);
                fence();
                at
            }
            Stores::Cached { .. } => {
                run::<S, N, false>(inputs, out, start, last, op, tally, stores)
            }
            Stores::Streamed { .. } => {
                let stores = Stores::Cached { span: 0 };
                run::<S, N, false>(inputs, out, start, last, op, tally, stores)
            }
        };
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

/// Streams of at most this many registers run in [`short`].
const SHORT: usize = 4;

/// Whether [`map`] runs a stream of `bytes` bytes in [`short`], without a
/// loop.
#[inline(always)]
pub(crate) fn is_short<S: Stream>(bytes: usize) -> bool {
    bytes <= SHORT * S::BYTES
}

/// [`map_part`] of a stream of at most [`SHORT`] registers, without a loop or a
/// decision about stores: one register, partial (masked, or through a
/// buffer) if shorter; otherwise the registers at `0`, `BYTES` and
/// `2 * BYTES`, each moved back to `bytes - BYTES` if it would pass the end,
/// and the one at `bytes - BYTES`, all loaded before any is stored. On the
/// Sapphire Rapids-class VM, 64 `f32` out of place (four AVX-512 registers)
/// went from 0.83x the naive AVX-512 loop's speed through the loop to
/// 0.90-1.10x (`BENCHMARKS.md`).
///
/// # Safety
/// As [`map_part`], with `bytes <= SHORT * S::BYTES`.
#[inline(always)]
unsafe fn short<S: Stream, const N: usize>(
    inputs: impl Inputs<S, N>,
    out: *mut u8,
    bytes: usize,
    op: &impl Op<S::Reg, N>,
    tally: &mut impl Tally<S::Reg>,
) {
    let b = S::BYTES;
    // SAFETY: a whole access is at `at + b <= bytes` (`at` is at most
    // `bytes - b`), and the partial one covers exactly `bytes`, inside the
    // streams the caller vouched for.
    unsafe {
        if bytes <= b {
            if bytes == b {
                let y = op.apply(inputs.load_at(0));
                S::store(y, out);
                tally.whole(y);
            } else if bytes > 0 {
                let y = op.apply(inputs.load_partial(bytes));
                S::store_partial(y, out, bytes);
                tally.part(y, 0, bytes);
            }
            return;
        }
        let last = bytes - b;
        let at = [0, b.min(last), (2 * b).min(last), last];
        let y = [
            op.apply(inputs.load_at(at[0])),
            op.apply(inputs.load_at(at[1])),
            op.apply(inputs.load_at(at[2])),
            op.apply(inputs.load_at(at[3])),
        ];
        // Each register owns its bytes past the one before it (none if it
        // was moved onto it).
        let mut covered = 0;
        for (y, at) in y.into_iter().zip(at) {
            S::store(y, out.add(at));
            tally.part(y, covered - at, b);
            covered = at + b;
        }
    }
}

/// The loop of [`map_part`]: the registers from `start` to `last`
/// (exclusive), 4 at a time (all 4 loaded, then all 4 stored) and then one
/// at a time, stored and prefetched as `stores` says (non-temporal stores
/// if `STREAM`, which `stores` then says too); returns where it stopped
/// (`start` if it did not run) and the register at `last`, computed between
/// the two loops: after the stores of the first, which end at or before
/// `last`, and before those of the second, which may overlap it.
///
/// Not before the loop: an input written just before the call (by the layer
/// before, or a copy) is still partly in the store queue, and a load that
/// overlaps those stores without matching one waits until they reach the
/// cache. The last register is such a load whenever the writer's stores were
/// narrower, or not at the same offsets, and it overlaps the writer's last
/// stores: loaded first, it waits for the whole input to be written, and the
/// instructions after it cannot retire meanwhile (the likely cause). On the
/// Zen 5 VM, 1,000 `f32` in place after `copy_from_slice`: 41.8 -> 29.1 ns;
/// out of place from an input just copied, 1,000-4,000 `f32`: 0.84-0.93x the
/// time, but about 1 ns more at 1 KiB (1.09-1.16x); other inputs 0.9-1.05x,
/// or up to 1.3x with the code's placement, which moved the AVX2 backend's
/// unchanged code by 0.86-1.16x too (`BENCHMARKS.md`, session 19).
///
/// Loading a group before storing it keeps each load ahead of the stores
/// before it in the same group: a load that follows a store whose address
/// matches it in the low 12 bits waits for that store (4K aliasing), which
/// an output placed a few bytes past its input's end, modulo 4 KiB, hits at
/// every register. Measured on the Zen 3 VM, 8,192 f32 out of place with the
/// output 16 bytes past that: 20% slower when each register was stored
/// before the next was loaded.
///
/// # Safety
/// As [`map`], with `S::BYTES <= start` and `last + S::BYTES` the stream's
/// length; `out + start` aligned to `S::BYTES` if `STREAM`.
#[inline(always)]
unsafe fn run<S: Stream, const N: usize, const STREAM: bool>(
    inputs: impl Inputs<S, N>,
    out: *mut u8,
    start: usize,
    last: usize,
    op: &impl Op<S::Reg, N>,
    tally: &mut impl Tally<S::Reg>,
    stores: Stores,
) -> (usize, S::Reg) {
    // SAFETY: every access is at `at <= last`, a whole register inside the
    // streams (caller); with `STREAM`, `at` stays aligned (it moves by
    // `S::BYTES` from an aligned `start`).
    unsafe {
        let b = S::BYTES;
        // How many bytes of the output, and how far ahead in the inputs, to
        // prefetch (known at each call site: `run` is inlined).
        let (span, ahead) = match stores {
            Stores::Cached { span } => (span, 0),
            Stores::Streamed { ahead } => (0, ahead),
        };
        // One position for the inputs and the output (for streams read at
        // the output's offset, the offset itself).
        let mut from = inputs.at(start);
        while inputs.offset(from) + UNROLL * b <= last {
            let at = inputs.offset(from);
            prefetch_ahead(out, at, UNROLL * b, span);
            inputs.prefetch(from, UNROLL * b, ahead, last + b);
            let y = [
                op.apply(inputs.load(from, 0)),
                op.apply(inputs.load(from, b)),
                op.apply(inputs.load(from, 2 * b)),
                op.apply(inputs.load(from, 3 * b)),
            ];
            for (k, y) in y.into_iter().enumerate() {
                store::<S, STREAM>(y, out.add(at + k * b), tally);
            }
            from = inputs.on(from, UNROLL * b);
        }
        let tail = op.apply(inputs.load_at(last));
        while inputs.offset(from) < last {
            let y = op.apply(inputs.load(from, 0));
            store::<S, STREAM>(y, out.add(inputs.offset(from)), tally);
            from = inputs.on(from, b);
        }
        (inputs.offset(from), tail)
    }
}

/// Stores one register of [`run`] at `p`, non-temporal if `STREAM`, and
/// tallies it.
///
/// # Safety
/// As [`run`], for the register at `p`.
#[inline(always)]
unsafe fn store<S: Stream, const STREAM: bool>(
    y: S::Reg,
    p: *mut u8,
    tally: &mut impl Tally<S::Reg>,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if STREAM {
            S::store_stream(y, p);
        } else {
            S::store(y, p);
        }
    }
    tally.whole(y);
}

/// An operation that sets some lanes to `+0` and leaves the others as they
/// are (ReLU), so that in place it can store only the lanes it clears.
pub trait Clear<V: Lanes<I>, I> {
    /// The lanes of `x` it sets to `+0`.
    ///
    /// # Safety
    /// The CPU has the ISA of `V`.
    unsafe fn clears(&self, x: V) -> V::Mask;
}

/// The lanes of a register that [`clear`] stored `+0` into, for a [`Tally`].
pub struct Cleared<M>(pub M);

/// Applies `op` in place to the `bytes` bytes at `data` by storing `+0` into
/// the lanes it clears and nothing into the others ([`Lanes::store_where`]):
/// the registers after the first from the first aligned offset (unrolled by
/// 4: all 4 loaded, then all 4 stored, then one at a time, the last register
/// in between), then the first, as [`map`] runs an aligned stream (the
/// first's store last measured 0.96-1.0x the time on the Zen 5 VM, 16-bit
/// count at 4,000-8,000 elements after a copy). The order of the stores does
/// not matter: each lane is cleared or not from its own value, and a lane
/// read again after it was cleared is `+0`, which `op` clears again or not,
/// storing the same `+0` either way, so the overlapping registers need no
/// care. `tally` sees the cleared lanes of every register with the part that
/// is its own, as in [`map`]. (For an `op` that clears `+0`, such as the zero
/// count's, a lane cleared by one register and read again by another counts
/// in the one that owns it, once.)
///
/// Where the masked store is one instruction (AVX-512), a register costs a
/// load, a compare and the store, against a load, a class pick (or a compare
/// and a zero-masking move) and a store of every lane in [`map`];
/// [`clears_in_place`](super::memory::clears_in_place) says where that was
/// measured to win.
///
/// # Safety
/// `data` is readable and writable for `bytes >= ALIGN_FROM` bytes; the CPU
/// has the ISA of `V`.
#[inline(always)]
pub(crate) unsafe fn clear<V: Lanes<I>, I>(
    data: *mut u8,
    bytes: usize,
    op: &impl Clear<V, I>,
    tally: &mut impl Tally<Cleared<V::Mask>>,
) {
    debug_assert!(bytes >= ALIGN_FROM);
    let b = V::BYTES;
    // SAFETY: every access is a whole register at `at <= last = bytes - b`,
    // inside the `bytes` the caller vouched for.
    unsafe {
        let last = bytes - b;
        let x = V::load(data);
        let zero = x.xor(x);
        let first = op.clears(x);
        let start = b - data.addr() % b;
        let mut at = start;
        while at + UNROLL * b <= last {
            let p = data.add(at);
            let x = [
                V::load(p),
                V::load(p.add(b)),
                V::load(p.add(2 * b)),
                V::load(p.add(3 * b)),
            ];
            for (k, x) in x.into_iter().enumerate() {
                let cleared = op.clears(x);
                zero.store_where(cleared, p.add(k * b));
                tally.whole(Cleared(cleared));
            }
            at += UNROLL * b;
        }
        let tail = clear_one(op, zero, data.add(last));
        while at < last {
            tally.whole(Cleared(clear_one(op, zero, data.add(at))));
            at += b;
        }
        zero.store_where(first, data);
        // The loop covered `start..at` (`start < last`: `bytes >= ALIGN_FROM`).
        tally.part(Cleared(first), 0, start);
        tally.part(Cleared(tail), at - last, b);
    }
}

/// One register of [`clear`], at `p`; returns the lanes it cleared.
///
/// # Safety
/// As [`clear`], for the register at `p`.
#[inline(always)]
unsafe fn clear_one<V: Lanes<I>, I>(op: &impl Clear<V, I>, zero: V, p: *mut u8) -> V::Mask {
    // SAFETY: forwarded from the caller.
    unsafe {
        let cleared = op.clears(V::load(p));
        zero.store_where(cleared, p);
        cleared
    }
}
