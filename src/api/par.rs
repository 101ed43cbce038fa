//! The parallel forms (feature `rayon`): every free function of the crate,
//! run in chunks on rayon's current pool, generated from the same table of
//! operations.
//!
//! Each function checks its arguments as the sequential one does, with the
//! same messages, before any chunk runs; then, from [`parallel_from`] bytes
//! of output, it splits the slices into chunks of about [`CHUNK_BYTES`]
//! whose boundaries fall on the output's 64-byte lines (for the per-channel
//! operations, on whole rows), and runs the sequential kernel of the active
//! backend on each chunk, which stores its part as the whole call's output
//! would be stored (non-temporal stores for long outputs where they win).
//! Every element is computed by the same kernel as in the sequential form,
//! so the outputs have the same bits; the zero count is the sum of the
//! chunks' counts.
//!
//! The gradients with per-channel sums (`prelu_backward`,
//! `bias_relu_backward`) run on the calling thread: their sums are added row
//! by row in index order, and splitting the rows would change that order
//! (and the bits of the sums), while splitting the channels needs a strided
//! kernel the crate does not have.
//!
//! Below the threshold, and on a machine where two threads do not help, the
//! parallel form costs one extra thread-local read per call; see
//! `BENCHMARKS.md` for the measurements behind the two sizes.
//!
//! ```
//! let mut x = vec![-1.0f32; 1 << 20];
//! relu_simd::par::relu_inplace(&mut x);
//! assert!(x.iter().all(|&v| v == 0.0));
//! // On a pool of your own:
//! let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
//! let n = pool.install(|| relu_simd::par::relu_count_inactive_inplace(&mut x));
//! assert_eq!(n, 1 << 20);
//! ```

use super::{Activations, Operands, Run, assume_init};
use crate::Backend;
use crate::element::{Element, Wide};
use crate::kernels::{self, Inputs, Kernel, Output, Params};
use core::cell::Cell;
use core::mem::MaybeUninit;
use rayon::prelude::*;

/// Bytes of output from which a call is split into chunks on the CPUs where
/// no split was measured to gain (see [`parallel_from`]); below, it runs on
/// the calling thread. On the 2-core AMD Zen 3 VM it was measured on
/// (`BENCHMARKS.md`), two threads gained nothing at any size up to
/// 64,000,000 f32 (256 MB) and lost up to 44% at 2,000,000 in place, so the
/// threshold lies above every measured size: there the parallel forms run
/// sequentially, at the sequential speed.
pub const PARALLEL_FROM: usize = 512 << 20;

/// Bytes of output from which a call is split into chunks on this CPU:
///
/// - on Intel CPUs with AVX512-FP16 (Sapphire Rapids class), 2 MiB: on a
///   2-core VM of that class (family 6 model 207, 2026-12-06), two threads
///   ran 1.19-1.46x the sequential forms at 2 MiB of f32 output (in place,
///   out of place, backward), 1.5-1.9x from 4 MiB to 64 MiB, but 0.83-1.73x
///   at 1 MiB and 0.5-0.7x at 512 KiB (`BENCHMARKS.md`);
/// - elsewhere [`PARALLEL_FROM`].
///
/// ```
/// assert!(relu_simd::par::parallel_from() >= 4 * relu_simd::par::CHUNK_BYTES);
/// ```
pub fn parallel_from() -> usize {
    match crate::cpu::model() {
        crate::cpu::Model::SapphireRapids => 2 << 20,
        _ => PARALLEL_FROM,
    }
}

/// Bytes of output per chunk (a multiple of 64): of 256 KiB, 1 MiB and
/// 4 MiB, 256 KiB was the least slow split out of place at 16,000,000 and
/// 64,000,000 f32 on that machine.
pub const CHUNK_BYTES: usize = 256 << 10;

/// The size of the lines the chunk boundaries are aligned to.
const LINE: usize = 64;

/// What the test hook overrides on the calling thread.
#[derive(Clone, Copy)]
struct Setting {
    handle: Option<Activations>,
    /// `None`: [`parallel_from`].
    from: Option<usize>,
    chunk: usize,
}

