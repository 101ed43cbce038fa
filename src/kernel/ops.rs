//! The operations, each written once over the traits of `kernel`, and
//! instantiated per backend by `backend_kernels!`.
//!
//! # Why they are exact
//!
//! Read a float's bits as a signed integer. The sign bit makes every negative
//! value (`-0.0` included) negative, and among negatives a larger magnitude
//! field is a *larger* integer. So in signed-integer order:
//!
//! ```text
//! -0.0 < negative numbers < -inf < negative NaNs < +0.0 < positives < +inf < positive NaNs
//! ```
//!
//! `bits > bits(-inf)` therefore holds exactly for NaNs of either sign, `+0.0`
//! and everything above it. Keeping those lanes and zeroing the rest gives
//! `max(+0, x)` with NaN bits untouched (`+0.0` keeps itself, which is the
//! answer). No float instruction is involved, so nothing can quiet a signalling
//! NaN, flush a subnormal (DAZ/FTZ) or pick an operand on unordered input, as
//! `maxps` does. `x > 0 or NaN` also excludes `bits == 0`; `0 < x <= inf` (a
//! number above zero) is `0 < bits <= bits(inf)`.
//!
//! `clamp` orders by a key that is monotonic in IEEE 754 total order (`-0.0 <
//! +0.0`): the bits themselves for positives, and the bits with the magnitude
//! flipped for negatives. NaNs are found by `|bits| > bits(inf)` and kept.
//!
//! Where a definition computes (`alpha * x`, `x + bias`, `x * dy`), the
//! kernels use the CPU's IEEE add and multiply, one rounding each, to nearest
//! even (the default environment, which Rust assumes), in `f32` for the
//! 16-bit types, then round once to the element type. That gives the same
//! bits on every ISA, except for NaNs: CPUs disagree on which NaN arithmetic
//! returns (x86's default NaN is negative, ARM's positive), so every computed
//! NaN is replaced by the canonical one before it is stored.

use super::{
    Float, Kernel, Lanes, Op, Plain, RowOp, Stream, Tally, accumulate_rows, map, map_part,
    prefetch_span,
};
use crate::Element;
use crate::element::Specials;
use core::marker::PhantomData;
use core::mem::MaybeUninit;

/// [`Specials`] splatted into registers of `V` with lanes of `I`, with zero.
struct Splats<V, I> {
    zero: V,
    neg_inf: V,
    inf: V,
    abs: V,
    nan: V,
    _lane: PhantomData<I>,
}

impl<V: Lanes<I>, I> Splats<V, I> {
    /// # Safety
    /// The CPU has the ISA of `V`.
    #[inline(always)]
    unsafe fn new(s: Specials<I>) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe {
            let neg_inf = V::splat(s.neg_inf);
            Splats {
                zero: neg_inf.xor(neg_inf),
                neg_inf,
                inf: V::splat(s.inf),
                abs: V::splat(s.abs),
                nan: V::splat(s.nan),
                _lane: PhantomData,
            }
        }
    }

    // The steps the operations are made of, on lanes of `I`. All need the ISA
    // of `V`, which every caller (an `Op`) has.

    /// `x > 0` or NaN: `bits > bits(-inf)` and `bits != 0`.
    #[inline(always)]
    unsafe fn passes(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { V::and_not(x.gt(self.neg_inf), x.eq(self.zero)) }
    }

    /// `0 < x <= inf`: `0 < bits <= bits(inf)`.
    #[inline(always)]
    unsafe fn above_zero(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { V::and_not(x.gt(self.zero), x.gt(self.inf)) }
    }

    /// NaN: `|bits| > bits(inf)`.
    #[inline(always)]
    unsafe fn is_nan(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { x.and(self.abs).gt(self.inf) }
    }

    /// `max(+0, x)`, NaN kept: `bits > bits(-inf)`.
    #[inline(always)]
    unsafe fn relu(&self, x: V) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { V::zero_unless(x.gt(self.neg_inf), x) }
    }

    /// Any NaN replaced by the canonical one.
    #[inline(always)]
    unsafe fn canonical(&self, x: V) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { V::select(self.is_nan(x), self.nan, x) }
    }

    /// A key whose signed order is IEEE 754 total order on non-NaNs:
    /// negative values get their magnitude bits flipped.
    #[inline(always)]
    unsafe fn order_key(&self, x: V) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { x.xor(V::zero_unless(self.zero.gt(x), self.abs)) }
    }
}

