//! The kernels: one type per operation and direction (forward, gradient),
//! each with its SIMD kernel (a per-register operation of `kernel::ops` run
//! in a shape of `kernel::shapes`) and its scalar reference (`scalar`). The
//! dispatch and the public API are written once over [`Kernel`], so an
//! operation joins the crate with an entry here and a row in `api.rs`.

use crate::element::{Element, Kind, WideFloat, Widen};
use crate::kernel::ops::{BiasRelu, Clamp, FloatClamp, Leaky, Prelu, ReluBackward};
use crate::kernel::shapes::{
    broadcast, by_float, count, elementwise, float_compares, relu, with_sums,
};
use crate::kernel::steps::{Arith, Splats};
use crate::kernel::{Layout, Plain, Register};
use crate::scalar;

/// What a kernel gets besides its data streams. Each kernel reads the
/// fields its operation has; the others are placeholders.
pub struct Params<T: Element> {
    /// Leaky ReLU's slope.
    pub(crate) alpha: T::Wide,
    /// Clamp's bounds: not NaN, `lo <= hi` with `-0.0 < +0.0`.
    pub(crate) lo: T,
    pub(crate) hi: T,
    /// The per-channel operand (PReLU's slopes, the bias): `channels`
    /// elements, or null.
    pub(crate) channel: *const T,
    /// The number of channels: it divides the length, and is 0 only if the
    /// length is.
    pub(crate) channels: usize,
    /// The per-channel sums of a gradient: `channels` values that overlap
    /// nothing else, or null.
    pub(crate) sums: *mut T::Wide,
    /// For a chunk of a parallel form, the length of the whole call's
    /// output, for which the per-CPU rules of long outputs are decided
    /// (`kernel::memory::Stores::for_output`); 0 otherwise, where the
    /// output is the whole.
    pub(crate) whole_len: usize,
}

impl<T: Element> Params<T> {
    /// No parameters.
    pub(crate) const NONE: Self = Params {
        // Never read by the kernels that take no `alpha`.
        alpha: <T::Wide as crate::element::WideFloat>::NAN,
        lo: T::POSITIVE_ZERO,
        hi: T::POSITIVE_ZERO,
        channel: core::ptr::null(),
        channels: 0,
        sums: core::ptr::null_mut(),
        whole_len: 0,
    };

    /// [`NONE`](Self::NONE) in read-only memory, for the calls of operations
    /// without parameters: a copy on the stack cost each such call about ten
    /// instructions. (A generic constant cannot be borrowed for `'static`:
    /// the compiler cannot see that `T::Wide` has no interior mutability; a
    /// constant of each type can.)
    #[inline(always)]
    pub(crate) fn none() -> &'static Self {
        const F32: &Params<f32> = &Params::NONE;
        const F64: &Params<f64> = &Params::NONE;
        const F16: &Params<half::f16> = &Params::NONE;
        const BF16: &Params<half::bf16> = &Params::NONE;
        let none: *const () = match T::KIND {
            Kind::F32 => core::ptr::from_ref(F32).cast(),
            Kind::F64 => core::ptr::from_ref(F64).cast(),
            Kind::F16 => core::ptr::from_ref(F16).cast(),
            Kind::Bf16 => core::ptr::from_ref(BF16).cast(),
        };
        // SAFETY: `T::KIND` names `T` itself (each of the four types has its
        // own, and `Format` is sealed), so `none` points to a `Params<T>`
        // that lives for the whole program.
        unsafe { &*none.cast::<Self>() }
    }
}

/// The inputs of a kernel call: `x`, and `dy` for a gradient (the same as
/// `x` otherwise). Two fields, so that it is passed in two registers.
pub struct Inputs<T> {
    pub(crate) x: *const T,
    pub(crate) dy: *const T,
}

/// The output of a kernel call and the length of every stream.
pub struct Output<T> {
    pub(crate) out: *mut T,
    pub(crate) len: usize,
}

/// One operation in one direction, over slices.
pub trait Kernel {
    /// The SIMD kernel, with registers `V`.
    ///
    /// # Safety
    /// `src.x` (and `src.dy`, for a gradient) are readable and `dst.out`
    /// writable for `dst.len` elements; the output may be the same pointer as
    /// an input but overlaps no input otherwise; `p` is as [`Params`]
    /// describes for this kernel; the CPU has the ISA of `V`.
    unsafe fn simd<T: Layout, V: Register<T>>(
        src: Inputs<T>,
        dst: Output<T>,
        p: &Params<T>,
    ) -> usize;

