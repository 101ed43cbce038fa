//! How the loops' stores reach memory: for long outputs, regular stores with
//! the output's lines prefetched ahead of them, or non-temporal stores that
//! skip the caches (with the inputs prefetched into L2 ahead of the loads
//! where that was measured to win); in place, for ReLU, whole registers or
//! only the lanes it clears; and the per-CPU rules that pick them.
//!
//! A regular store to a line that is not in the cache first reads the line
//! (read for ownership): an out-of-place kernel over DRAM moves three
//! streams of bytes for two. Non-temporal stores write whole lines without
//! reading them, but leave nothing in the cache for the next reader, and
//! whether they win depends on the CPU: on the Zen 3 VM they ran 1.4-1.7x
//! faster than regular stores from 12 MB of output, and lost (0.7x) at
//! 4 MB; on Cascade Lake glibc's non-temporal copy was slower than regular
//! stores (BENCHMARKS.md, "Speed on every CPU generation"). So they are used
//! only on the CPUs where they were measured to win, and only for outputs
//! too large to stay in the cache.

use super::isa::Vector;
use crate::cpu::Model;
use core::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::Relaxed};

/// Output streams of at least this many bytes that are not one of their
/// inputs, and are not streamed, ask for their cache lines
/// [`PREFETCH_AHEAD`] bytes before the loop stores to them, on the CPUs
/// without a rule of their own ([`prefetch_from`] says where the loops
/// prefetch on this one: from less, or never). Below it the prefetches
/// cost more than they save, above it they gain (measured on Cascade Lake, AVX2 and AVX-512,
/// out of place and backward: BENCHMARKS.md, "Prefetching").
pub(crate) const PREFETCH_FROM: usize = 4 << 20;

/// How far ahead of its stores a long output stream is prefetched.
const PREFETCH_AHEAD: usize = 1024;

/// Asks the CPU to bring the cache line at `p` into L1 (`prefetcht0` on
/// x86_64), or with `L2` into L2 only (`prefetcht1`); nothing elsewhere, and
/// nothing under Miri. A hint: it never faults and changes nothing the
/// program can observe.
#[inline(always)]
fn prefetch<const L2: bool>(p: *const u8) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `prefetcht0` and `prefetcht1` are SSE, which every x86_64 CPU
    // has; they read no memory that the program can observe and never fault.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _MM_HINT_T1, _mm_prefetch};
        if L2 {
            _mm_prefetch::<_MM_HINT_T1>(p.cast::<i8>());
        } else {
            _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>());
        }
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = p;
}

/// How many bytes from `out` a loop may prefetch ahead of its stores: all
/// `bytes` of an output of [`prefetch_from`] bytes or more, and fewer than
/// [`prefetch_below`], that is none of the inputs, else none (in place, the
/// loads already fetch the lines).
#[inline(always)]
pub(crate) fn prefetch_span<const N: usize>(
    inputs: [*const u8; N],
    out: *const u8,
    bytes: usize,
) -> usize {
    if bytes >= prefetch_from() && bytes < prefetch_below() && !inputs.contains(&out) {
        bytes
    } else {
        0
    }
}

/// Prefetches into L1 the lines [`PREFETCH_AHEAD`] bytes past `out + at ..
/// out + at + bytes`, kept below `out + span` (the output's end); nothing if
/// `span` is 0.
#[inline(always)]
pub(crate) fn prefetch_ahead(out: *const u8, at: usize, bytes: usize, span: usize) {
    prefetch_lines::<false>(out, at, bytes, PREFETCH_AHEAD, span);
}

/// Prefetches the lines `ahead` bytes past `p + at .. p + at + bytes`, kept
/// below `p + span` (the stream's end), into L1, or with `L2` into L2 only;
/// nothing if `span` is 0. The addresses are only hints, never
/// dereferenced, so they are computed with wrapping arithmetic and need no
/// promise about `p`.
#[inline(always)]
pub(crate) fn prefetch_lines<const L2: bool>(
    p: *const u8,
    at: usize,
    bytes: usize,
    ahead: usize,
    span: usize,
) {
    if span == 0 {
        return;
    }
    let mut line = 0;
    while line < bytes {
        prefetch::<L2>(p.wrapping_add((at + line + ahead).min(span - 1)));
        line += 64;
    }
}

