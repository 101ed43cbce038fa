//! The shapes of kernel a per-register operation runs in: element-wise over
//! streams, with a count of the `+0` outputs, with a per-channel operand
//! broadcast along the rows, and row by row with per-channel sums.
//!
//! Each is `unsafe` with the contract of [`Kernel::simd`](crate::kernels::Kernel::simd):
//! the pointers are valid for `len` elements, the output may be the same
//! pointer as an input but overlaps no input otherwise, per-channel operands
//! hold `channels` elements (which divides `len`, and is 0 only if `len` is),
//! sums hold `channels` wide values and overlap nothing else, and the CPU has
//! the ISA of the register. They forward it to `map` and `accumulate_rows`,
//! whose accesses stay in those ranges.

use super::inputs::{Repeating, UNROLL};
use super::isa::Register;
use super::map::{ALIGN_FROM, Op, clear, is_short, map, map_part};
use super::memory::{Stores, clears_in_place, separate_loads};
use super::ops::{Canonical, Relu, ReluZeros, SeparateLoads, ZeroCount};
use super::rows::{RowOp, accumulate_rows};
use super::steps::Splats;
use super::stream::{Layout, Plain, Stream};
use crate::element::{Element, Kind};
use core::mem::MaybeUninit;

/// `op` over `N` input streams of `len` elements of `T`, to `out`; with
/// the inputs loaded separately if `op` masks an input
/// ([`Op::MASKS_AN_INPUT`]) where [`separate_loads`] says so.
///
/// # Safety
/// See the module docs.
#[inline(always)]
pub(crate) unsafe fn elementwise<T: Layout, S: Stream, const N: usize>(
    inputs: [*const T; N],
    out: *mut T,
    len: usize,
    whole_len: usize,
    op: &impl Op<S::Reg, N>,
) {
    let (inputs, out, bytes) = (inputs.map(|p| p.cast()), out.cast(), len * size_of::<T>());
    let whole = whole_bytes::<T>(len, whole_len);
    // SAFETY: forwarded from the caller.
    unsafe {
        if masks_an_input(op) && separate_loads::<S::Reg>(bytes) {
            map::<S, N>(inputs, out, bytes, whole, &SeparateLoads(op), &mut ())
        } else {
            map::<S, N>(inputs, out, bytes, whole, op, &mut ())
        }
    }
}

/// The bytes of the whole output that `len` elements of `T` are part of
/// (`whole_len`: [`Params::whole_len`](crate::kernels::Params), 0 where
/// they are the whole), for which the per-CPU rules of long outputs are
/// decided ([`Stores::for_output`]).
#[inline(always)]
fn whole_bytes<T>(len: usize, whole_len: usize) -> usize {
    len.max(whole_len) * size_of::<T>()
}

/// [`Op::MASKS_AN_INPUT`] of `op`'s type.
#[inline(always)]
fn masks_an_input<V, O: Op<V, N>, const N: usize>(_: &O) -> bool {
    O::MASKS_AN_INPUT
}

/// `out = relu(src)`: in place by storing only the lanes it clears where
/// [`clears_in_place`] says so, else element-wise, by class where
/// [`float_compares`] says so (only then is the environment asked).
///
/// # Safety
/// See the module docs.
#[inline(always)]
pub(crate) unsafe fn relu<T: Layout, V: Register<T>>(
    src: *const T,
    out: *mut T,
    len: usize,
    whole_len: usize,
) {
    // SAFETY: forwarded from the caller (`Register<T>` gives the ISA of `V`
    // for `T`'s lanes).
    unsafe {
        let splats = Splats::<V, T::Bits>::new(T::BITS);
        let bytes = len * size_of::<T>();
        if src == out.cast_const() && clears_in_place::<V>(bytes, false) {
            clear(out.cast(), bytes, &Relu::<_, _>(splats), &mut ());
        } else {
            by_float!(T, len, FLOAT => {
                elementwise::<T, Plain<V>, 1>([src], out, len, whole_len, &Relu::<_, _, FLOAT>(splats))
            });
        }
    }
}