    /// The scalar reference.
    ///
    /// # Safety
    /// As [`simd`](Kernel::simd), without the ISA.
    unsafe fn scalar<T: Widen>(src: Inputs<T>, dst: Output<T>, p: &Params<T>) -> usize;
}

/// Whether `a` is a positive finite normal number (`a * 0` is NaN for
/// infinities and NaN; `f32`'s least normal number bounds it from below,
/// which is normal in `f64` too, so `f64` slopes from 2^-1022 to 2^-126
/// take the general kernel): leaky ReLU's usual slope, which has a shorter
/// kernel ([`Arith::leaky_positive`]). Normal for the reason
/// [`finite_normal`] gives.
#[inline(always)]
fn positive_normal<W: WideFloat>(a: W) -> bool {
    a >= W::from(f32::MIN_POSITIVE) && a * W::from(0.0) == W::from(0.0)
}

/// Whether each of the `n` values at `values` is finite and normal
/// (`bits(least normal) <= |bits| < bits(inf)`), so that no product with
/// them is NaN unless the other factor is, even where denormals-are-zero
/// would read a subnormal as zero: PReLU's usual slopes, which have a
/// shorter kernel ([`Arith::leaky`]'s `NAN_FREE`; its figures are in
/// BENCHMARKS.md, session 14). One pass without early exit (least and
/// greatest magnitude), which the compiler vectorises. The kernel asks only
/// with eight rows or more: the pass reads every slope once more, which
/// made a single row of 2,048 `f32` slopes 1.5x slower.
///
/// # Safety
/// `values` is readable for `n` elements, or `n` is 0.
#[inline(always)]
unsafe fn finite_normal<T: Element>(values: *const T, n: usize) -> bool {
    if n == 0 {
        return false;
    }
    // SAFETY: forwarded from the caller; `n > 0`, so `values` is not null.
    let values = unsafe { core::slice::from_raw_parts(values, n) };
    let (zero, abs, inf) = (bytemuck::Zeroable::zeroed(), T::BITS.abs, T::BITS.inf);
    let (least, most) = values.iter().fold((abs, zero), |(least, most), &v| {
        let magnitude = bytemuck::cast::<T, T::Bits>(v) & abs;
        let least = if magnitude < least { magnitude } else { least };
        (least, if magnitude > most { magnitude } else { most })
    });
    // The least normal number's bits: the lowest bit of the exponent's.
    let inf_bits: i64 = inf.into();
    least.into() >= inf_bits & -inf_bits && most < inf
}

/// What a kernel returns: a count, or nothing (0).
trait Outcome {
    fn count(self) -> usize;
}

impl Outcome for () {
    #[inline(always)]
    fn count(self) -> usize {
        0
    }
}

impl Outcome for usize {
    #[inline(always)]
    fn count(self) -> usize {
        self
    }
}