/// How an element-wise loop stores its output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Stores {
    /// Regular stores, with the lines up to `span` bytes from the start of
    /// the output prefetched ahead of them (0: none; [`prefetch_span`]).
    Cached {
        /// Bytes of the output that may be prefetched.
        span: usize,
    },
    /// Non-temporal stores for the loop's aligned registers, then
    /// [`fence`]; regular stores for the first and last registers. The
    /// loop's input streams are prefetched into L2 `ahead` bytes before it
    /// reads them (0: not; [`measured`]).
    Streamed {
        /// How far ahead.
        ahead: usize,
    },
}

impl Stores {
    /// How to store an output of `bytes` bytes at `out`, written from
    /// `inputs`, that is part of an output of `whole` bytes (`bytes` if it
    /// is the whole; the parallel forms' chunks are parts), whose size the
    /// rules are about: streamed if it is none of the inputs and the whole
    /// is at least [`stream_from`] bytes long, else cached (and prefetched,
    /// within the part, if the whole is long). Short outputs skip the load
    /// of the setting.
    #[inline(always)]
    pub(crate) fn for_output<const N: usize>(
        inputs: [*const u8; N],
        out: *const u8,
        bytes: usize,
        whole: usize,
    ) -> Stores {
        if bytes >= super::map::ALIGN_FROM && whole >= stream_from() && !inputs.contains(&out) {
            Stores::Streamed {
                ahead: STREAM_AHEAD.load(Relaxed),
            }
        } else {
            Stores::Cached {
                span: prefetch_span(inputs, out, whole).min(bytes),
            }
        }
    }

    /// The same for the part of the output that starts `at` bytes in.
    #[inline(always)]
    pub(crate) fn from(self, at: usize) -> Stores {
        match self {
            Stores::Cached { span } => Stores::Cached {
                span: span.saturating_sub(at),
            },
            Stores::Streamed { .. } => self,
        }
    }
}

/// [`prefetch_from`]: [`PREFETCH_FROM`] until [`decide`].
static PREFETCH: AtomicUsize = AtomicUsize::new(PREFETCH_FROM);

/// Output bytes from which the loops prefetch an output that is none of
/// their inputs, on this CPU ([`measured`]; or as [`set_prefetch_from`] set it).
/// One relaxed load, as [`stream_from`].
#[inline(always)]
pub(crate) fn prefetch_from() -> usize {
    PREFETCH.load(Relaxed)
}

/// [`prefetch_below`]: no bound until [`decide`].
static PREFETCH_BELOW: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Output bytes from which the loops no longer prefetch, on this CPU
/// (`usize::MAX`: no bound; [`measured`]). One relaxed load.
#[inline(always)]
pub(crate) fn prefetch_below() -> usize {
    PREFETCH_BELOW.load(Relaxed)
}

/// Sets `prefetch_from` (`usize::MAX`: never) and lifts `prefetch_below`,
/// or with `None` decides both again for this CPU. For the benchmarks that
/// measure the thresholds; prefetches are hints, so results never depend on
/// them.
pub fn set_prefetch_from(bytes: Option<usize>) {
    decide();
    let m = measured();
    let (from, below) = bytes.map_or((m.prefetch_from, m.prefetch_below), |b| (b, usize::MAX));
    PREFETCH.store(from, Relaxed);
    PREFETCH_BELOW.store(below, Relaxed);
}

/// [`stream_from`]: never until [`decide`] or [`set_stream_from`].
static STREAM_FROM: AtomicUsize = AtomicUsize::new(usize::MAX);

/// How far ahead of its loads a streamed loop prefetches its inputs into L2
/// on this CPU ([`Stores::Streamed`]; 0: not): [`measured`] once
/// [`decide`] ran.
static STREAM_AHEAD: AtomicUsize = AtomicUsize::new(0);

/// Whether [`STREAM_FROM`] was decided or set.
static DECIDED: AtomicBool = AtomicBool::new(false);

/// Output bytes from which the element-wise loops use non-temporal stores
/// on this CPU (`usize::MAX`: never): [`measured`] once
/// [`decide`] ran, which the backend detection and `Activations::new` do
/// before any kernel can run. Never below `ALIGN_FROM` (the loop's stores
/// are aligned from there, as non-temporal stores need). One relaxed load:
/// no call, so the kernels keep their frameless short paths.
#[inline(always)]
pub(crate) fn stream_from() -> usize {
    STREAM_FROM.load(Relaxed)
}

