//! The operations, one register at a time: each says what it does to the
//! registers of its inputs, with the steps of `steps.rs`. Each `apply` needs
//! the ISA of `V`, which the kernels that build them have (every constructor
//! is `unsafe` for that reason).

use super::isa::{Float, Lanes, Register, Vector};
use super::map::{Clear, Cleared, Op, Tally};
use super::rows::RowOp;
use super::steps::{Arith, Splats};
use super::stream::Layout;
use crate::element::Specials;
use core::marker::PhantomData;

/// ReLU, on `T`'s own lanes; `FLOAT`: by one class pick where the ISA has
/// one ([`Splats::relu_by`]).
pub(crate) struct Relu<V, I, const FLOAT: bool = false>(pub(crate) Splats<V, I>);

impl<V: Lanes<I>, I, const FLOAT: bool> Op<V, 1> for Relu<V, I, FLOAT> {
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.relu_by::<FLOAT>(x) }
    }
}

impl<V: Lanes<I>, I, const FLOAT: bool> Clear<V, I> for Relu<V, I, FLOAT> {
    #[inline(always)]
    unsafe fn clears(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.clears(x) }
    }
}

/// The lanes ReLU outputs as `+0`, `+0.0` inputs included (stored again as
/// they are), for the zero count in place: with `FLOAT`, by one float
/// compare where the ISA has one ([`Splats::zeros_by`]).
pub(crate) struct ReluZeros<V, I, const FLOAT: bool>(pub(crate) Splats<V, I>);

impl<V: Lanes<I>, I, const FLOAT: bool> Clear<V, I> for ReluZeros<V, I, FLOAT> {
    #[inline(always)]
    unsafe fn clears(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.zeros_by::<FLOAT>(x) }
    }
}

/// ReLU's gradient, on `T`'s own lanes; `FLOAT`: its mask by a float
/// compare where the ISA has one ([`Splats::pass_by`]).
pub(crate) struct ReluBackward<V, I, const FLOAT: bool>(pub(crate) Splats<V, I>);

impl<V: Lanes<I>, I, const FLOAT: bool> Op<V, 2> for ReluBackward<V, I, FLOAT> {
    const MASKS_AN_INPUT: bool = true;

    #[inline(always)]
    unsafe fn apply(&self, [x, dy]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.pass_by::<FLOAT>(dy, x) }
    }
}

/// `op` with each input register taken as loaded ([`Vector::separate_load`]),
/// for the gradients that zero `dy`'s lanes by a mask computed from `x`:
/// with AVX-512 the compiler makes that a masked load of `dy`, which waits
/// for `x`'s load and compare, so over memory the `dy` stream is read only
/// as `x` arrives. Loaded on its own, `dy` is read alongside `x`, for one
/// zero-masking move more. On the Zen 5 VM, the AVX-512 backend, 2026-12-07
/// (session 20), the same run switching it: `relu_backward` on `f32`
/// 0.71-0.81x the time from 16 MB of output to 256 MB (64,000,000
/// elements: 19.2 -> 13.8 ms), 0.75-0.98x at 9-12 MB, 0.89-1.07x at 6-8 MB
/// (by the buffers' offsets in their cache lines), and on `f16` and `bf16`
/// 0.71-0.73x at 256 MB, 0.88-0.94x at 16 MB; `relu6_backward`, whose mask
/// takes more steps, 0.48-0.56x from 16 MB, 0.70-0.93x at 6-10 MB; both
/// 0.93-1.06x from 32 KB to 4 MB (where the streams stay in the L3, and a
/// `dy` read after its mask sometimes gained), so kernels take it for the
/// ops that mask an input ([`Op::MASKS_AN_INPUT`]) only as
/// [`separate_loads`](super::memory::separate_loads) says.
pub(crate) struct SeparateLoads<'a, O>(pub(crate) &'a O);

impl<V: Vector, O: Op<V, N>, const N: usize> Op<V, N> for SeparateLoads<'_, O> {
    #[inline(always)]
    unsafe fn apply(&self, x: [V; N]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.apply(separated(x)) }
    }
}