/// `T`'s arithmetic in registers of `V`: its bits sign-extended to arithmetic
/// lanes (`lane`), its wide type's bits (`wide`), and the steps built on them.
struct Arith<T: Element, V: Kernel<T>> {
    lane: Splats<V, T::Lane>,
    wide: Splats<V, T::Lane>,
}

impl<T: Element, V: Kernel<T>> Arith<T, V> {
    /// # Safety
    /// The CPU has the ISA of `V` (as for every method).
    #[inline(always)]
    unsafe fn new() -> Self {
        // SAFETY: forwarded from the caller.
        unsafe {
            Arith {
                lane: Splats::new(T::LANE_BITS),
                wide: Splats::new(T::WIDE_BITS),
            }
        }
    }

    /// `a * b` in the wide type.
    #[inline(always)]
    unsafe fn mul(&self, a: V, b: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { <V as Float<T::Wide>>::fmul(a, b) }
    }

    /// `a + b` in the wide type.
    #[inline(always)]
    unsafe fn add(&self, a: V, b: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { <V as Float<T::Wide>>::fadd(a, b) }
    }

    /// A wide result, NaN canonicalised, rounded to `T`.
    #[inline(always)]
    unsafe fn narrow(&self, w: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { T::narrow(self.wide.canonical(w)) }
    }

    /// `x` if `x > 0` or NaN, else `round(scale * x)`: leaky ReLU's and PReLU's
    /// forward (`x` in arithmetic lanes, `scale` wide).
    #[inline(always)]
    unsafe fn leaky(&self, x: V, scale: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            let scaled = self.narrow(self.mul(T::widen(x), scale));
            <V as Lanes<T::Lane>>::select(self.lane.passes(x), x, scaled)
        }
    }

    /// `dy` where `0 < x <= inf`, else `round(scale * dy)`: their backward.
    #[inline(always)]
    unsafe fn leaky_backward(&self, x: V, dy: V, scale: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            let scaled = self.narrow(self.mul(T::widen(dy), scale));
            <V as Lanes<T::Lane>>::select(self.lane.above_zero(x), dy, scaled)
        }
    }
}

// The operations, one register at a time. Each `apply` needs the ISA of `V`,
// which the kernels that build them have.

/// ReLU, on `T`'s own lanes.
struct Relu<V, I>(Splats<V, I>);

impl<V: Lanes<I>, I> Op<V, 1> for Relu<V, I> {
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.relu(x) }
    }
}

/// ReLU's gradient, on `T`'s own lanes.
struct ReluBackward<V, I>(Splats<V, I>);

impl<V: Lanes<I>, I> Op<V, 2> for ReluBackward<V, I> {
    #[inline(always)]
    unsafe fn apply(&self, [x, dy]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { V::zero_unless(self.0.passes(x), dy) }
    }
}

/// Counts the lanes of stored registers that are `+0` (all bits zero), in a
/// register of per-lane counters: a compare and a subtract per register, and
/// one sum at the end. The caller keeps each count to fewer than
/// [`ZeroCount::MAX_REGISTERS`] registers, so no lane wraps.
struct ZeroCount<V, I> {
    zero: V,
    counts: V,
    _lane: PhantomData<I>,
}

impl<V: Lanes<I>, I: bytemuck::Pod + Into<i64>> ZeroCount<V, I> {
    /// Registers one count may see: a lane counts at most one per register.
    const MAX_REGISTERS: u64 = u64::MAX >> (64 - 8 * size_of::<I>());

    #[inline(always)]
    fn new(zero: V) -> Self {
        ZeroCount {
            zero,
            counts: zero,
            _lane: PhantomData,
        }
    }