/// `out = relu(src)`, returning how many outputs are `+0`: element-wise
/// (by class where [`float_compares`] says so), counting the `+0` lanes of
/// every register stored, or in place, where [`clears_in_place`] says so,
/// by storing `+0` into the lanes whose output is `+0` and counting those
/// ([`ReluZeros`], one float compare where [`float_compares`] says so).
///
/// # Safety
/// See the module docs.
#[inline(always)]
pub(crate) unsafe fn count<T: Layout, V: Register<T>>(
    src: *const T,
    out: *mut T,
    len: usize,
    whole_len: usize,
) -> usize {
    // Chunks short enough that no lane counter wraps: `map` and `clear`
    // count at most `bytes / BYTES + 2` registers (16-bit lanes: chunks of
    // about 4 MiB with AVX-512; wider lanes: one chunk).
    let max = ZeroCount::<V, T::Bits>::MAX_REGISTERS - 2;
    let chunk = usize::try_from(max)
        .unwrap_or(usize::MAX)
        .saturating_mul(V::BYTES);
    let (bytes, src, out) = (len * size_of::<T>(), src.cast::<u8>(), out.cast::<u8>());
    let whole = whole_bytes::<T>(len, whole_len);
    // SAFETY: see the module docs; each chunk lies within the `bytes` of both
    // streams.
    unsafe {
        let splats = Splats::<V, T::Bits>::new(T::BITS);
        // Decided for the whole slice, whose size the CPU's rule is about;
        // from `ALIGN_FROM` where one compare names the `+0` lanes.
        let one_compare = splats.zero_key(splats.zero).is_some();
        let clears = src == out.cast_const() && clears_in_place::<V>(bytes, one_compare);
        if bytes <= chunk {
            // One count (`map` decides the stores, and takes no decision
            // for a short slice).
            return if is_short::<Plain<V>>(bytes) {
                count_part::<T, V, true>(src, out, bytes, whole, splats, None, clears)
            } else {
                count_part::<T, V, false>(src, out, bytes, whole, splats, None, clears)
            };
        }
        let stores = Stores::for_output([src], out, bytes, whole);
        let mut total = 0;
        for at in (0..bytes).step_by(chunk) {
            let n = chunk.min(bytes - at);
            let part = Some(stores.from(at));
            total +=
                count_part::<T, V, false>(src.add(at), out.add(at), n, whole, splats, part, clears);
        }
        total
    }
}

/// [`count`] over `bytes` bytes short enough for one [`ZeroCount`], part of
/// a longer output stored as `stores` says if given; in place by the clears
/// where `clears` (decided for the whole slice) and the part has at least
/// [`ALIGN_FROM`] bytes, as [`clear`] needs. `SHORT` only if `map` runs
/// the part without a loop ([`is_short`]; [`ZeroCount`] says why); the
/// chunks of a chunked count run without it (a short last one is then
/// counted by the counters, as exactly).
///
/// # Safety
/// See the module docs, for `bytes` bytes; `clears` only in place.
#[inline(always)]
unsafe fn count_part<T: Layout, V: Register<T>, const SHORT: bool>(
    src: *const u8,
    out: *mut u8,
    bytes: usize,
    whole: usize,
    splats: Splats<V, T::Bits>,
    stores: Option<Stores>,
    clears: bool,
) -> usize {
    let mut zeros = ZeroCount::<V, T::Bits, SHORT>::new(splats.zero);
    // SAFETY: forwarded from the caller.
    unsafe {
        by_float!(T, bytes / size_of::<T>(), FLOAT => {
            if clears && bytes >= ALIGN_FROM {
                clear(out, bytes, &ReluZeros::<_, _, FLOAT>(splats), &mut zeros);
            } else {
                let op = Relu::<_, _, FLOAT>(splats);
                match stores {
                    Some(part) => map_part::<Plain<V>, 1>([src], out, bytes, &op, &mut zeros, part),
                    None => map::<Plain<V>, 1>([src], out, bytes, whole, &op, &mut zeros),
                }
            }
        });
        zeros.finish()
    }
}