/// [`clears_in_place`]'s setting: never (until [`decide`]), with the
/// backends whose masked store is one instruction, or with every backend.
static CLEARS: AtomicU8 = AtomicU8::new(NEVER);
const NEVER: u8 = 0;
const MASKED_STORES: u8 = 1;
const ALWAYS: u8 = 2;

/// [`clears_in_place`]'s sizes: from `CLEARS_FROM` (never below
/// `ALIGN_FROM`) to below `CLEARS_BELOW`.
static CLEARS_FROM: AtomicUsize = AtomicUsize::new(super::map::ALIGN_FROM);
static CLEARS_BELOW: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Whether ReLU in place over `bytes` bytes with registers `V` stores only
/// the lanes it clears (`map::clear`) rather than every register: from
/// `ALIGN_FROM` (the aligned loop), within the sizes [`measured`] found, on
/// the CPUs where it found it faster (for ReLU or for its zero count), with
/// the backends that have masked stores; `from_align`: from `ALIGN_FROM` on
/// those CPUs, whatever lower bound [`measured`] found (its upper bound
/// still applies: the zero count, where one compare names ReLU's `+0`
/// lanes; see [`measured`]). Short slices load no setting.
#[inline(always)]
pub(crate) fn clears_in_place<V: Vector>(bytes: usize, from_align: bool) -> bool {
    bytes >= super::map::ALIGN_FROM
        && (from_align || bytes >= CLEARS_FROM.load(Relaxed))
        && bytes < CLEARS_BELOW.load(Relaxed)
        && match CLEARS.load(Relaxed) {
            ALWAYS => true,
            MASKED_STORES => V::MASKED_STORES,
            _ => false,
        }
}

/// [`separate_loads`]' size: never until [`decide`].
static SEPARATE_FROM: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Whether a gradient over outputs of `bytes` bytes with registers `V`
/// takes its input registers as loaded
/// ([`SeparateLoads`](super::ops::SeparateLoads)): with the ISAs that have
/// masked loads, from the size [`measured`] found on this CPU, never
/// elsewhere, and never below `ALIGN_FROM`, so that short slices load no
/// setting and the kernel's second copy has no short path (without this
/// bound, 16-256 `f32` backward took 0.3-2.3 ns more per call on the Zen 5
/// VM, three builds).
#[inline(always)]
pub(crate) fn separate_loads<V: Vector>(bytes: usize) -> bool {
    V::MASKED_LOADS && bytes >= super::map::ALIGN_FROM && bytes >= SEPARATE_FROM.load(Relaxed)
}

/// Sets the output bytes from which the gradients load their inputs
/// separately (`usize::MAX`: never), or with `None` decides them again for
/// this CPU. For the tests, as [`set_stream_from`]: the same registers
/// either way, so results never depend on it.
pub fn set_separate_loads_from(bytes: Option<usize>) {
    decide();
    SEPARATE_FROM.store(bytes.unwrap_or(measured().separate_loads_from), Relaxed);
}

/// Decides [`prefetch_from`], [`prefetch_below`], [`stream_from`],
/// [`clears_in_place`] and [`separate_loads`] for this CPU, unless they were
/// already decided.
/// Racing threads store the same values.
pub(crate) fn decide() {
    if !DECIDED.load(Relaxed) {
        let m = measured();
        PREFETCH.store(m.prefetch_from, Relaxed);
        PREFETCH_BELOW.store(m.prefetch_below, Relaxed);
        STREAM_FROM.store(m.stream_from, Relaxed);
        STREAM_AHEAD.store(m.stream_ahead, Relaxed);
        CLEARS.store(m.clears, Relaxed);
        CLEARS_FROM.store(m.clears_from, Relaxed);
        CLEARS_BELOW.store(m.clears_below, Relaxed);
        SEPARATE_FROM.store(m.separate_loads_from, Relaxed);
        DECIDED.store(true, Relaxed);
    }
}

/// Sets `thresholds::stream_from` (raised to `ALIGN_FROM`), or with `None` decides it
/// again for this CPU. For the tests, which must run the streamed loops on
/// every CPU; the choice never changes a result's bits, so other threads'
/// calls are unaffected but for speed.
pub fn set_stream_from(bytes: Option<usize>) {
    decide();
    let bytes = bytes.map_or_else(|| measured().stream_from, |b| b.max(super::map::ALIGN_FROM));
    STREAM_FROM.store(bytes, Relaxed);
}

