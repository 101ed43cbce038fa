//! The steps the operations are made of, on one register: the ReLU mask,
//! the NaN test, the order key of clamp, and arithmetic in the wide type
//! with its rounding. Written once over the ISA traits.
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
//! `x > 0 or NaN` is also one float compare, `!(x <= 0)`: IEEE puts both
//! zeros, every negative and `-inf` at or below zero, and a NaN compares
//! unordered, so the negation is true exactly on the positives (subnormals
//! included) and the NaNs. A compare returns a mask and writes no value, so
//! no NaN is quieted; the one thing that changes it is denormals-are-zero,
//! which makes a positive subnormal compare as zero. So the gradient takes
//! it only where the calling thread's environment keeps subnormals
//! ([`passes_by`](Splats::passes_by)), one instruction where the integer
//! form takes two compares and an AND.
//!
//! AVX-512 also picks a lane by the class of a float (`vfixupimm`, through
//! [`Lanes::by_class`]): quiet or signalling NaN, at most zero (`±0`, the
//! negatives, `-inf`), above zero (the positives, subnormals included, and
//! `+inf`), each class mapped to a lane of another register, to `x`'s own
//! bits or to `+0`. It moves bits and computes nothing, so a NaN keeps its
//! payload and a signalling NaN stays signalling; the classes are those of
//! IEEE order, so ReLU is "`+0` where at most zero, else `x`", and the
//! canonical NaN is "the canonical NaN where NaN, else the value".
//! Denormals-are-zero would class a subnormal as zero, so it runs under the
//! compare's condition ([`by_class`](Splats::by_class)).
//!
//! x86's float max and min (`maxps`, `minps`) return their second operand,
//! unchanged, where either operand is NaN or both are zeros, and the larger
//! or smaller otherwise ([`Lanes::float_max`]). With `x` second and bounds
//! that are never NaN, that is clamp's definition except where both are
//! zeros: `max(+0, -0)` would keep `-0.0`, `min(-0, +0)` would keep `+0.0`.
//! So the float clamp takes them only for `lo` other than `+0.0` and `hi`
//! other than `-0.0`; with `lo = +0.0` (ReLU6) ReLU replaces the max, after
//! which no lane is `-0.0`. Like the compares they read subnormals as zero
//! under DAZ, hence the same condition.
//!
//! `clamp` orders by a key that is monotonic in IEEE 754 total order (`-0.0 <
//! +0.0`): the bits themselves for positives, and the bits with the magnitude
//! flipped for negatives. NaNs are found by `|bits| > bits(inf)` and kept.
//! When both bounds have their sign bit clear (ReLU6's `+0.0` and `6.0`), the
//! bits themselves are keys enough: every value with the sign bit set
//! (`-0.0`, the negatives, `-inf`) is a negative integer, below both bounds
//! as total order puts it, so a signed integer max and min clamp every
//! non-NaN.
//!
//! Where a definition computes (`alpha * x`, `x + bias`, `x * dy`), the
//! kernels use the CPU's IEEE add and multiply, one rounding each, to nearest
//! even (the default environment, which Rust assumes), in `f32` for the
//! 16-bit types, then round once to the element type. That gives the same
//! bits on every ISA, except for NaNs: CPUs disagree on which NaN arithmetic
//! returns (x86's default NaN is negative, ARM's positive), so every computed
//! NaN is replaced by the canonical one before it is stored.

use super::isa::{Classes, Float, Lanes, Pick, Register};
use super::stream::Layout;
use crate::element::Specials;
use core::marker::PhantomData;

/// ReLU by class: `+0` where the float is at most zero, the own lane
/// elsewhere (NaNs included).
const RELU: Classes = Classes {
    nan: Pick::Own,
    at_most_zero: Pick::Zero,
    above_zero: Pick::Own,
};

