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

use super::{Float, Kernel, Lanes, Plain, Stream, Tally, accumulate_rows, map};
use crate::Element;
use crate::element::Specials;
use core::mem::MaybeUninit;

/// [`Specials`] splatted into registers, with zero.
#[derive(Clone, Copy)]
struct Splats<V> {
    zero: V,
    neg_inf: V,
    inf: V,
    abs: V,
    nan: V,
}

/// # Safety
/// The CPU has the ISA of `V`.
#[inline(always)]
unsafe fn splats<V: Lanes<I>, I>(s: Specials<I>) -> Splats<V> {
    // SAFETY: forwarded from the caller.
    unsafe {
        let neg_inf = V::splat(s.neg_inf);
        Splats {
            zero: neg_inf.xor(neg_inf),
            neg_inf,
            inf: V::splat(s.inf),
            abs: V::splat(s.abs),
            nan: V::splat(s.nan),
        }
    }
}

// The per-register steps. Each has one `Lanes` bound, so the lane width is
// the caller's turbofish; all need the ISA of `V` (the callers' contract).

/// `x > 0` or NaN: `bits > bits(-inf)` and `bits != 0`.
#[inline(always)]
unsafe fn passes<V: Lanes<I>, I>(x: V, s: &Splats<V>) -> V::Mask {
    // SAFETY: the caller has the ISA.
    unsafe { V::and_not(x.gt(s.neg_inf), x.eq(s.zero)) }
}

/// `0 < x <= inf`: `0 < bits <= bits(inf)`.
#[inline(always)]
unsafe fn above_zero<V: Lanes<I>, I>(x: V, s: &Splats<V>) -> V::Mask {
    // SAFETY: the caller has the ISA.
    unsafe { V::and_not(x.gt(s.zero), x.gt(s.inf)) }
}

/// NaN: `|bits| > bits(inf)`.
#[inline(always)]
unsafe fn is_nan<V: Lanes<I>, I>(x: V, s: &Splats<V>) -> V::Mask {
    // SAFETY: the caller has the ISA.
    unsafe { x.and(s.abs).gt(s.inf) }
}

/// `max(+0, x)`, NaN kept.
#[inline(always)]
unsafe fn relu_lanes<V: Lanes<I>, I>(x: V, s: &Splats<V>) -> V {
    // SAFETY: the caller has the ISA.
    unsafe { V::zero_unless(x.gt(s.neg_inf), x) }
}

/// Any NaN replaced by the canonical one.
#[inline(always)]
unsafe fn canonical<V: Lanes<I>, I>(x: V, s: &Splats<V>) -> V {
    // SAFETY: the caller has the ISA.
    unsafe { V::select(is_nan(x, s), s.nan, x) }
}

/// A key whose signed order is IEEE 754 total order on non-NaNs: negative
/// values get their magnitude bits flipped.
#[inline(always)]
unsafe fn order_key<V: Lanes<I>, I>(x: V, s: &Splats<V>) -> V {
    // SAFETY: the caller has the ISA.
    unsafe { x.xor(V::zero_unless(s.zero.gt(x), s.abs)) }
}

#[inline(always)]
unsafe fn fmul<V: Float<F>, F>(a: V, b: V) -> V {
    // SAFETY: the caller has the ISA.
    unsafe { a.fmul(b) }
}

#[inline(always)]
unsafe fn fadd<V: Float<F>, F>(a: V, b: V) -> V {
    // SAFETY: the caller has the ISA.
    unsafe { a.fadd(b) }
}

#[inline(always)]
unsafe fn zero_unless<V: Lanes<I>, I>(mask: V::Mask, v: V) -> V {
    // SAFETY: the caller has the ISA.
    unsafe { V::zero_unless(mask, v) }
}

#[inline(always)]
unsafe fn select<V: Lanes<I>, I>(mask: V::Mask, a: V, b: V) -> V {
    // SAFETY: the caller has the ISA.
    unsafe { V::select(mask, a, b) }
}

/// `T`'s arithmetic in registers of `V`: splatted constants for `T`'s bits in
/// arithmetic lanes and for its wide type, and the steps built from them.
struct Arith<T: Element, V: Kernel<T>> {
    /// `T`'s patterns, sign-extended to `T::Lane`.
    lane: Splats<V>,
    /// The wide type's patterns.
    wide: Splats<V>,
    _t: core::marker::PhantomData<T>,
}

impl<T: Element, V: Kernel<T>> Arith<T, V> {
    /// # Safety
    /// The CPU has the ISA of `V` (as for every method).
    #[inline(always)]
    unsafe fn new() -> Self {
        // SAFETY: forwarded from the caller.
        unsafe {
            Arith {
                lane: splats::<V, T::Lane>(T::LANE_BITS),
                wide: splats::<V, T::Lane>(T::WIDE_BITS),
                _t: core::marker::PhantomData,
            }
        }
    }

