//! The test oracle: the contract of every operation, written from the
//! README's definitions on the bit layout, independently of `src/scalar.rs`
//! and of the kernels. The only reference the tests compare against.
//!
//! Notation: `W(v)` is the exact value of `v` in the wide type (`f32` for
//! `f16`, `bf16` and `f32`; `f64` for `f64`); `round(w)` rounds a wide value
//! to nearest even in `T`; `canon(w)` replaces a NaN by the wide type's
//! canonical NaN. Products and sums are rounded separately in the wide type.
//! Per-channel gradient sums (`dslopes`, `dbias`) come back with every NaN
//! canonical, including a NaN passed in that nothing was added to.

use super::floats::{TestFloat, WideFloat, width_mask};

pub fn is_nan<T: TestFloat>(x: T) -> bool {
    x.bits() & !T::SIGN & width_mask::<T>() > T::INF
}

/// `x > 0` numerically: not NaN, sign clear, not `+0`.
pub fn is_positive<T: TestFloat>(x: T) -> bool {
    !is_nan(x) && x.bits() & T::SIGN == 0 && x.bits() != 0
}

fn is_negative<T: TestFloat>(x: T) -> bool {
    x.bits() & T::SIGN != 0
}

/// `+0.0`.
pub fn zero<T: TestFloat>() -> T {
    T::from_bits(0)
}

pub fn canon<W: WideFloat>(w: W) -> W {
    if w.is_nan() {
        W::from_bits64(W::CANONICAL_NAN)
    } else {
        w
    }
}

/// `v` rounded to `T` (exact for the values the tests use).
pub fn from_f32<T: TestFloat>(v: f32) -> T {
    T::round(T::W::from_f32(v))
}

/// `a < b` for non-NaNs in the order where `-0.0 < +0.0`.
pub fn total_less<T: TestFloat>(a: T, b: T) -> bool {
    let (x, y) = (a.to_f64(), b.to_f64());
    x < y || (x == 0.0 && y == 0.0 && is_negative(a) && !is_negative(b))
}

/// ReLU: `x` where `x > 0` or NaN (bits kept), else `+0`.
pub fn relu<T: TestFloat>(x: T) -> T {
    if is_positive(x) || is_nan(x) {
        x
    } else {
        zero()
    }
}

/// ReLU's gradient: `dy` where `x > 0` or NaN, else `+0`.
pub fn relu_backward<T: TestFloat>(x: T, dy: T) -> T {
    if is_positive(x) || is_nan(x) {
        dy
    } else {
        zero()
    }
}

/// The zero count: how many outputs are `+0`.
pub fn inactive<T: TestFloat>(y: &[T]) -> usize {
    y.iter().filter(|v| v.bits() == 0).count()
}

pub fn leaky_relu<T: TestFloat>(x: T, alpha: T::W) -> T {
    if is_positive(x) || is_nan(x) {
        x
    } else {
        T::round(canon(alpha.mul(x.widen())))
    }
}

pub fn leaky_relu_backward<T: TestFloat>(x: T, dy: T, alpha: T::W) -> T {
    if is_positive(x) {
        dy
    } else {
        T::round(canon(alpha.mul(dy.widen())))
    }
}

pub fn clamp<T: TestFloat>(x: T, lo: T, hi: T) -> T {
    if is_nan(x) {
        x
    } else if total_less(x, lo) {
        lo
    } else if total_less(hi, x) {
        hi
    } else {
        x
    }
}

pub fn clamp_backward<T: TestFloat>(x: T, dy: T, lo: T, hi: T) -> T {
    if is_nan(x) || (total_less(lo, x) && total_less(x, hi)) {
        dy
    } else {
        zero()
    }
}

/// ReLU6's upper bound.
pub fn six<T: TestFloat>() -> T {
    from_f32(6.0)
}

pub fn bias_relu<T: TestFloat>(x: T, bias: T) -> T {
    let s = x.widen().add(bias.widen());
    if s.is_nan() {
        T::from_bits(T::CANONICAL_NAN)
    } else {
        relu(T::round(s))
    }
}

/// PReLU's `dx`, and `dslopes` updated in index order.
pub fn prelu_backward<T: TestFloat>(
    x: &[T],
    dy: &[T],
    slopes: &[T],
    dslopes: &mut [T::W],
) -> Vec<T> {
    let dx = (0..x.len())
        .map(|i| {
            let c = i % slopes.len();
            if !is_positive(x[i]) {
                dslopes[c] = dslopes[c].add(x[i].widen().mul(dy[i].widen()));
            }
            leaky_relu_backward(x[i], dy[i], slopes[c].widen())
        })
        .collect::<Vec<_>>();
    canon_all(dslopes);
    dx
}

/// Bias + ReLU's `dx`, and `dbias` updated in index order.
pub fn bias_relu_backward<T: TestFloat>(y: &[T], dy: &[T], dbias: &mut [T::W]) -> Vec<T> {
    let dx = (0..y.len())
        .map(|i| {
            let c = i % dbias.len();
            let dx = relu_backward(y[i], dy[i]);
            dbias[c] = dbias[c].add(dx.widen());
            dx
        })
        .collect::<Vec<_>>();
    canon_all(dbias);
    dx
}

/// A NaN sum comes back as the canonical NaN, whatever its history (a NaN
/// passed in that nothing was added to included).
pub fn canon_all<W: WideFloat>(sums: &mut [W]) {
    for s in sums {
        *s = canon(*s);
    }
}

/// `f` of each element.
pub fn each<T: Copy>(x: &[T], f: impl Fn(T) -> T) -> Vec<T> {
    x.iter().map(|&v| f(v)).collect()
}

/// `f` of each pair.
pub fn each2<T: Copy>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> Vec<T> {
    a.iter().zip(b).map(|(&a, &b)| f(a, b)).collect()
}

/// `f(x[i], per_channel[i % channels])`, channels last.
pub fn broadcast<T: Copy>(x: &[T], per_channel: &[T], f: impl Fn(T, T) -> T) -> Vec<T> {
    x.iter()
        .enumerate()
        .map(|(i, &v)| f(v, per_channel[i % per_channel.len()]))
        .collect()
}