/// [`Specials`] splatted into registers of `V` with lanes of `I`, with zero.
#[derive(Clone, Copy)]
pub(crate) struct Splats<V, I> {
    pub(crate) zero: V,
    pub(crate) neg_inf: V,
    pub(crate) inf: V,
    pub(crate) first_nan: V,
    pub(crate) abs: V,
    pub(crate) nan: V,
    _lane: PhantomData<I>,
}

impl<V: Lanes<I>, I> Splats<V, I> {
    /// # Safety
    /// The CPU has the ISA of `V`.
    #[inline(always)]
    pub(crate) unsafe fn new(s: Specials<I>) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe {
            let neg_inf = V::splat(s.neg_inf);
            Splats {
                zero: neg_inf.xor(neg_inf),
                neg_inf,
                inf: V::splat(s.inf),
                first_nan: V::splat(s.first_nan),
                abs: V::splat(s.abs),
                nan: V::splat(s.nan),
                _lane: PhantomData,
            }
        }
    }

    // The steps the operations are made of, on lanes of `I`. All need the ISA
    // of `V`, which every caller (an `Op`) has.

    /// `x > 0` or NaN: `bits > bits(-inf)` and `bits != 0`; by one compare
    /// where the ISA has [`zero_key`](Self::zero_key).
    #[inline(always)]
    pub(crate) unsafe fn passes(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe {
            if let Some(key) = self.zero_key(x) {
                return x.gt(key);
            }
            V::and_not(x.gt(self.neg_inf), x.eq(self.zero))
        }
    }

    /// A key that `x` is above (as signed integers) exactly where `x > 0` or
    /// NaN: `x - bits(first NaN)` as unsigned integers, saturating at `0`,
    /// where the ISA has that in one instruction ([`Lanes::sub_saturating`]:
    /// 16-bit lanes with AVX-512), so that one compare does what takes two
    /// and a mask operation without it. Where `x`'s sign is clear and `x` is
    /// at most `bits(inf)` the key is `0`, which `x` is above unless it is
    /// `+0`; a positive NaN is above its key `x - bits(first NaN)`. Where the
    /// sign is set, `x` exceeds `bits(first NaN)` and the key is
    /// `x - bits(first NaN)`: below `x` as a signed integer where that also
    /// has the sign set, that is where `x > bits(-inf)` (the negative
    /// NaNs), and a non-negative integer, above `x`, where `x <= bits(-inf)`.
    /// That needs the format's bits at their own width: sign-extended into
    /// wider lanes, a negative number minus `bits(first NaN)` keeps its sign.
    ///
    /// On the Zen 5 VM the zero count of `f16` and `bf16` in place took
    /// 0.48-0.74x its time before from 8,192 to 131,072 elements (1.4-2.0x
    /// `relu_inplace`'s time to 0.91-1.16x), where mask writes were the
    /// limit; the gradient, limited by its loads, kept its time
    /// (0.96-1.04x; BENCHMARKS.md, session 18).
    #[inline(always)]
    pub(crate) unsafe fn zero_key(&self, x: V) -> Option<V> {
        // SAFETY: the caller has the ISA.
        unsafe { x.sub_saturating(self.first_nan) }
    }

    /// [`passes`](Self::passes), by one float compare where `FLOAT` and the
    /// ISA has one for these lanes ([`Lanes::above_zero_or_nan`]): the
    /// caller sets `FLOAT` where [`subnormals_kept`](crate::cpu::subnormals_kept)
    /// holds, which makes the compare exact on every bit pattern.
    #[inline(always)]
    pub(crate) unsafe fn passes_by<const FLOAT: bool>(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe {
            if FLOAT && let Some(above) = x.above_zero_or_nan() {
                return above;
            }
            self.passes(x)
        }
    }

    /// The lanes [`relu`](Self::relu) outputs as `+0` (`x <= 0`, NaN
    /// false): by one float compare where `FLOAT` and the ISA has one, as
    /// [`passes_by`](Self::passes_by); else by one integer compare where the
    /// ISA has [`zero_key`](Self::zero_key), else the lanes it
    /// [`clears`](Self::clears) and the `+0.0` it keeps.
    #[inline(always)]
    pub(crate) unsafe fn zeros_by<const FLOAT: bool>(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe {
            if FLOAT && let Some(at_most_zero) = x.at_most_zero() {
                return at_most_zero;
            }
            if let Some(key) = self.zero_key(x) {
                return self.at_most(x, key);
            }
            V::either(self.clears(x), x.eq(self.zero))
        }
    }

    /// Each lane of `own`, of `x`, `+0` or the sign-set canonical NaN,
    /// picked by the class of `x`'s float, by one instruction where `FLOAT`
    /// and the ISA has one ([`Lanes::by_class`]; the caller sets `FLOAT` as
    /// for [`passes_by`](Self::passes_by), which makes it exact).
    #[inline(always)]
    pub(crate) unsafe fn by_class<const FLOAT: bool>(
        &self,
        own: V,
        x: V,
        classes: Classes,
    ) -> Option<V> {
        // SAFETY: the caller has the ISA.
        unsafe {
            if FLOAT {
                own.by_class(x, classes)
            } else {
                None
            }
        }
    }

    /// [`relu`](Self::relu), by one class pick where `FLOAT` and the ISA has
    /// one ([`by_class`](Self::by_class)).
    #[inline(always)]
    pub(crate) unsafe fn relu_by<const FLOAT: bool>(&self, x: V) -> V {
        // SAFETY: the caller has the ISA.
        unsafe {
            self.by_class::<FLOAT>(x, x, RELU)
                .unwrap_or_else(|| self.relu(x))
        }
    }

    /// `v` where `x > 0` or NaN, else `+0` (ReLU's gradient with `v = dy`),
    /// by the mask of [`passes_by`](Self::passes_by). Not by a class pick
    /// ([`by_class`](Self::by_class)): with the mask, the compiler folds the
    /// load of `v` into a zero-masking load, no ALU instruction, as the
    /// naive loop's. On an AMD Zen 5 VM (family 26), f32 out of place, the
    /// class pick took 1.04-1.06x this form's time at 131,072 and 262,144
    /// elements (L2 and L3), the same at L1; on the Sapphire Rapids-class
    /// VM it was not faster either (2,048 f32: 118.7-119.8 ns against
    /// 116.6-116.9; `BENCHMARKS.md`).
    #[inline(always)]
    pub(crate) unsafe fn pass_by<const FLOAT: bool>(&self, v: V, x: V) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { V::zero_unless(self.passes_by::<FLOAT>(x), v) }
    }

    /// `0 < x <= inf`: `0 < bits <= bits(inf)`.
    #[inline(always)]
    pub(crate) unsafe fn above_zero(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { V::and_not(x.gt(self.zero), x.gt(self.inf)) }
    }

    /// NaN: `|bits| > bits(inf)`.
    #[inline(always)]
    pub(crate) unsafe fn is_nan(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { x.and(self.abs).gt(self.inf) }
    }

    /// `max(+0, x)`, NaN kept: `bits > bits(-inf)`.
    #[inline(always)]
    pub(crate) unsafe fn relu(&self, x: V) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { V::zero_unless(x.gt(self.neg_inf), x) }
    }

    /// The lanes [`relu`](Self::relu) sets to `+0`: `bits <= bits(-inf)`
    /// (`-0.0`, the negative numbers and `-inf`).
    #[inline(always)]
    pub(crate) unsafe fn clears(&self, x: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { self.at_most(x, self.neg_inf) }
    }

    /// `x <= bound` as signed integers: `x > bound` negated (one compare on
    /// AVX-512, where the compiler folds the two).
    #[inline(always)]
    unsafe fn at_most(&self, x: V, bound: V) -> V::Mask {
        // SAFETY: the caller has the ISA.
        unsafe { V::and_not(self.zero.eq(self.zero), x.gt(bound)) }
    }

    /// Any NaN replaced by the canonical one.
    #[inline(always)]
    pub(crate) unsafe fn canonical(&self, x: V) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { V::select(self.is_nan(x), self.nan, x) }
    }

    /// A key whose signed order is IEEE 754 total order on non-NaNs:
    /// negative values get their magnitude bits flipped.
    #[inline(always)]
    pub(crate) unsafe fn order_key(&self, x: V) -> V {
        // SAFETY: the caller has the ISA.
        unsafe { x.xor(V::zero_unless(self.zero.gt(x), self.abs)) }
    }
}