    /// # Safety
    /// The CPU has the ISA of `V`.
    #[inline(always)]
    unsafe fn finish(self) -> usize {
        // SAFETY: forwarded from the caller.
        unsafe { V::sum(self.counts) }
    }
}

impl<V: Lanes<I>, I: bytemuck::Pod + Into<i64>> Tally<V> for ZeroCount<V, I> {
    #[inline(always)]
    fn whole(&mut self, y: V) {
        // SAFETY: only built inside kernels, which have the ISA of `V`.
        unsafe { self.counts = V::count_into(self.counts, y.eq(self.zero)) }
    }

    #[inline(always)]
    fn part(&mut self, y: V, from: usize, to: usize) {
        // SAFETY: as in `whole`; `from..to` lies within the register (`map`).
        let zeros = unsafe { V::both(y.eq(self.zero), V::lanes_between(from, to)) };
        // SAFETY: as above.
        unsafe { self.counts = V::count_into(self.counts, zeros) }
    }
}

/// Leaky ReLU with a splatted wide `alpha`.
struct Leaky<T: Element, V: Kernel<T>> {
    arith: Arith<T, V>,
    alpha: V,
}

impl<T: Element, V: Kernel<T>> Op<V, 1> for Leaky<T, V> {
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.arith.leaky(x, self.alpha) }
    }
}

impl<T: Element, V: Kernel<T>> Op<V, 2> for Leaky<T, V> {
    /// The gradient.
    #[inline(always)]
    unsafe fn apply(&self, [x, dy]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.arith.leaky_backward(x, dy, self.alpha) }
    }
}

/// Clamp to splatted bounds, on `T`'s own lanes; the bounds' order keys.
struct Clamp<V, I> {
    s: Splats<V, I>,
    lo: V,
    hi: V,
    lo_key: V,
    hi_key: V,
}

impl<V: Lanes<I>, I> Clamp<V, I> {
    /// # Safety
    /// The CPU has the ISA of `V`.
    #[inline(always)]
    unsafe fn new(s: Specials<I>, lo: I, hi: I) -> Self {
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
}

impl<V: Lanes<I>, I> Op<V, 1> for Clamp<V, I> {
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe {
            let key = self.s.order_key(x);
            let nan = self.s.is_nan(x);
            let below = V::and_not(self.lo_key.gt(key), nan);
            let above = V::and_not(key.gt(self.hi_key), nan);
            V::select(below, self.lo, V::select(above, self.hi, x))
        }
    }
}

impl<V: Lanes<I>, I> Op<V, 2> for Clamp<V, I> {
    /// The gradient: `dy` where `lo < x < hi` or NaN.
    #[inline(always)]
    unsafe fn apply(&self, [x, dy]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe {
            let key = self.s.order_key(x);
            let inside = V::both(key.gt(self.lo_key), self.hi_key.gt(key));
            V::zero_unless(V::either(inside, self.s.is_nan(x)), dy)
        }
    }
}

/// PReLU: `x` and the channel's slope.
struct Prelu<T: Element, V: Kernel<T>>(Arith<T, V>);

impl<T: Element, V: Kernel<T>> Op<V, 2> for Prelu<T, V> {
    #[inline(always)]
    unsafe fn apply(&self, [x, slope]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.leaky(x, T::widen(slope)) }
    }
}

impl<T: Element, V: Kernel<T>> RowOp<V, 2, 1> for Prelu<T, V> {
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
struct Canonical<V, I>(Splats<V, I>);

impl<V: Lanes<I>, I> Op<V, 1> for Canonical<V, I> {
    #[inline(always)]
    unsafe fn apply(&self, [x]: [V; 1]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { self.0.canonical(x) }
    }
}

/// Canonicalises the NaNs of `channels` sums in place.
///
/// # Safety
/// `sums` is readable and writable for `channels` elements; the CPU has the
/// ISA of `V`.
#[inline(always)]
unsafe fn canonical_sums<T: Element, V: Kernel<T>>(sums: *mut T::Wide, channels: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        let op = Canonical(Splats::<V, T::Lane>::new(T::WIDE_BITS));
        let bytes = channels * size_of::<T::Wide>();
        map::<Plain<V>, 1>([sums.cast()], sums.cast(), bytes, &op, &mut ());
    }
}