/// Sets how far ahead of its loads a streamed loop prefetches its inputs
/// (0: not), or with `None` decides it again for this CPU. For the tests,
/// which run the prefetches on every CPU; prefetches are hints, so results
/// never depend on them.
pub fn set_stream_ahead(bytes: Option<usize>) {
    decide();
    STREAM_AHEAD.store(bytes.unwrap_or(measured().stream_ahead), Relaxed);
}

/// Sets whether ReLU in place stores only the lanes it clears: `Some(true)`
/// on every backend from `ALIGN_FROM` (where a backend has no masked store,
/// its stand-in loads, selects and stores the whole register), `Some(false)`
/// never, `None` as decided for this CPU. For the tests, as
/// [`set_stream_from`].
pub fn set_clears_in_place(clears: Option<bool>) {
    decide();
    let m = measured();
    let (setting, from, below) = match clears {
        Some(true) => (ALWAYS, super::map::ALIGN_FROM, usize::MAX),
        Some(false) => (NEVER, super::map::ALIGN_FROM, usize::MAX),
        None => (m.clears, m.clears_from, m.clears_below),
    };
    CLEARS.store(setting, Relaxed);
    CLEARS_FROM.store(from, Relaxed);
    CLEARS_BELOW.store(below, Relaxed);
}

/// What [`measured`] found for a CPU.
struct Measured {
    /// Output bytes from which prefetching the output wins.
    prefetch_from: usize,
    /// Output bytes from which it no longer wins (`usize::MAX`: no bound).
    prefetch_below: usize,
    /// Output bytes from which non-temporal stores win (`usize::MAX`: never).
    stream_from: usize,
    /// How far ahead of its loads a streamed loop prefetches its inputs
    /// into L2 (0: not).
    stream_ahead: usize,
    /// [`CLEARS`]'s setting.
    clears: u8,
    /// Bytes from which it applies (at least `ALIGN_FROM`).
    clears_from: usize,
    /// Bytes from which it no longer applies (`usize::MAX`: no bound).
    clears_below: usize,
    /// Output bytes from which the gradients load their inputs separately
    /// (`usize::MAX`: never).
    separate_loads_from: usize,
}