/// The same for the row inputs of a gradient with per-channel sums (the
/// per-channel operands, read again for every row, are in the cache).
impl<V: Vector, O: RowOp<V, N, M>, const N: usize, const M: usize> RowOp<V, N, M>
    for SeparateLoads<'_, O>
{
    #[inline(always)]
    unsafe fn apply(&self, rows: [V; N], channels: [V; M], sum: V) -> (V, V) {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.apply(separated(rows), channels, sum) }
    }
}

/// Each register of `x` as loaded ([`Vector::separate_load`]).
///
/// # Safety
/// The CPU has the ISA of `V`.
#[inline(always)]
unsafe fn separated<V: Vector, const N: usize>(mut x: [V; N]) -> [V; N] {
    // SAFETY: forwarded from the caller. (A loop, not a closure: a closure
    // is a function without the kernel's target features.)
    unsafe {
        for v in &mut x {
            *v = v.separate_load();
        }
    }
    x
}

/// Counts the lanes of stored registers that are `+0` (all bits zero), or
/// the lanes `clear` stored `+0` into, in two registers of per-lane counters
/// taken in turn: a masked add of one per register (after a compare, for a
/// stored register), and one sum at the end. Two, so that one register's count
/// does not wait for the one before it: in place at 1,000 `f32` the count
/// took 1.34x `relu_inplace`'s time with one, 1.08-1.10x with two
/// (Sapphire Rapids-class VM). The caller keeps each count to at most
/// [`ZeroCount::MAX_REGISTERS`] registers, so no lane wraps.
///
/// `SHORT` (a slice that `map` runs without a loop): each register is
/// counted by the population count of its mask where the ISA has one
/// ([`Lanes::mask_count`]: AVX-512), and then there is no sum across lanes
/// to take. On the Zen 5 VM, in place with a fresh copy of the input per
/// call, against the count by the counters: 16 and 64 `f32` 0.70-0.73x and
/// 0.78x the time, 32 and 128 `f16` 0.80-0.83x and 0.67x, 8 and 32 `f64`
/// 0.72x and 0.84x. Counting a loop's first and last registers so took
/// 0.97-1.14x the time (1.03-1.14x at 1 KiB of `f32` and `f16`), so a
/// loop's count is as before (BENCHMARKS.md, session 17). An ISA without
/// the population count uses the counters in either mode.
pub(crate) struct ZeroCount<V, I, const SHORT: bool = false> {
    zero: V,
    counts: V,
    /// The counters the next register does not add to.
    other: V,
    /// Lanes counted by population counts.
    lanes: usize,
    _lane: PhantomData<I>,
}

impl<V: Lanes<I>, I: bytemuck::Pod + Into<i64>, const SHORT: bool> ZeroCount<V, I, SHORT> {
    /// Registers one count may see: a lane counts at most one per register.
    pub(crate) const MAX_REGISTERS: u64 = u64::MAX >> (64 - 8 * size_of::<I>());

    #[inline(always)]
    pub(crate) fn new(zero: V) -> Self {
        ZeroCount {
            zero,
            counts: zero,
            other: zero,
            lanes: 0,
            _lane: PhantomData,
        }
    }

    /// Counts the lanes of `zeros`: with `SHORT`, by their population count
    /// where the ISA has one; else into the counters of this register's
    /// turn.
    ///
    /// # Safety
    /// The CPU has the ISA of `V`.
    #[inline(always)]
    unsafe fn add(&mut self, zeros: V::Mask) {
        // SAFETY: forwarded from the caller.
        unsafe {
            if SHORT && let Some(n) = V::mask_count(zeros) {
                self.lanes += n;
                return;
            }
            self.counts = V::count_into(self.counts, zeros);
        }
        core::mem::swap(&mut self.counts, &mut self.other);
    }

    /// Counts the lanes of `zeros` whose bytes lie in `from..to`: the part of
    /// a register that is its own.
    ///
    /// # Safety
    /// The CPU has the ISA of `V`; `from..to` lies within the register, at
    /// lane boundaries.
    #[inline(always)]
    unsafe fn add_part(&mut self, zeros: V::Mask, from: usize, to: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { self.add(V::both(zeros, V::lanes_between(from, to))) }
    }