/// Bytes of the stack buffer that a per-channel operand of rows up to half
/// as long is repeated into, so that one loop runs over every row, reading
/// the operand from the buffer, wrapped ([`Repeating`]).
const PATTERN_BYTES: usize = 4096;

/// A cache-line-aligned buffer for the repeated operand, and room to start
/// it at any offset in a line.
#[repr(align(64))]
struct Pattern([MaybeUninit<u8>; PATTERN_BYTES + 64]);

/// Runs `op` over `len` elements of `src` (to `dst`, which may equal `src`)
/// with the per-channel operand `params` (`channels` elements, repeating).
///
/// # Safety
/// See the module docs.
#[inline(always)]
pub(crate) unsafe fn broadcast<T: Layout, S: Stream>(
    src: *const T,
    dst: *mut T,
    len: usize,
    whole_len: usize,
    params: *const T,
    channels: usize,
    op: &impl Op<S::Reg, 2>,
) {
    if len == 0 {
        return;
    }
    let (bytes, row) = (len * size_of::<T>(), channels * size_of::<T>());
    let whole = whole_bytes::<T>(len, whole_len);
    let (src, dst) = (src.cast::<u8>(), dst.cast::<u8>());
    // SAFETY: each call of the row loop covers one row inside `0..bytes`.
    // The pattern's `fill <= period + step <= PATTERN_BYTES` bytes start
    // less than 64 bytes into a buffer of `PATTERN_BYTES + 64`; each copy
    // moves `more <= have` bytes from its start to right after the `have`
    // there, so source and destination do not overlap; `Repeating` reads
    // at most `fill` bytes of it (`map_part` keeps every read inside the
    // output's `bytes`, and wraps at `period`).
    unsafe {
        // Long rows, or one row: the operand read where it is.
        if row > PATTERN_BYTES / 2 || row == bytes {
            // The rows are parts of one output (`map_part`).
            let stores = Stores::for_output([src], dst, bytes, whole);
            for at in (0..bytes).step_by(row) {
                let inputs = [src.add(at), params.cast()];
                map_part::<S, 2>(inputs, dst.add(at), row, op, &mut (), stores.from(at));
            }
            return;
        }
        // The operand repeats every `period` bytes: a multiple of the row
        // and, where that fits, of the register's bytes (so that its loads
        // are aligned where the loop's stores are), at least a step of the
        // loop. The pattern holds what the loop reads of it.
        let step = UNROLL * S::BYTES;
        let gcd = 1 << row.trailing_zeros().min(S::BYTES.trailing_zeros());
        let lcm = row / gcd * S::BYTES;
        // (No division where one `lcm` covers a step: rows of 64 f32 with
        // AVX-512, say.)
        let lcm_period = if lcm >= step {
            lcm
        } else {
            lcm * step.div_ceil(lcm)
        };
        let period = if lcm_period + step <= PATTERN_BYTES {
            lcm_period
        } else {
            row * ((PATTERN_BYTES - step) / row)
        };
        let fill = (period + step).min(bytes);
        // `bytes` is a whole number of rows, at least one; a period is at
        // least a step and, with the step after it, fits the buffer (rows
        // are at most `PATTERN_BYTES / 2`, so the fallback holds at least
        // `PATTERN_BYTES / 2 - step` bytes of whole rows).
        debug_assert!(row <= fill && step <= period && period + step <= PATTERN_BYTES);
        // The pattern starts at the output's offset in its cache line, so
        // that where the loop's stores are aligned its loads of the pattern
        // are too.
        let mut pattern = Pattern([MaybeUninit::uninit(); PATTERN_BYTES + 64]);
        let p = pattern.0.as_mut_ptr().cast::<u8>().add(dst.addr() % 64);
        // The row, then what is there copied after itself (whole rows, so
        // the bytes keep repeating every row) until `fill` bytes.
        core::ptr::copy_nonoverlapping(params.cast::<u8>(), p, row);
        let mut have = row;
        while have < fill {
            let more = have.min(fill - have);
            core::ptr::copy_nonoverlapping(p, p.add(have), more);
            have += more;
        }
        // Decided after the copies, which call `memcpy`: with the decision
        // live across those calls the compiler could keep the loop's
        // prefetch span on the stack, loaded at every step (BENCHMARKS.md,
        // session 15).
        let stores = Stores::for_output([src], dst, bytes, whole);
        // A period of one step has a loop of its own (`Repeating`).
        if period == step {
            let inputs = Repeating::<true>::new(src, p, period);
            map_part::<S, 2>(inputs, dst, bytes, op, &mut (), stores);
        } else {
            let inputs = Repeating::<false>::new(src, p, period);
            map_part::<S, 2>(inputs, dst, bytes, op, &mut (), stores);
        }
    }
}