/// `T`'s arithmetic in registers of `V`: its bits sign-extended to arithmetic
/// lanes (`lane`), its wide type's bits (`wide`), and the steps built on them.
pub(crate) struct Arith<T: Layout, V: Register<T>> {
    pub(crate) lane: Splats<V, T::Lane>,
    pub(crate) wide: Splats<V, T::Lane>,
}

impl<T: Layout, V: Register<T>> Arith<T, V> {
    /// # Safety
    /// The CPU has the ISA of `V` (as for every method).
    #[inline(always)]
    pub(crate) unsafe fn new() -> Self {
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
    pub(crate) unsafe fn mul(&self, a: V, b: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { <V as Float<T::Wide>>::fmul(a, b) }
    }

    /// `a + b` in the wide type.
    #[inline(always)]
    pub(crate) unsafe fn add(&self, a: V, b: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { <V as Float<T::Wide>>::fadd(a, b) }
    }

    /// A wide result, NaN canonicalised, rounded to `T`.
    #[inline(always)]
    pub(crate) unsafe fn narrow(&self, w: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe { T::narrow(self.wide.canonical(w)) }
    }

    /// [`narrow`](Self::narrow), canonicalising by one class pick where it
    /// can ([`Splats::by_class`]).
    #[inline(always)]
    pub(crate) unsafe fn narrow_by<const FLOAT: bool>(&self, w: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.picked::<FLOAT>(w, Pick::X)
                .unwrap_or_else(|| self.narrow(w))
        }
    }