std::thread_local! {
    static SETTING: Cell<Setting> = const {
        Cell::new(Setting { handle: None, from: None, chunk: CHUNK_BYTES })
    };
}

/// Runs `f` with the parallel forms of this thread on `handle`'s backend,
/// split from `from_bytes` of output into chunks of `chunk_bytes`, so that
/// tests reach every backend and many chunks on small slices. Not part of
/// the API.
#[doc(hidden)]
pub fn with_setting<R>(
    handle: Activations,
    from_bytes: usize,
    chunk_bytes: usize,
    f: impl FnOnce() -> R,
) -> R {
    let new = Setting {
        handle: Some(handle),
        from: Some(from_bytes),
        chunk: chunk_bytes,
    };
    let old = SETTING.with(|s| s.replace(new));
    struct Restore(Setting);
    impl Drop for Restore {
        fn drop(&mut self) {
            SETTING.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(old);
    f()
}

/// The handle the parallel forms of this thread run.
#[inline]
fn handle() -> Activations {
    SETTING
        .with(Cell::get)
        .handle
        .unwrap_or_else(Activations::active)
}

/// Where chunk `i` of a plan starts: 0, then `head + i * step`.
#[derive(Clone, Copy, Debug)]
struct Plan {
    head: usize,
    step: usize,
    len: usize,
}

impl Plan {
    /// Chunks of about `chunk_bytes` over `len` elements of `T` whose output
    /// starts at address `out`; with `channels > 1`, whole rows of that
    /// many elements (aligned to lines only where rows allow it).
    fn new<T>(out: usize, len: usize, channels: usize, chunk_bytes: usize) -> Plan {
        let size = size_of::<T>();
        let line_elements = (LINE / size).max(1);
        let lines = (chunk_bytes / LINE).max(1);
        let (head, step) = if channels > 1 {
            let rows = (lines * line_elements / channels).max(1);
            (0, rows * channels)
        } else {
            // The first boundary at a line: an output of `T`s is aligned to
            // `size`, so this is a whole number of elements.
            let head = (LINE - out % LINE) % LINE / size;
            (head, lines * line_elements)
        };
        Plan { head, step, len }
    }

    fn chunks(self) -> usize {
        if self.len <= self.head + self.step {
            1
        } else {
            (self.len - self.head).div_ceil(self.step)
        }
    }

    /// The elements of chunk `i`.
    fn range(self, i: usize) -> (usize, usize) {
        let start = if i == 0 { 0 } else { self.head + i * self.step };
        let end = (self.head + (i + 1) * self.step).min(self.len);
        (start, end)
    }
}

/// The pointers of one call, shared by the chunks.
struct Shared<'a, T: Element> {
    backend: Backend,
    x: *const T,
    dy: *const T,
    out: *mut T,
    p: &'a Params<T>,
}

// SAFETY: the chunks read `x`, `dy` and the parameters, which nothing writes
// during the call, and write disjoint ranges of `out` (see `run`); `T` is a
// plain float type.
unsafe impl<T: Element> Sync for Shared<'_, T> {}

/// Runs `sequential` (a kernel, as `dispatch::run::<T, K>`) on chunks of
/// the call on rayon's current pool, or on the calling thread below the
/// threshold or with per-channel sums; returns the sum of the counts.
///
/// # Safety
/// As [`dispatch::run`](crate::dispatch::run), and `sequential` has that
/// contract.
#[inline(always)]
unsafe fn run<T: Element>(
    sequential: Run<T>,
    backend: Backend,
    src: Inputs<T>,
    dst: Output<T>,
    p: &Params<T>,
) -> usize {
    let Setting { from, chunk, .. } = SETTING.with(Cell::get);
    let len = dst.len;
    if len * size_of::<T>() < from.unwrap_or_else(parallel_from) || !p.sums.is_null() {
        // SAFETY: forwarded from the caller.
        return unsafe { sequential(backend, src, dst, p) };
    }
    let plan = Plan::new::<T>(dst.out as usize, len, p.channels, chunk);
    // Each chunk stores as the whole call's output would be stored: the
    // per-CPU rules of long outputs are about the output's size. On the
    // Sapphire Rapids-class VM (family 6 model 167, 2026-12-07), two threads
    // took 0.65-0.66x the time of chunks decided alone for `relu` out of
    // place at 64,000,000 f32 and 0.76-0.77x for `relu_backward`
    // (non-temporal stores instead of regular ones; BENCHMARKS.md).
    let p = &Params {
        whole_len: len,
        ..*p
    };
    let shared = Shared {
        backend,
        x: src.x,
        dy: src.dy,
        out: dst.out,
        p,
    };
    let shared = &shared;
    (0..plan.chunks())
        .into_par_iter()
        .map(move |i| {
            let (start, end) = plan.range(i);
            // SAFETY: `start <= end <= len`, so the offsets stay within the
            // caller's slices; the chunks' ranges are disjoint, so no two
            // write the same output element, and an output that is an input
            // is read only by the chunk writing it (same range); per-channel
            // operands hold for a chunk of whole rows (`start` and the
            // length are multiples of `channels`), and there are no sums
            // here; the rest is the caller's contract.
            unsafe {
                let src = Inputs {
                    x: shared.x.add(start),
                    dy: shared.dy.add(start),
                };
                let dst = Output {
                    out: shared.out.add(start),
                    len: end - start,
                };
                sequential(shared.backend, src, dst, shared.p)
            }
        })
        .sum()
}

/// The doc of a parallel form.
macro_rules! par_doc {
    ($f:ident) => {
        concat!(
            "As ",
            link!($f),
            ", in chunks on rayon's current pool from `parallel_from()` bytes of output, ",
            "with the same bits.\n\n# Panics\n\nAs ",
            link!($f),
            ", before any chunk runs."
        )
    };
}

/// The runner of the parallel forms: [`run`] with the sequential kernel
/// `dispatch::run::<T, K>`.
///
/// # Safety
/// As [`dispatch::run`](crate::dispatch::run).
unsafe fn parallel<T: Element, K: Kernel>(
    backend: Backend,
    src: Inputs<T>,
    dst: Output<T>,
    p: &Params<T>,
) -> usize {
    // SAFETY: forwarded from the caller; `run` asks of `sequential` the
    // contract of `dispatch::run`, which `dispatch::run` has.
    unsafe { run(crate::dispatch::run::<T, K>, backend, src, dst, p) }
}

/// Generates the parallel forms of the rows of the table, with `forms!` as
/// the sequential free functions.
macro_rules! par_operations {
    ($(
        $(#[$doc:meta])*
        $kind:ident $kernel:ident: $op:ident, $inplace:ident, $uninit:ident $params:tt
            => $operands:expr;
    )*) => {$(
        forms! {
            [] handle(), parallel;
            [#[doc = par_doc!($op)]]
            [#[doc = par_doc!($inplace)]]
            [#[doc = par_doc!($uninit)]]
            $kind $kernel: $op, $inplace, $uninit $params => $operands
        }
    )*};
}

crate::for_each_operation!(par_operations);

#[cfg(test)]
mod tests {
    use super::Plan;

    /// The chunks cover every element once, in order; every boundary after
    /// the first is on a line, or a whole row.
    #[test]
    fn plans_cover_and_align() {
        for out in [0usize, 4, 60, 64, 100] {
            for len in [0usize, 1, 15, 16, 17, 100, 1000] {
                for channels in [0usize, 1, 3, 16] {
                    if channels > 1 && len % channels != 0 {
                        continue;
                    }
                    let plan = Plan::new::<f32>(out, len, channels, 64);
                    let mut next = 0;
                    for i in 0..plan.chunks() {
                        let (start, end) = plan.range(i);
                        assert_eq!(start, next, "{plan:?} chunk {i}");
                        assert!(
                            start <= end && (end > start || len == 0),
                            "{plan:?} chunk {i}"
                        );
                        if i > 0 {
                            if channels > 1 {
                                assert_eq!(start % channels, 0);
                            } else {
                                assert_eq!((out + 4 * start) % 64, 0, "{plan:?} chunk {i}");
                            }
                        }
                        next = end;
                    }
                    assert_eq!(next, len, "{plan:?}");
                }
            }
        }
    }
}