    /// # Safety
    /// The CPU has the ISA of `V`.
    #[inline(always)]
    pub(crate) unsafe fn finish(self) -> usize {
        // SAFETY: forwarded from the caller. With `SHORT`, every register
        // went to `lanes` where the ISA counts masks (asked of an empty
        // mask), and none to the counters. A lane of the two counts together
        // counts at most `MAX_REGISTERS` registers, so the add does not wrap.
        unsafe {
            if SHORT && V::mask_count(V::lanes_between(0, 0)).is_some() {
                return self.lanes;
            }
            V::sum(self.counts.add(self.other))
        }
    }
}

/// Counts the `+0` lanes of the registers `map` stores.
impl<V: Lanes<I>, I: bytemuck::Pod + Into<i64>, const SHORT: bool> Tally<V>
    for ZeroCount<V, I, SHORT>
{
    #[inline(always)]
    fn whole(&mut self, y: V) {
        // SAFETY: only built inside kernels, which have the ISA of `V`.
        unsafe { self.add(y.eq(self.zero)) }
    }

    #[inline(always)]
    fn part(&mut self, y: V, from: usize, to: usize) {
        // SAFETY: as in `whole`; `from..to` lies within the register (`map`).
        unsafe { self.add_part(y.eq(self.zero), from, to) }
    }
}

/// Counts the lanes `clear` stores `+0` into (with [`ReluZeros`], every
/// `+0` output).
impl<V: Lanes<I>, I: bytemuck::Pod + Into<i64>, const SHORT: bool> Tally<Cleared<V::Mask>>
    for ZeroCount<V, I, SHORT>
{
    #[inline(always)]
    fn whole(&mut self, Cleared(zeros): Cleared<V::Mask>) {
        // SAFETY: only built inside kernels, which have the ISA of `V`.
        unsafe { self.add(zeros) }
    }

    #[inline(always)]
    fn part(&mut self, Cleared(zeros): Cleared<V::Mask>, from: usize, to: usize) {
        // SAFETY: as in `whole`; `from..to` lies within the register
        // (`clear`).
        unsafe { self.add_part(zeros, from, to) }
    }
}

/// Leaky ReLU with a splatted wide `alpha`; `POSITIVE`: `alpha` is a
/// positive, finite and normal number (see [`Arith::leaky_positive`]);
/// `FLOAT`: the forward picks by float class where the ISA can
/// ([`Arith::leaky`]).
pub(crate) struct Leaky<
    T: Layout,
    V: Register<T>,
    const POSITIVE: bool = false,
    const FLOAT: bool = false,
> {
    arith: Arith<T, V>,
    alpha: V,
}

impl<T: Layout, V: Register<T>, const POSITIVE: bool, const FLOAT: bool>
    Leaky<T, V, POSITIVE, FLOAT>
{
    /// # Safety
    /// The CPU has the ISA of `V`; with `POSITIVE`, `alpha` is a positive,
    /// finite and normal number.
    #[inline(always)]
    pub(crate) unsafe fn new(alpha: T::Wide) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe {
            Leaky {
                arith: Arith::new(),
                alpha: <V as Float<T::Wide>>::fsplat(alpha),
            }
        }
    }
}

impl<T: Layout, V: Register<T>, const POSITIVE: bool, const FLOAT: bool> Op<V, 1>
    for Leaky<T, V, POSITIVE, FLOAT>
{
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA; `alpha` is positive, finite and
        // normal if `POSITIVE` (`new`).
        unsafe {
            if POSITIVE {
                self.arith.leaky_positive::<FLOAT>(x, self.alpha)
            } else {
                self.arith.leaky::<FLOAT, false>(x, self.alpha)
            }
        }
    }
}

impl<T: Layout, V: Register<T>> Op<V, 2> for Leaky<T, V> {
    /// The gradient.
    #[inline(always)]
    unsafe fn apply(&self, [x, dy]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.arith.leaky_backward(x, dy, self.alpha) }
    }
}