/// Bias + ReLU: `x` and the channel's bias.
struct BiasRelu<T: Element, V: Kernel<T>>(Arith<T, V>);

impl<T: Element, V: Kernel<T>> Op<V, 2> for BiasRelu<T, V> {
    /// ReLU on the wide sum, then rounding, equals rounding then ReLU:
    /// rounding keeps the sign, and `+0` stays `+0`.
    #[inline(always)]
    unsafe fn apply(&self, [x, bias]: [V; 2]) -> V {
        // SAFETY: the caller has the ISA.
        unsafe {
            let a = &self.0;
            a.narrow(a.wide.relu(a.add(T::widen(x), T::widen(bias))))
        }
    }
}

impl<T: Element, V: Kernel<T>> RowOp<V, 2, 0> for BiasRelu<T, V> {
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

// The kernels. Each is `unsafe` with the same contract: the pointers are valid
// for `len` elements as described on `Kernels`, and the CPU has the ISA of
// `V`; they forward it to `map` and `accumulate_rows`, whose accesses stay in
// those ranges.

/// `dst = relu(src)`.
#[inline(always)]
pub(crate) unsafe fn relu<T: Element, V: Kernel<T>>(src: *const T, dst: *mut T, len: usize) {
    // SAFETY: see above.
    unsafe {
        let op = Relu(Splats::<V, T::Bits>::new(T::BITS));
        map::<Plain<V>, 1>([src.cast()], dst.cast(), len * size_of::<T>(), &op, &mut ());
    }
}

/// `dx = dy` where `x > 0` or NaN, else `+0`.
#[inline(always)]
pub(crate) unsafe fn relu_backward<T: Element, V: Kernel<T>>(
    x: *const T,
    dy: *const T,
    dx: *mut T,
    len: usize,
) {
    // SAFETY: see above.
    unsafe {
        let op = ReluBackward(Splats::<V, T::Bits>::new(T::BITS));
        let inputs = [x.cast(), dy.cast()];
        map::<Plain<V>, 2>(inputs, dx.cast(), len * size_of::<T>(), &op, &mut ());
    }
}

/// `dst = relu(src)`, returning how many outputs are `+0`.
#[inline(always)]
pub(crate) unsafe fn relu_count_zeros<T: Element, V: Kernel<T>>(
    src: *const T,
    dst: *mut T,
    len: usize,
) -> usize {
    // Chunks short enough that no lane counter wraps: `map` stores at most
    // `bytes / BYTES + 2` registers (16-bit lanes: chunks of about 4 MiB
    // with AVX-512; wider lanes: one chunk).
    let max = ZeroCount::<V, T::Bits>::MAX_REGISTERS - 2;
    let chunk = usize::try_from(max)
        .unwrap_or(usize::MAX)
        .saturating_mul(V::BYTES);
    let (bytes, src, dst) = (len * size_of::<T>(), src.cast::<u8>(), dst.cast::<u8>());
    let span = prefetch_span([src], dst, bytes);
    let mut total = 0;
    // SAFETY: see above; each chunk lies within the `bytes` of both streams.
    unsafe {
        let op = Relu(Splats::<V, T::Bits>::new(T::BITS));
        let mut at = 0;
        loop {
            let n = chunk.min(bytes - at);
            let mut zeros = ZeroCount::<V, T::Bits>::new(op.0.zero);
            let inputs = [src.add(at)];
            let ahead = span.saturating_sub(at);
            map_part::<Plain<V>, 1>(inputs, dst.add(at), n, &op, &mut zeros, ahead);
            total += zeros.finish();
            at += n;
            if at == bytes {
                return total;
            }
        }
    }
}

/// `dst = x` where `x > 0` or NaN, else `round(alpha * x)`.
#[inline(always)]
pub(crate) unsafe fn leaky_relu<T: Element, V: Kernel<T>>(
    src: *const T,
    dst: *mut T,
    len: usize,
    alpha: T::Wide,
) {
    // SAFETY: see above.
    unsafe {
        let op = Leaky {
            arith: Arith::<T, V>::new(),
            alpha: <V as Float<T::Wide>>::fsplat(alpha),
        };
        map::<T::Stream<V>, 1>([src.cast()], dst.cast(), len * size_of::<T>(), &op, &mut ());
    }
}

/// `dx = dy` where `x > 0`, else `round(alpha * dy)`.
#[inline(always)]
pub(crate) unsafe fn leaky_relu_backward<T: Element, V: Kernel<T>>(
    x: *const T,
    dy: *const T,
    dx: *mut T,
    len: usize,
    alpha: T::Wide,
) {
    // SAFETY: see above.
    unsafe {
        let op = Leaky {
            arith: Arith::<T, V>::new(),
            alpha: <V as Float<T::Wide>>::fsplat(alpha),
        };
        let inputs = [x.cast(), dy.cast()];
        map::<T::Stream<V>, 2>(inputs, dx.cast(), len * size_of::<T>(), &op, &mut ());
    }
}

/// `dst = min(max(x, lo), hi)` in total order, NaN kept.
#[inline(always)]
pub(crate) unsafe fn clamp<T: Element, V: Kernel<T>>(
    src: *const T,
    dst: *mut T,
    len: usize,
    lo: T,
    hi: T,
) {
    // SAFETY: see above.
    unsafe {
        let op = Clamp::<V, T::Bits>::new(T::BITS, bytemuck::cast(lo), bytemuck::cast(hi));
        map::<Plain<V>, 1>([src.cast()], dst.cast(), len * size_of::<T>(), &op, &mut ());
    }
}

/// `dx = dy` where `lo < x < hi` in total order, or `x` is NaN, else `+0`.
#[inline(always)]
pub(crate) unsafe fn clamp_backward<T: Element, V: Kernel<T>>(
    x: *const T,
    dy: *const T,
    dx: *mut T,
    len: usize,
    lo: T,
    hi: T,
) {
    // SAFETY: see above.
    unsafe {
        let op = Clamp::<V, T::Bits>::new(T::BITS, bytemuck::cast(lo), bytemuck::cast(hi));
        let inputs = [x.cast(), dy.cast()];
        map::<Plain<V>, 2>(inputs, dx.cast(), len * size_of::<T>(), &op, &mut ());
    }
}

/// Bytes of the stack buffer that short per-channel operands are repeated
/// into, so that the loop runs over long stretches rather than one row.
const PATTERN_BYTES: usize = 4096;

/// A cache-line-aligned buffer for the repeated operand.
#[repr(align(64))]
struct Pattern([MaybeUninit<u8>; PATTERN_BYTES]);

/// Runs `op` over `len` elements of `src` (to `dst`, which may equal `src`)
/// with the per-channel operand `params` (`channels` elements, repeating).
///
/// # Safety
/// As the kernels, with `channels` dividing `len`, and not 0 unless `len` is.
#[inline(always)]
unsafe fn broadcast<T: Element, S: Stream>(
    src: *const T,
    dst: *mut T,
    len: usize,
    params: *const T,
    channels: usize,
    op: &impl Op<S::Reg, 2>,
) {
    if len == 0 {
        return;
    }
    let (bytes, row) = (len * size_of::<T>(), channels * size_of::<T>());
    let (src, dst) = (src.cast::<u8>(), dst.cast::<u8>());
    // The rows are parts of one output (`map_part`).
    let span = prefetch_span([src], dst, bytes);
    // SAFETY: every call covers whole rows inside `0..bytes`; the pattern
    // holds `reps` copies of the row, `reps * row <= PATTERN_BYTES`.
    unsafe {
        if row > PATTERN_BYTES / 2 {
            for at in (0..bytes).step_by(row) {
                let inputs = [src.add(at), params.cast()];
                let ahead = span.saturating_sub(at);
                map_part::<S, 2>(inputs, dst.add(at), row, op, &mut (), ahead);
            }
            return;
        }
        let reps = (PATTERN_BYTES / row).min(len / channels);
        let mut pattern = Pattern([MaybeUninit::uninit(); PATTERN_BYTES]);
        let p = pattern.0.as_mut_ptr().cast::<u8>();
        for k in 0..reps {
            core::ptr::copy_nonoverlapping(params.cast::<u8>(), p.add(k * row), row);
        }
        let chunk = reps * row;
        for at in (0..bytes).step_by(chunk) {
            let n = chunk.min(bytes - at);
            let ahead = span.saturating_sub(at);
            map_part::<S, 2>([src.add(at), p], dst.add(at), n, op, &mut (), ahead);
        }
    }
}

/// A gradient with per-channel sums: `op` over the rows of `inputs` (`len`
/// elements, rows of `channels`) with the per-channel `params`, then the
/// sums' NaNs canonicalised.
///
/// # Safety
/// As the kernels, with `channels` dividing `len`, and not 0 unless `len` is.
#[inline(always)]
unsafe fn gradient_with_sums<T: Element, V: Kernel<T>, const M: usize>(
    inputs: [*const T; 2],
    params: [*const T; M],
    dx: *mut T,
    len: usize,
    channels: usize,
    sums: *mut T::Wide,
    op: &impl RowOp<V, 2, M>,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if len > 0 {
            accumulate_rows::<T, V, 2, M>(inputs, params, dx, len / channels, channels, sums, op);
        }
        canonical_sums::<T, V>(sums, channels);
    }
}