/// A gradient with per-channel sums: `op` over the rows of `inputs` (`len`
/// elements, rows of `channels`) with the per-channel `params`, with its
/// row inputs loaded separately if `op` masks one
/// ([`RowOp::MASKS_AN_INPUT`]) where [`separate_loads`] says so, then the
/// sums' NaNs canonicalised.
///
/// # Safety
/// See the module docs.
#[inline(always)]
pub(crate) unsafe fn with_sums<T: Layout, V: Register<T>, const M: usize, O: RowOp<V, 2, M>>(
    inputs: [*const T; 2],
    params: [*const T; M],
    dx: *mut T,
    len: usize,
    channels: usize,
    sums: *mut T::Wide,
    op: &O,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if len > 0 {
            let rows = len / channels;
            if O::MASKS_AN_INPUT && separate_loads::<V>(len * size_of::<T>()) {
                let op = &SeparateLoads(op);
                accumulate_rows::<T, V, 2, M>(inputs, params, dx, rows, channels, sums, op);
            } else {
                accumulate_rows::<T, V, 2, M>(inputs, params, dx, rows, channels, sums, op);
            }
        }
        canonical_sums::<T, V>(sums, channels);
    }
}

/// Canonicalises the NaNs of `channels` sums in place.
///
/// # Safety
/// `sums` is readable and writable for `channels` elements; the CPU has the
/// ISA of `V`.
#[inline(always)]
unsafe fn canonical_sums<T: Layout, V: Register<T>>(sums: *mut T::Wide, channels: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        let op = Canonical(Splats::<V, T::Lane>::new(T::WIDE_BITS));
        let bytes = channels * size_of::<T::Wide>();
        map::<Plain<V>, 1>([sums.cast()], sums.cast(), bytes, bytes, &op, &mut ());
    }
}

/// `$e` with the constant `$float` set to [`float_compares`] for `len`
/// elements of `T`: compiled twice, chosen at run time. The kernels that
/// run in one form decide it in `kernels.rs`; [`relu`] and [`count`]
/// (per chunk, in `count_part`), which choose among forms, decide it
/// inside, where a form uses it.
macro_rules! by_float {
    ($t:ty, $len:expr, $float:ident => $e:expr) => {
        if $crate::kernel::shapes::float_compares::<$t>($len) {
            const $float: bool = true;
            $e
        } else {
            const $float: bool = false;
            $e
        }
    };
}
pub(crate) use by_float;

/// Whether a kernel over `len` elements of `T` may use the float
/// instructions that move bits: ReLU's masks by a float compare
/// ([`Splats::passes_by`], [`Splats::zeros_by`]), picks by float class
/// ([`Splats::by_class`]), clamp's float max and min
/// ([`Lanes::float_max`](super::isa::Lanes::float_max)): for `f32` and
/// `f64` (whose lanes hold their own floats), on more than 64 bytes, where
/// [`subnormals_kept`](crate::cpu::subnormals_kept) says the compare is
/// exact. On one register reading MXCSR (by `stmxcsr`, as this did then)
/// cost more than the compare saves (16 `f32` backward: 3.6 -> 4.3 ns per
/// call, against 0.92x -> 1.00x the naive AVX-512 loop's speed at 256;
/// Sapphire Rapids-class VM); not measured again with today's `ucomiss`.
#[inline(always)]
pub(crate) fn float_compares<T: Element>(len: usize) -> bool {
    matches!(T::KIND, Kind::F32 | Kind::F64)
        && len * size_of::<T>() > 64
        && crate::cpu::subnormals_kept()
}