    /// `x` if `x > 0` or NaN, else `round(scale * x)`: leaky ReLU's and PReLU's
    /// forward (`x` in arithmetic lanes, `scale` wide).
    #[inline(always)]
    unsafe fn leaky(&self, x: V, scale: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            let scaled = self.narrow(fmul::<V, T::Wide>(T::widen(x), scale));
            select::<V, T::Lane>(passes::<V, T::Lane>(x, &self.lane), x, scaled)
        }
    }

    /// `dy` where `0 < x <= inf`, else `round(scale * dy)`: their backward.
    #[inline(always)]
    unsafe fn leaky_backward(&self, x: V, dy: V, scale: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            let scaled = self.narrow(fmul::<V, T::Wide>(T::widen(dy), scale));
            select::<V, T::Lane>(above_zero::<V, T::Lane>(x, &self.lane), dy, scaled)
        }
    }

    /// A wide result, NaN canonicalised, rounded to `T`.
    #[inline(always)]
    unsafe fn narrow(&self, w: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { T::narrow(canonical::<V, T::Lane>(w, &self.wide)) }
    }
}

/// Counts the lanes of stored registers that are `+0` (all bits zero).
struct ZeroCount<V: Lanes<I>, I> {
    zero: V,
    count: usize,
    _lane: core::marker::PhantomData<I>,
}

impl<V: Lanes<I>, I> Tally<V> for ZeroCount<V, I> {
    #[inline(always)]
    fn whole(&mut self, y: V) {
        // SAFETY: only built inside kernels, which have the ISA of `V`.
        self.count += unsafe { V::count(y.eq(self.zero)) };
    }

    #[inline(always)]
    fn part(&mut self, y: V, from: usize, to: usize) {
        // SAFETY: as in `whole`; `from..to` lies within the register (`map`).
        self.count += unsafe { V::count(V::both(y.eq(self.zero), V::lanes_between(from, to))) };
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
        let s = splats::<V, T::Bits>(T::BITS);
        let op = |[x]: [V; 1]| relu_lanes::<V, T::Bits>(x, &s);
        map::<Plain<V>, 1>([src.cast()], dst.cast(), len * size_of::<T>(), op, &mut ());
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
        let s = splats::<V, T::Bits>(T::BITS);
        let op = |[x, dy]: [V; 2]| zero_unless::<V, T::Bits>(passes::<V, T::Bits>(x, &s), dy);
        let inputs = [x.cast(), dy.cast()];
        map::<Plain<V>, 2>(inputs, dx.cast(), len * size_of::<T>(), op, &mut ());
    }
}

/// `dst = relu(src)`, returning how many outputs are `+0`.
#[inline(always)]
pub(crate) unsafe fn relu_count_zeros<T: Element, V: Kernel<T>>(
    src: *const T,
    dst: *mut T,
    len: usize,
) -> usize {
    // SAFETY: see above.
    unsafe {
        let s = splats::<V, T::Bits>(T::BITS);
        let mut zeros = ZeroCount::<V, T::Bits> {
            zero: s.zero,
            count: 0,
            _lane: core::marker::PhantomData,
        };
        let op = |[x]: [V; 1]| relu_lanes::<V, T::Bits>(x, &s);
        map::<Plain<V>, 1>(
            [src.cast()],
            dst.cast(),
            len * size_of::<T>(),
            op,
            &mut zeros,
        );
        zeros.count
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
        let a = Arith::<T, V>::new();
        let alpha = <V as Float<T::Wide>>::fsplat(alpha);
        let op = |[x]: [V; 1]| a.leaky(x, alpha);
        map::<T::Stream<V>, 1>([src.cast()], dst.cast(), len * size_of::<T>(), op, &mut ());
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
        let a = Arith::<T, V>::new();
        let alpha = <V as Float<T::Wide>>::fsplat(alpha);
        let op = |[x, dy]: [V; 2]| a.leaky_backward(x, dy, alpha);
        let inputs = [x.cast(), dy.cast()];
        map::<T::Stream<V>, 2>(inputs, dx.cast(), len * size_of::<T>(), op, &mut ());
    }
}

/// The splatted bounds of a clamp and their order keys.
struct Bounds<V> {
    lo: V,
    hi: V,
    lo_key: V,
    hi_key: V,
}

/// # Safety
/// The CPU has the ISA of `V`.
#[inline(always)]
unsafe fn bounds<T: Element, V: Kernel<T>>(lo: T, hi: T, s: &Splats<V>) -> Bounds<V> {
    // SAFETY: forwarded from the caller.
    unsafe {
        let lo = <V as Lanes<T::Bits>>::splat(bytemuck::cast(lo));
        let hi = <V as Lanes<T::Bits>>::splat(bytemuck::cast(hi));
        Bounds {
            lo,
            hi,
            lo_key: order_key::<V, T::Bits>(lo, s),
            hi_key: order_key::<V, T::Bits>(hi, s),
        }
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
        let s = splats::<V, T::Bits>(T::BITS);
        let b = bounds::<T, V>(lo, hi, &s);
        let op = |[x]: [V; 1]| clamp_lanes::<V, T::Bits>(x, &b, &s);
        map::<Plain<V>, 1>([src.cast()], dst.cast(), len * size_of::<T>(), op, &mut ());
    }
}