/// What won on this CPU, by its [`Model`].
///
/// Non-temporal stores, from an output size, or never (`usize::MAX`) on
/// CPUs where they lost or were not measured:
///
/// - AMD family 19h without AVX-512 (Zen 3; Zen 4, also family 19h, has
///   AVX-512): from 8 MiB. Measured with AVX2, f32 out of place, 2026-12-04:
///   1.4-1.7x regular stores from 12 MB of output to 256 MB, 0.9-1.9x at
///   8 MB, 0.7-0.8x at 4 MB (where the output and its input still fit the
///   32 MiB L3).
/// - Intel with AVX512-FP16 (Sapphire Rapids and later; the VM measured
///   reports family 6 model 207, 2 MiB L2 per core, a 260 MiB L3): from
///   32 MiB. Measured with AVX-512 and AVX2, f32 out of place, 2026-12-06:
///   the kernel alone ran 1.04-1.99x faster with them from 8 MB of output
///   to 24 MB, 1.8-1.9x from 32 MB to 256 MB (where it reached 0.86x
///   `copy_from_slice`, against 0.45x with regular stores), 1.1-1.4x also
///   at 1.5-6 MB; but the kernel followed by one read of its output (what
///   the next layer does) ran 0.37-0.73x as fast at 1-2 MiB, 0.88-0.90x at
///   4-16 MB, 0.99x at 31 MB and 1.17-1.19x from 61 MB to 250 MB: the
///   reader fetches a streamed output from memory instead of the L3.
/// - AMD family 1Ah (Zen 5; the VM measured reports family 26 model 2,
///   1 MiB L2 per core, a 32 MiB L3): from 16 MiB. Measured with AVX-512,
///   f32, out of place and backward, 2026-12-07, the same run switching
///   them: the kernel alone ran 1.25-1.37x faster with them from 16 MiB of
///   output to 256 MB out of place (10.4 ms at 256 MB against 13.7 ms for
///   `copy_from_slice`, in the first of two runs), 1.36-1.63x backward,
///   but 0.31-0.80x out of place from 256 KB to 8 MB; the kernel followed
///   by one read of its output ran 0.98x at 16 MiB out of place (1.18x
///   backward), 1.11-1.25x from 24 MB, 0.50-0.54x at 4-8 MiB.
/// - Intel Cascade Lake (no AVX512-FP16): never (glibc's non-temporal copy
///   lost to regular stores there).
/// - Every other CPU, Zen 4 included: never, until measured (regular stores
///   are what the kernels did before).
///
/// The inputs of a streamed loop prefetched into L2 ([`Stores::Streamed`]):
///
/// - Intel with AVX512-FP16: 8 KiB ahead. Measured on a VM of the class
///   (family 6 model 167, 2 MiB L2 per core), 2026-12-07 (session 21), the
///   AVX-512 backend, `f32`, alternating with the loop without them in one
///   program, five runs: `relu` out of place at 64,000,000 elements took
///   0.82-0.85x the time (20.9 ms against 25.2 ms; `copy_from_slice`
///   21.5 ms), `bias_relu` 0.80-0.82x, `f16` at 128,000,000 0.78x, at
///   32,000,000 `f32` 0.86-0.92x, at 10,000,000-16,000,000 (40-64 MB, where
///   the input stays in the L3) 0.98-0.99x; `relu_backward` (two input
///   streams, already at the copy's bytes per second) 0.99-1.02x. 4 KiB
///   ahead gained 0.83-0.86x, 2 KiB 0.84-0.87x; `prefetcht0` 4 KiB ahead
///   gained nothing and `prefetchnta` lost 1.3-1.7x (hand-written loops).
///   Likely cause, not measured apart: the CPU's own prefetchers stop at
///   each 4 KiB page, and a stream of non-temporal stores leaves the input
///   stream alone to keep the memory busy.
/// - Every other CPU: not, until measured.
///
/// Prefetching a long output ahead of the stores ([`prefetch_from`]):
///
/// - Intel with AVX512-FP16: from 32 KiB to below 1 MiB. Measured on the
///   model 207 VM, f32, the same run switching it on and off, two runs: out of
///   place 1.41-1.44x at 32 KiB of output (where the input and the output
///   together just exceed the 48 KiB L1d and a call re-run on them misses
///   throughout), 1.02-1.06x from 64 KiB to 512 KiB, 0.94-0.98x from 1 MiB
///   to 4 MiB, 0.99-1.01x at 8 MB; backward 0.96-1.08x; below 32 KiB it
///   lost (0.82-0.91x).
/// - AMD family 1Ah (Zen 5): never. On the same VM and run as above, the
///   loops without prefetches ran 1.04-1.05x out of place and 1.12-1.26x
///   backward from 4 MiB to 8 MiB of output (where regular stores remain),
///   and 1.02-1.23x above (regular stores); prefetching from 32 KiB, as on
///   Sapphire Rapids, gained nothing below 4 MiB (0.88-0.96x, where the
///   rule before did not prefetch either: noise of that order).
/// - Every other CPU: from [`PREFETCH_FROM`] (measured on Cascade Lake; on
///   Zen 3, neutral to slightly better at 4-8 MB).
///
/// ReLU in place by masked stores of the lanes it clears (`map::clear`):
///
/// - Intel with AVX512-FP16, with the AVX-512 backend (the same VM,
///   2026-12-06, f32, a fresh input copied in before every call and the
///   copy's time subtracted, the same run switching it): 1.14-1.16x the
///   whole-register loop at 1,000 elements, 1.29-1.31x at 8,192, 1.12x at
///   32,768, 1.06-1.10x from 131,072 to 2,000,000. Only in the aligned loop,
///   from `ALIGN_FROM`: a throwaway loop of masked stores at a misaligned
///   address lost (0.47x), and below it the clears lost at 80-128 elements
///   (0.50-0.59x) and went either way from 256 to 511 (0.87-1.55x, with
///   the slice's alignment).
/// - AMD family 1Ah (Zen 5), with the AVX-512 backend: from 8 KiB, for
///   the zero count (which then counts the lanes the clears' mask names,
///   instead of comparing each stored register again). On the same VM,
///   f32, 2026-12-07, the same run switching it, three runs: the count in
///   place took 0.64-0.89x the time of the whole-register count from 2,048
///   to 131,072 elements (131,072: 1.39-1.50x -> 0.97-1.05x
///   `relu_inplace`'s time; 8,192 at a misaligned address: 1.58-1.61x ->
///   1.04-1.07x), the same from 524,288, with ReLU in place alone at
///   0.90-1.10x the whole-register loop's time; at 1,000 elements (4,000
///   bytes) ReLU took 1.03-1.23x, hence 8 KiB. Up to 16 MiB: both within
///   0.99-1.01x from 2 MiB to 16 MB; at 32 MB ReLU 1.06x and the count
///   0.94x, from 64 MB ReLU 1.08-1.12x and the count 1.08-1.12x (where
///   the slice no longer fits the 32 MiB L3). The zero count of 16-bit
///   floats, whose `+0` lanes take one compare by the zero key
///   ([`Splats::zero_key`](super::steps::Splats::zero_key)), clears from
///   `ALIGN_FROM`: there the count by the stored registers takes two mask
///   writes per register, the clears' one. Measured on the same VM,
///   2026-12-07 (session 18), `f16` in place at 1,024-4,095 elements
///   (2-8 KB): 0.71-0.95x the time.
/// - Every other CPU, Cascade Lake and Zen 4 included: never, until
///   measured.
///
/// Gradients with their input registers as loaded ([`separate_loads`]):
///
/// - AMD family 1Ah (Zen 5): from 8 MiB of output. Measured on the same
///   VM, 2026-12-07 (session 20), as [`SeparateLoads`](super::ops::SeparateLoads)
///   says: from 9 MB on 0.48-0.98x the time. From 4 MiB it would gain
///   0.85-0.93x for `relu6_backward` and for `relu_backward` on buffers at
///   different offsets in their cache lines, but `relu_backward` on
///   buffers that share one (as an allocator places large buffers) took
///   1.00-1.07x the time at 6-8 MB, in two runs.
/// - Intel with AVX512-FP16: never. Measured on a VM of the class (family 6
///   model 167), 2026-12-07 (session 21), the same run switching it, three
///   runs: `relu_backward` 0.96-1.03x the time from 1 MB of output to
///   256 MB (0.96-0.97x from 4 MB to 16 MB in one run, 0.98-1.00x in the
///   other two), `relu6_backward` 0.99-1.01x, `bias_relu_backward`
///   0.99-1.02x: no gain to take.
/// - Every other CPU: never, until measured (a masked load is what the
///   kernels did before; only AVX-512 has one).
fn measured() -> Measured {
    match crate::cpu::model() {
        Model::Zen3 => Measured {
            prefetch_from: PREFETCH_FROM,
            prefetch_below: usize::MAX,
            stream_from: 8 << 20,
            stream_ahead: 0,
            clears: NEVER,
            clears_from: super::map::ALIGN_FROM,
            clears_below: usize::MAX,
            separate_loads_from: usize::MAX,
        },
        Model::Zen5 => Measured {
            prefetch_from: usize::MAX,
            prefetch_below: usize::MAX,
            stream_from: 16 << 20,
            stream_ahead: 0,
            clears: MASKED_STORES,
            clears_from: 8 << 10,
            clears_below: 16 << 20,
            separate_loads_from: 8 << 20,
        },
        Model::SapphireRapids => Measured {
            prefetch_from: 32 << 10,
            prefetch_below: 1 << 20,
            stream_from: 32 << 20,
            stream_ahead: 8 << 10,
            clears: MASKED_STORES,
            clears_from: super::map::ALIGN_FROM,
            clears_below: usize::MAX,
            separate_loads_from: usize::MAX,
        },
        Model::Other => Measured {
            prefetch_from: PREFETCH_FROM,
            prefetch_below: usize::MAX,
            stream_from: usize::MAX,
            stream_ahead: 0,
            clears: NEVER,
            clears_from: super::map::ALIGN_FROM,
            clears_below: usize::MAX,
            separate_loads_from: usize::MAX,
        },
    }
}

/// Orders the non-temporal stores before everything the thread does next
/// (`sfence` on x86_64), so that they are seen by any thread that
/// synchronises with this one afterwards, as regular stores would be.
#[inline(always)]
pub(crate) fn fence() {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `sfence` is SSE, which every x86_64 CPU has; it only orders
    // stores.
    unsafe {
        core::arch::x86_64::_mm_sfence();
    }
}