/// Clamp to splatted bounds, on `T`'s own lanes, ordered by the bounds'
/// order keys; `NON_NEGATIVE`: both bounds have their sign bit clear
/// (`+0.0 <= lo <= hi`), so that the bits themselves order every non-NaN
/// against them (see [`Clamp::key`]).
pub(crate) struct Clamp<V, I, const NON_NEGATIVE: bool> {
    s: Splats<V, I>,
    lo: V,
    hi: V,
    lo_key: V,
    hi_key: V,
}

impl<V: Lanes<I>, I, const NON_NEGATIVE: bool> Clamp<V, I, NON_NEGATIVE> {
    /// # Safety
    /// The CPU has the ISA of `V`; with `NON_NEGATIVE`, the sign bits of
    /// `lo` and `hi` are clear.
    #[inline(always)]
    pub(crate) unsafe fn new(s: Specials<I>, lo: I, hi: I) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe {
            let s = Splats::new(s);
            let (lo, hi) = (V::splat(lo), V::splat(hi));
            let (lo_key, hi_key) = (s.order_key(lo), s.order_key(hi));
            Clamp {
                s,
                lo,
                hi,
                lo_key,
                hi_key,
            }
        }
    }

    /// `x`'s order key against the bounds' keys. With `NON_NEGATIVE` the bits
    /// themselves, which are their own keys where the sign bit is clear, and
    /// negative integers, below both bounds, where it is set (`-0.0` and the
    /// negatives, which total order also puts below `+0.0`).
    ///
    /// # Safety
    /// The CPU has the ISA of `V`.
    #[inline(always)]
    unsafe fn key(&self, x: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { if NON_NEGATIVE { x } else { self.s.order_key(x) } }
    }
}

impl<V: Lanes<I>, I, const NON_NEGATIVE: bool> Op<V, 1> for Clamp<V, I, NON_NEGATIVE> {
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe {
            let nan = self.s.is_nan(x);
            if NON_NEGATIVE {
                // The key is `x`, so the bound a key clamps to is the bound.
                return V::select(nan, x, x.max(self.lo).min(self.hi));
            }
            let key = self.key(x);
            let below = V::and_not(self.lo_key.gt(key), nan);
            let above = V::and_not(key.gt(self.hi_key), nan);
            V::select(below, self.lo, V::select(above, self.hi, x))
        }
    }
}

impl<V: Lanes<I>, I, const NON_NEGATIVE: bool> Op<V, 2> for Clamp<V, I, NON_NEGATIVE> {
    const MASKS_AN_INPUT: bool = true;

    /// The gradient: `dy` where `lo < x < hi` or NaN.
    #[inline(always)]
    unsafe fn apply(&self, [x, dy]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe {
            let key = self.key(x);
            let inside = V::both(key.gt(self.lo_key), self.hi_key.gt(key));
            V::zero_unless(V::either(inside, self.s.is_nan(x)), dy)
        }
    }
}

/// Clamp by float max and min where the ISA has them ([`Lanes::float_max`]:
/// exact for `f32`/`f64` bounds with `lo` not `+0.0` and `hi` not `-0.0`,
/// under the float compares' condition), two instructions where the
/// integer form takes up to seven; `FROM_ZERO` (`lo` is `+0.0`, as ReLU6's):
/// ReLU ([`Splats::relu_by`]) instead of the max. Else as [`Clamp`].
pub(crate) struct FloatClamp<V, I, const FROM_ZERO: bool>(pub(crate) Clamp<V, I, FROM_ZERO>);

impl<V: Lanes<I>, I, const FROM_ZERO: bool> Op<V, 1> for FloatClamp<V, I, FROM_ZERO> {
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe {
            let c = &self.0;
            let raised = if FROM_ZERO {
                Some(c.s.relu_by::<true>(x))
            } else {
                x.float_max(c.lo)
            };
            raised
                .and_then(|raised| raised.float_min(c.hi))
                .unwrap_or_else(|| c.apply([x]))
        }
    }
}

