//! The row loop of the gradients with per-channel sums: an operation applied
//! row by row, vectorised across channels, with the channels' running sums
//! kept in registers and added in row order (so every backend gives the same
//! bits).

use super::isa::{Float, Lanes, Register};
use super::memory::{prefetch_ahead, prefetch_span};
use super::stream::{Layout, Stream};
use crate::element::Element;
use core::mem::MaybeUninit;

/// The operation [`accumulate_rows`] applies: `N` row registers, `M`
/// per-channel registers and an accumulator to an output and a new
/// accumulator.
pub trait RowOp<V, const N: usize, const M: usize> {
    /// As [`Op::MASKS_AN_INPUT`](super::map::Op::MASKS_AN_INPUT), for the
    /// row inputs.
    const MASKS_AN_INPUT: bool = false;

    /// # Safety
    /// The CPU has the ISA of `V`.
    unsafe fn apply(&self, rows: [V; N], channels: [V; M], sum: V) -> (V, V);
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
/// As in [`map`](super::map::map), an output of at least `PREFETCH_FROM`
/// bytes has its lines prefetched `PREFETCH_AHEAD` bytes past each register
/// stored (for rows wider than a block, further along the row, where a
/// later block of channels of the same rows stores).
///
/// # Safety
/// The row inputs are readable and `out` writable for `rows * channels`
/// elements, the channel inputs are readable for `channels` elements, `acc` is
/// readable and writable for `channels` `T::Wide`; `out` and `acc` overlap
/// nothing else; `channels > 0`; the CPU has the ISA of `V`.
#[inline(always)]
pub(crate) unsafe fn accumulate_rows<T: Layout, V: Register<T>, const N: usize, const M: usize>(
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
    // Each walk is compiled with and without the prefetches: their test,
    // run per register, was measured to cost more than noise (BENCHMARKS.md,
    // "Prefetching").
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
    T: Element,
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

impl<T: Layout, O, const N: usize, const M: usize> ChannelSums<'_, T, O, N, M> {
    /// [`accumulate_rows`] with at least a register of channels: blocks of
    /// [`SUM_REGISTERS`] registers of channels, down all the rows if a row
    /// fits in one block, else down blocks of about [`ROW_BLOCK_BYTES`] of
    /// rows.
    ///
    /// # Safety
    /// As [`accumulate_rows`], with `channels >=` the lanes of a register.
    #[inline(always)]
    unsafe fn blocks<V: Register<T>, const PREFETCH: bool>(&self, rows: usize)
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
    unsafe fn block<V: Register<T>, const PREFETCH: bool>(
        &self,
        rows: core::ops::Range<usize>,
        c: usize,
        regs: usize,
        last: usize,
    ) where
        O: RowOp<V, N, M>,
    {
        type In<T, V> = <T as Layout>::Stream<V>;
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
    unsafe fn few_channels<V: Register<T>, const PREFETCH: bool>(&self, rows: usize)
    where
        O: RowOp<V, N, M>,
    {
        let (row_inputs, channel_inputs) = (self.row_inputs, self.channel_inputs);
        let (out, channels, acc, op, span) =
            (self.out, self.channels, self.acc, self.op, self.span);
        type In<T, V> = <T as Layout>::Stream<V>;
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
unsafe fn apply_register<T: Layout, V: Register<T>, const N: usize, const M: usize>(
    op: &impl RowOp<V, N, M>,
    inputs: [*const u8; N],
    params: [V; M],
    sum: V,
    out: *mut u8,
    bytes: usize,
) -> V {
    type In<T, V> = <T as Layout>::Stream<V>;
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