    /// ReLU of a wide result, NaN canonicalised, rounded to `T`: bias +
    /// ReLU's forward. ReLU then rounding equals rounding then ReLU: rounding
    /// keeps the sign, and `+0` stays `+0`.
    ///
    /// `PICK_IN_PLACE` (with `FLOAT`, where [`class_picks_in_place`]
    /// holds): the class pick takes `w` as both its lanes and its source,
    /// with the NaNs mapped to the canonical NaN with its sign bit set,
    /// which an AND then clears: every other lane is `+0` or above, whose
    /// sign bit is clear already. One instruction more than the pick into
    /// the canonical NaN's register, but that pick reads three registers,
    /// and on the CPUs where `class_picks_in_place` holds it ran slower than
    /// both together.
    ///
    /// [`class_picks_in_place`]: crate::cpu::class_picks_in_place
    #[inline(always)]
    pub(crate) unsafe fn relu_narrow<const FLOAT: bool, const PICK_IN_PLACE: bool>(
        &self,
        w: V,
    ) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            if PICK_IN_PLACE {
                let classes = Classes {
                    nan: Pick::NegativeNan,
                    at_most_zero: Pick::Zero,
                    above_zero: Pick::Own,
                };
                if let Some(picked) = self.wide.by_class::<FLOAT>(w, w, classes) {
                    return T::narrow(picked.and(self.wide.abs));
                }
            }
            self.picked::<FLOAT>(w, Pick::Zero)
                .unwrap_or_else(|| self.narrow(self.wide.relu(w)))
        }
    }

    /// A wide result rounded to `T` after one class pick: the canonical NaN
    /// where NaN, `at_most_zero` where at most zero, itself where above.
    #[inline(always)]
    unsafe fn picked<const FLOAT: bool>(&self, w: V, at_most_zero: Pick) -> Option<V> {
        let classes = Classes {
            nan: Pick::Own,
            at_most_zero,
            above_zero: Pick::X,
        };
        // SAFETY: forwarded from the caller.
        unsafe {
            let picked = self.wide.by_class::<FLOAT>(self.wide.nan, w, classes)?;
            Some(T::narrow(picked))
        }
    }

    /// `x` if `x > 0` or NaN, else `round(scale * x)`: leaky ReLU's and PReLU's
    /// forward (`x` in arithmetic lanes, `scale` wide). With `FLOAT` (only
    /// for `f32` and `f64`, whose arithmetic lanes are their wide floats),
    /// two class picks where the ISA has them (a multiply and two
    /// instructions, against a multiply and seven), else the select's mask
    /// by one float compare where it has that ([`Splats::passes_by`]).
    /// `NAN_FREE`: every lane of `scale` is finite and normal (so not zero,
    /// even where denormals-are-zero reads a subnormal as zero), so
    /// `scale * x` is NaN only where `x` is, whose lanes keep `x`: the
    /// product needs no canonicalisation (narrowing a NaN gives bits that
    /// are then dropped): one class pick fewer with `FLOAT`, else the NaN
    /// test and its select (an AND, a compare and a select) fewer.
    #[inline(always)]
    pub(crate) unsafe fn leaky<const FLOAT: bool, const NAN_FREE: bool>(
        &self,
        x: V,
        scale: V,
    ) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            let scaled = self.scaled::<FLOAT, NAN_FREE>(x, scale);
            self.keep_positive::<FLOAT>(x, scaled).unwrap_or_else(|| {
                let keep = self.lane.passes_by::<FLOAT>(x);
                <V as Lanes<T::Lane>>::select(keep, x, scaled)
            })
        }
    }

    /// `round(scale * x)` in `x`'s lanes, its NaNs canonical unless
    /// `NAN_FREE` (as [`leaky`](Self::leaky) says).
    #[inline(always)]
    unsafe fn scaled<const FLOAT: bool, const NAN_FREE: bool>(&self, x: V, scale: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            let product = self.mul(T::widen(x), scale);
            if NAN_FREE {
                T::narrow(product)
            } else {
                self.narrow_by::<FLOAT>(product)
            }
        }
    }

    /// `x` where `x > 0` or NaN, else `scaled`, by one class pick where
    /// `FLOAT` (`f32`, `f64`) and the ISA has one.
    #[inline(always)]
    unsafe fn keep_positive<const FLOAT: bool>(&self, x: V, scaled: V) -> Option<V> {
        let keep = Classes {
            nan: Pick::X,
            at_most_zero: Pick::Own,
            above_zero: Pick::X,
        };
        // SAFETY: forwarded from the caller.
        unsafe { self.lane.by_class::<FLOAT>(scaled, x, keep) }
    }

    /// [`leaky`](Self::leaky) with `NAN_FREE`, for a `scale` that is
    /// positive, finite and normal (`positive_normal` in `kernels.rs`): for
    /// `x = +0` the product is `+0`, which is `x`, so `x` may be kept
    /// wherever `bits > bits(-inf)`, as ReLU keeps it: for `f32` the same
    /// class pick with `FLOAT` where the ISA has it, else a multiply, a
    /// compare and a select (8 operations in [`leaky`](Self::leaky) without
    /// `NAN_FREE`).
    #[inline(always)]
    pub(crate) unsafe fn leaky_positive<const FLOAT: bool>(&self, x: V, scale: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            let scaled = self.scaled::<FLOAT, true>(x, scale);
            self.keep_positive::<FLOAT>(x, scaled).unwrap_or_else(|| {
                let keep = <V as Lanes<T::Lane>>::gt(x, self.lane.neg_inf);
                <V as Lanes<T::Lane>>::select(keep, x, scaled)
            })
        }
    }

    /// `dy` where `0 < x <= inf`, else `round(scale * dy)`: their backward.
    #[inline(always)]
    pub(crate) unsafe fn leaky_backward(&self, x: V, dy: V, scale: V) -> V {
        // SAFETY: forwarded from the caller.
        unsafe {
            let scaled = self.narrow(self.mul(T::widen(dy), scale));
            <V as Lanes<T::Lane>>::select(self.lane.above_zero(x), dy, scaled)
        }
    }
}