/// Defines each kernel as a type implementing [`Kernel`], from its SIMD and
/// scalar expressions over the arguments named in its header (`T` is the
/// element type, `V` the register).
macro_rules! kernels {
    ($(
        $(#[$doc:meta])*
        $name:ident($x:ident, $dy:ident, $out:ident, $len:ident, $p:ident) {
            simd: $simd:expr,
            scalar: $scalar:expr $(,)?
        }
    )*) => {$(
        $(#[$doc])*
        pub(crate) struct $name;

        impl Kernel for $name {
            #[inline(always)]
            #[allow(unused_variables)]
            unsafe fn simd<T: Layout, V: Register<T>>(src: Inputs<T>, dst: Output<T>, $p: &Params<T>) -> usize {
                let (Inputs { x: $x, dy: $dy }, Output { out: $out, len: $len }) = (src, dst);
                // SAFETY: the caller's contract (see `Kernel`) is the shape's
                // (see `kernel::shapes`) and that of the ops' constructors.
                unsafe { Outcome::count($simd) }
            }

            #[inline(always)]
            #[allow(unused_variables)]
            unsafe fn scalar<T: Widen>(src: Inputs<T>, dst: Output<T>, $p: &Params<T>) -> usize {
                let (Inputs { x: $x, dy: $dy }, Output { out: $out, len: $len }) = (src, dst);
                // SAFETY: the caller's contract is the scalar loop's.
                unsafe { Outcome::count($scalar) }
            }
        }
    )*};
}

kernels! {
    /// `out = relu(x)`.
    ReluForward(x, dy, out, len, p) {
        simd: relu::<T, V>(x, out, len, p.whole_len),
        scalar: scalar::each(x, out, len, scalar::relu),
    }
    /// `out = relu'(x) * dy`.
    ReluGradient(x, dy, out, len, p) {
        simd: by_float!(T, len, FLOAT => {
            elementwise::<T, Plain<V>, 2>([x, dy], out, len, p.whole_len, &ReluBackward::<_, _, FLOAT>(Splats::new(T::BITS)))
        }),
        scalar: scalar::each2(x, dy, out, len, scalar::relu_backward),
    }
    /// `out = relu(x)`, returning how many outputs are `+0`.
    ReluCountInactive(x, dy, out, len, p) {
        simd: count::<T, V>(x, out, len, p.whole_len),
        scalar: scalar::relu_count_inactive(x, out, len),
    }
    /// `out = leaky_relu(x, alpha)`.
    LeakyReluForward(x, dy, out, len, p) {
        simd: by_float!(T, len, FLOAT => if positive_normal(p.alpha) {
            elementwise::<T, T::Stream<V>, 1>([x], out, len, p.whole_len, &Leaky::<T, V, true, FLOAT>::new(p.alpha))
        } else {
            elementwise::<T, T::Stream<V>, 1>([x], out, len, p.whole_len, &Leaky::<T, V, false, FLOAT>::new(p.alpha))
        }),
        scalar: scalar::each(x, out, len, |x| scalar::leaky_relu(x, p.alpha)),
    }
    /// `out = leaky_relu'(x, alpha) * dy`.
    LeakyReluGradient(x, dy, out, len, p) {
        simd: elementwise::<T, T::Stream<V>, 2>([x, dy], out, len, p.whole_len, &Leaky::<T, V>::new(p.alpha)),
        scalar: scalar::each2(x, dy, out, len, |x, dy| scalar::leaky_relu_backward(x, dy, p.alpha)),
    }
    /// `out = clamp(x, lo, hi)`.
    ClampForward(x, dy, out, len, p) {
        simd: match ClampForm::of(p, float_compares::<T>(len)) {
            ClampForm::FloatFromZero => {
                elementwise::<T, Plain<V>, 1>([x], out, len, p.whole_len, &FloatClamp(clamp::<T, V, true>(p)))
            }
            ClampForm::Float => {
                elementwise::<T, Plain<V>, 1>([x], out, len, p.whole_len, &FloatClamp(clamp::<T, V, false>(p)))
            }
            ClampForm::NonNegative => elementwise::<T, Plain<V>, 1>([x], out, len, p.whole_len, &clamp::<T, V, true>(p)),
            ClampForm::General => elementwise::<T, Plain<V>, 1>([x], out, len, p.whole_len, &clamp::<T, V, false>(p)),
        },
        scalar: scalar::each(x, out, len, |x| scalar::clamp(x, p.lo, p.hi)),
    }
    /// `out = clamp'(x, lo, hi) * dy`.
    ClampGradient(x, dy, out, len, p) {
        simd: if matches!(ClampForm::of(p, false), ClampForm::NonNegative) {
            elementwise::<T, Plain<V>, 2>([x, dy], out, len, p.whole_len, &clamp::<T, V, true>(p))
        } else {
            elementwise::<T, Plain<V>, 2>([x, dy], out, len, p.whole_len, &clamp::<T, V, false>(p))
        },
        scalar: scalar::each2(x, dy, out, len, |x, dy| scalar::clamp_backward(x, dy, p.lo, p.hi)),
    }
    /// `out = prelu(x, slopes)`.
    PreluForward(x, dy, out, len, p) {
        simd: {
            let nan_free = p.channels <= len / 8 && finite_normal(p.channel, p.channels);
            by_float!(T, len, FLOAT => if nan_free {
                broadcast::<T, T::Stream<V>>(x, out, len, p.whole_len, p.channel, p.channels, &Prelu::<T, V, FLOAT, true>(Arith::new()))
            } else {
                broadcast::<T, T::Stream<V>>(x, out, len, p.whole_len, p.channel, p.channels, &Prelu::<T, V, FLOAT>(Arith::new()))
            })
        },
        scalar: scalar::prelu(x, out, len, p.channel, p.channels),
    }
    /// `out = prelu'(x, slopes) * dy`, and the slopes' gradient added to the sums.
    PreluGradient(x, dy, out, len, p) {
        simd: with_sums::<T, V, 1, _>([x, dy], [p.channel], out, len, p.channels, p.sums, &Prelu(Arith::new())),
        scalar: scalar::prelu_backward(x, dy, out, len, p.channel, p.channels, p.sums),
    }
    /// `out = relu(x + bias)`.
    BiasReluForward(x, dy, out, len, p) {
        simd: by_float!(T, len, FLOAT => if FLOAT && crate::cpu::class_picks_in_place() {
            broadcast::<T, T::Stream<V>>(x, out, len, p.whole_len, p.channel, p.channels, &BiasRelu::<T, V, FLOAT, true>(Arith::new()))
        } else {
            broadcast::<T, T::Stream<V>>(x, out, len, p.whole_len, p.channel, p.channels, &BiasRelu::<T, V, FLOAT>(Arith::new()))
        }),
        scalar: scalar::bias_relu_channels(x, out, len, p.channel, p.channels),
    }
    /// `out = relu_backward(y, dy)` from the output `y`, and `out` added to the sums.
    BiasReluGradient(x, dy, out, len, p) {
        simd: with_sums::<T, V, 0, _>([x, dy], [], out, len, p.channels, p.sums, &BiasRelu(Arith::new())),
        scalar: scalar::bias_relu_backward(x, dy, out, len, p.channels, p.sums),
    }
}

/// The form of clamp's kernel for the bounds of `p`.
#[derive(Clone, Copy)]
enum ClampForm {
    /// [`FloatClamp`] from ReLU: `lo` is `+0.0` (ReLU6's bounds; then
    /// `hi >= lo` has its sign bit clear too, as `NON_NEGATIVE` needs).
    FloatFromZero,
    /// [`FloatClamp`]: `lo` is not `+0.0` and `hi` is not `-0.0`, where
    /// `maxps`/`minps` give clamp's definition (`kernel/steps.rs`).
    Float,
    /// Both bounds have their sign bit clear (`+0.0 <= lo <= hi`), which
    /// has a shorter integer kernel.
    NonNegative,
    /// The integer kernel for any bounds.
    General,
}

impl ClampForm {
    /// The form for the bounds of `p`; a float one only if `float` (see
    /// [`float_compares`]).
    #[inline(always)]
    fn of<T: Element>(p: &Params<T>, float: bool) -> Self {
        let negative_zero = i64::MIN >> (64 - 8 * size_of::<T>());
        let (lo, hi) = (bits(p.lo), bits(p.hi));
        if float && lo == 0 {
            ClampForm::FloatFromZero
        } else if float && hi != negative_zero {
            ClampForm::Float
        } else if lo >= 0 && hi >= 0 {
            ClampForm::NonNegative
        } else {
            ClampForm::General
        }
    }
}

/// A bound's bits as a signed integer.
#[inline(always)]
fn bits<T: Element>(b: T) -> i64 {
    bytemuck::cast::<T, T::Bits>(b).into()
}

/// Clamp's operation for the bounds of `p`.
///
/// # Safety
/// The CPU has the ISA of `V`; with `NON_NEGATIVE`, both bounds have their
/// sign bit clear ([`ClampForm::NonNegative`]).
#[inline(always)]
unsafe fn clamp<T: Layout, V: Register<T>, const NON_NEGATIVE: bool>(
    p: &Params<T>,
) -> Clamp<V, T::Bits, NON_NEGATIVE> {
    // SAFETY: forwarded from the caller.
    unsafe { Clamp::new(T::BITS, bytemuck::cast(p.lo), bytemuck::cast(p.hi)) }
}