/// PReLU: `x` and the channel's slope; `NAN_FREE`: every slope is finite
/// and normal (see [`Arith::leaky`]).
pub(crate) struct Prelu<
    T: Layout,
    V: Register<T>,
    const FLOAT: bool = false,
    const NAN_FREE: bool = false,
>(pub(crate) Arith<T, V>);

impl<T: Layout, V: Register<T>, const FLOAT: bool, const NAN_FREE: bool> Op<V, 2>
    for Prelu<T, V, FLOAT, NAN_FREE>
{
    #[inline(always)]
    unsafe fn apply(&self, [x, slope]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA; the slopes are finite and normal
        // if `NAN_FREE` (the kernel's choice).
        unsafe { self.0.leaky::<FLOAT, NAN_FREE>(x, T::widen(slope)) }
    }
}

impl<T: Layout, V: Register<T>> RowOp<V, 2, 1> for Prelu<T, V> {
    /// The gradient, and `dslopes += x * dy` where `x > 0` is false. Other
    /// lanes add `-0.0`, which leaves every sum as it is (NaN payloads aside),
    /// so the row-to-row dependency is one add.
    #[inline(always)]
    unsafe fn apply(&self, [x, dy]: [V; 2], [slope]: [V; 1], sum: V) -> (V, V) {
        // SAFETY: the caller has the ISA.
        unsafe {
            let a = &self.0;
            let dx = a.leaky_backward(x, dy, T::widen(slope));
            let product = a.mul(T::widen(x), T::widen(dy));
            let negative_zero = <V as Float<T::Wide>>::fsplat((-0.0f32).into());
            let added = <V as Lanes<T::Lane>>::select(a.lane.above_zero(x), negative_zero, product);
            (dx, a.add(sum, added))
        }
    }
}

/// Replaces NaNs by the canonical NaN (the per-channel sums, once at the end).
pub(crate) struct Canonical<V, I>(pub(crate) Splats<V, I>);

impl<V: Lanes<I>, I> Op<V, 1> for Canonical<V, I> {
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.canonical(x) }
    }
}

/// Bias + ReLU: `x` and the channel's bias.
/// `PICK_IN_PLACE`: as [`Arith::relu_narrow`] says.
pub(crate) struct BiasRelu<
    T: Layout,
    V: Register<T>,
    const FLOAT: bool = false,
    const PICK_IN_PLACE: bool = false,
>(pub(crate) Arith<T, V>);

impl<T: Layout, V: Register<T>, const FLOAT: bool, const PICK_IN_PLACE: bool> Op<V, 2>
    for BiasRelu<T, V, FLOAT, PICK_IN_PLACE>
{
    #[inline(always)]
    unsafe fn apply(&self, [x, bias]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe {
            let a = &self.0;
            a.relu_narrow::<FLOAT, PICK_IN_PLACE>(a.add(T::widen(x), T::widen(bias)))
        }
    }
}

impl<T: Layout, V: Register<T>> RowOp<V, 2, 0> for BiasRelu<T, V> {
    /// `dy` zeroed by `y`'s mask. On the Zen 5 VM, the same run switching
    /// [`SeparateLoads`], `f32` with 64 channels: 0.68-0.78x the time from 10
    /// MB of output to 256 MB, 0.89-0.94x at 6-8 MB, 1.06-1.10x at 0.5-1 MB;
    /// with 1,000 channels 0.94-0.95x at 16 and 256 MB. (PReLU's gradient
    /// uses `dy` twice, so it never had a masked load: 0.97-1.05x with
    /// them; it keeps the default.)
    const MASKS_AN_INPUT: bool = true;

    /// The gradient from `y`, and `dbias += dx`.
    #[inline(always)]
    unsafe fn apply(&self, [y, dy]: [V; 2], []: [V; 0], sum: V) -> (V, V) {
        // SAFETY: the caller has the ISA.
        unsafe {
            let a = &self.0;
            let dx = <V as Lanes<T::Lane>>::zero_unless(a.lane.passes(y), dy);
            (dx, a.add(sum, T::widen(dx)))
        }
    }
}