#[inline(always)]
unsafe fn clamp_lanes<V: Lanes<I>, I>(x: V, b: &Bounds<V>, s: &Splats<V>) -> V {
    // SAFETY: the caller has the ISA.
    unsafe {
        let key = order_key(x, s);
        let nan = is_nan(x, s);
        let below = V::and_not(b.lo_key.gt(key), nan);
        let above = V::and_not(key.gt(b.hi_key), nan);
        V::select(below, b.lo, V::select(above, b.hi, x))
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
        let s = splats::<V, T::Bits>(T::BITS);
        let b = bounds::<T, V>(lo, hi, &s);
        let op = |[x, dy]: [V; 2]| clamp_backward_lanes::<V, T::Bits>(x, dy, &b, &s);
        let inputs = [x.cast(), dy.cast()];
        map::<Plain<V>, 2>(inputs, dx.cast(), len * size_of::<T>(), op, &mut ());
    }
}

#[inline(always)]
unsafe fn clamp_backward_lanes<V: Lanes<I>, I>(x: V, dy: V, b: &Bounds<V>, s: &Splats<V>) -> V {
    // SAFETY: the caller has the ISA.
    unsafe {
        let key = order_key(x, s);
        let inside = V::both(key.gt(b.lo_key), b.hi_key.gt(key));
        V::zero_unless(V::either(inside, is_nan(x, s)), dy)
    }
}

/// Bytes of the stack buffer that short per-channel operands are repeated
/// into, so that the loop runs over long stretches rather than one row.
const PATTERN_BYTES: usize = 4096;

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
    op: impl Fn([S::Reg; 2]) -> S::Reg,
) {
    if len == 0 {
        return;
    }
    let (bytes, row) = (len * size_of::<T>(), channels * size_of::<T>());
    let (src, dst) = (src.cast::<u8>(), dst.cast::<u8>());
    // SAFETY: every call covers whole rows inside `0..bytes`; the pattern
    // holds `reps` copies of the row, `reps * row <= PATTERN_BYTES`.
    unsafe {
        if row > PATTERN_BYTES / 2 {
            for at in (0..bytes).step_by(row) {
                let inputs = [src.add(at), params.cast()];
                map::<S, 2>(inputs, dst.add(at), row, &op, &mut ());
            }
            return;
        }
        let reps = (PATTERN_BYTES / row).min(len / channels);
        let mut pattern = [MaybeUninit::<u8>::uninit(); PATTERN_BYTES];
        let p = pattern.as_mut_ptr().cast::<u8>();
        for k in 0..reps {
            core::ptr::copy_nonoverlapping(params.cast::<u8>(), p.add(k * row), row);
        }
        let chunk = reps * row;
        for at in (0..bytes).step_by(chunk) {
            let n = chunk.min(bytes - at);
            map::<S, 2>([src.add(at), p], dst.add(at), n, &op, &mut ());
        }
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
        let a = Arith::<T, V>::new();
        let op = |[x, slope]: [V; 2]| a.leaky(x, T::widen(slope));
        broadcast::<T, T::Stream<V>>(src, dst, len, slopes, channels, op);
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
    if len == 0 {
        return;
    }
    // SAFETY: see above.
    unsafe {
        let a = Arith::<T, V>::new();
        let op = |[x, dy]: [V; 2], [slope]: [V; 1], sum: V| {
            let dx = a.leaky_backward(x, dy, T::widen(slope));
            let product = fmul::<V, T::Wide>(T::widen(x), T::widen(dy));
            let added = canonical::<V, T::Lane>(fadd::<V, T::Wide>(sum, product), &a.wide);
            let below = above_zero::<V, T::Lane>(x, &a.lane);
            (dx, select::<V, T::Lane>(below, sum, added))
        };
        let rows = len / channels;
        accumulate_rows::<T, V, 2, 1>([x, dy], [slopes], dx, rows, channels, dslopes, op);
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
    // SAFETY: see above. ReLU on the wide sum, then rounding, equals rounding
    // then ReLU: rounding keeps the sign, and `+0` stays `+0`.
    unsafe {
        let a = Arith::<T, V>::new();
        let op = |[x, bias]: [V; 2]| {
            let sum = fadd::<V, T::Wide>(T::widen(x), T::widen(bias));
            a.narrow(relu_lanes::<V, T::Lane>(sum, &a.wide))
        };
        broadcast::<T, T::Stream<V>>(src, dst, len, bias, channels, op);
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
    if len == 0 {
        return;
    }
    // SAFETY: see above.
    unsafe {
        let a = Arith::<T, V>::new();
        let op = |[y, dy]: [V; 2], []: [V; 0], sum: V| {
            let dx = zero_unless::<V, T::Lane>(passes::<V, T::Lane>(y, &a.lane), dy);
            let added = fadd::<V, T::Wide>(sum, T::widen(dx));
            (dx, canonical::<V, T::Lane>(added, &a.wide))
        };
        let rows = len / channels;
        accumulate_rows::<T, V, 2, 0>([y, dy], [], dx, rows, channels, dbias, op);
    }
}