/// `dst = x` where `x > 0` or NaN, else `round(slopes[c] * x)`.
#[inline(always)]
pub(crate) unsafe fn prelu<T: Element, V: Kernel<T>>(
    src: *const T,
    dst: *mut T,
    len: usize,
    slopes: *const T,
    channels: usize,
) {
    // SAFETY: see above.
    unsafe {
        let op = Prelu(Arith::<T, V>::new());
        broadcast::<T, T::Stream<V>>(src, dst, len, slopes, channels, &op);
    }
}

/// `dx = dy` where `x > 0`, else `round(slopes[c] * dy)`; where `x > 0` is
/// false, `dslopes[c] += x * dy`, row by row.
#[inline(always)]
pub(crate) unsafe fn prelu_backward<T: Element, V: Kernel<T>>(
    x: *const T,
    dy: *const T,
    dx: *mut T,
    len: usize,
    slopes: *const T,
    channels: usize,
    dslopes: *mut T::Wide,
) {
    // SAFETY: see above.
    unsafe {
        let op = Prelu(Arith::<T, V>::new());
        gradient_with_sums::<T, V, 1>([x, dy], [slopes], dx, len, channels, dslopes, &op);
    }
}

/// `dst = relu(round(x + bias[c]))`.
#[inline(always)]
pub(crate) unsafe fn bias_relu<T: Element, V: Kernel<T>>(
    src: *const T,
    dst: *mut T,
    len: usize,
    bias: *const T,
    channels: usize,
) {
    // SAFETY: see above.
    unsafe {
        let op = BiasRelu(Arith::<T, V>::new());
        broadcast::<T, T::Stream<V>>(src, dst, len, bias, channels, &op);
    }
}

/// `dx = relu_backward(y, dy)`; `dbias[c] += dx`, row by row.
#[inline(always)]
pub(crate) unsafe fn bias_relu_backward<T: Element, V: Kernel<T>>(
    y: *const T,
    dy: *const T,
    dx: *mut T,
    len: usize,
    channels: usize,
    dbias: *mut T::Wide,
) {
    // SAFETY: see above.
    unsafe {
        let op = BiasRelu(Arith::<T, V>::new());
        gradient_with_sums::<T, V, 0>([y, dy], [], dx, len, channels, dbias, &op);
    }
}
