//! The ReLU family's contract (leaky ReLU, PReLU, clamp, ReLU6, bias + ReLU,
//! ReLU with a zero count), written from its definition and independently of
//! `src/`, and the checks that `tests/family.rs` runs on every backend and
//! element type, and on the free functions.
//!
//! Notation: `W(v)` is the exact value of `v` in the wide type (`f32` for
//! `f16`, `bf16` and `f32`; `f64` for `f64`); `round(w)` rounds a wide value
//! to nearest even in `T`; `canon(w)` replaces a NaN by the wide type's
//! canonical NaN. Products and sums are rounded separately in the wide type.
//! Per-channel gradient sums (`dslopes`, `dbias`) come back with every NaN
//! canonical, including a NaN passed in that nothing was added to.
//! Every result is compared bit for bit.

use super::{OFFSETS, TestFloat, element, max_len, mixed_inputs, proptest_config, special_bits};
use super::{PREFETCH_FROM, expected_backward, expected_relu, test_lengths, width_mask};
use crate::common::as_uninit;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Element, Wide};
use std::cell::Cell;
use std::fmt::{Debug, Display};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, Once};

// ---------------------------------------------------------------------------
// The types.

/// `f32` or `f64`: the type arithmetic on an element type is done in.
pub trait WideFloat: Copy + Debug + PartialEq + bytemuck::Pod + 'static {
    /// The canonical NaN: positive, quiet, no other payload bit.
    const CANONICAL_NAN: u64;
    /// Other NaNs: negative, signalling, with payloads.
    const OTHER_NANS: [u64; 3];
    /// The exact value of an `f32`.
    fn from_f32(a: f32) -> Self;
    fn from_bits64(bits: u64) -> Self;
    fn bits64(self) -> u64;
    fn mul(self, other: Self) -> Self;
    fn add(self, other: Self) -> Self;
    fn is_nan(self) -> bool;
}

impl WideFloat for f32 {
    const CANONICAL_NAN: u64 = 0x7FC0_0000;
    const OTHER_NANS: [u64; 3] = [0xFFC0_0000, 0x7F80_0001, 0xFFC1_2345];
    fn from_f32(a: f32) -> Self {
        a
    }
    fn from_bits64(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
    fn bits64(self) -> u64 {
        self.to_bits() as u64
    }
    fn mul(self, other: Self) -> Self {
        self * other
    }
    fn add(self, other: Self) -> Self {
        self + other
    }
    fn is_nan(self) -> bool {
        self.is_nan()
    }
}

impl WideFloat for f64 {
    const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;
    const OTHER_NANS: [u64; 3] = [
        0xFFF8_0000_0000_0000,
        0x7FF0_0000_0000_0001,
        0xFFF8_0000_1234_5678,
    ];
    fn from_f32(a: f32) -> Self {
        a as f64
    }
    fn from_bits64(bits: u64) -> Self {
        f64::from_bits(bits)
    }
    fn bits64(self) -> u64 {
        self.to_bits()
    }
    fn mul(self, other: Self) -> Self {
        self * other
    }
    fn add(self, other: Self) -> Self {
        self + other
    }
    fn is_nan(self) -> bool {
        self.is_nan()
    }
}

/// An element type with its wide type.
pub trait FamilyFloat: TestFloat {
    const NAME: &'static str;
    /// The bits of `T`'s canonical NaN.
    const CANONICAL_NAN: u64;
    /// `Wide<Self>`, seen as a [`WideFloat`].
    type W: WideFloat;
    /// `W(self)`: exact.
    fn widen(self) -> Self::W;
    /// `round(w)`: to nearest even (the identity for `f32` and `f64`).
    fn round(w: Self::W) -> Self;
    /// The same slice as the library's `Wide<Self>`.
    fn lib(v: &mut [Self::W]) -> &mut [Wide<Self>];
    /// The exact value, for ordering.
    fn to_f64(self) -> f64;
}

/// `FamilyFloat` for each element type: its canonical NaN, its wide type and
/// the rounding from it (`From` is the identity for `f32` and `f64`).
macro_rules! family_float {
    ($($t:ident: nan $nan:literal, wide $w:ident, round $round:path;)*) => {$(
        impl FamilyFloat for $t {
            const NAME: &'static str = stringify!($t);
            const CANONICAL_NAN: u64 = $nan;
            type W = $w;
            fn widen(self) -> $w {
                $w::from(self)
            }
            fn round(w: $w) -> Self {
                $round(w)
            }
            fn lib(v: &mut [$w]) -> &mut [Wide<Self>] {
                v
            }
            fn to_f64(self) -> f64 {
                f64::from(self.widen())
            }
        }
    )*};
}

family_float! {
    f32: nan 0x7FC0_0000, wide f32, round f32::from;
    f64: nan 0x7FF8_0000_0000_0000, wide f64, round f64::from;
    f16: nan 0x7E00, wide f32, round f16::from_f32;
    bf16: nan 0x7FC0, wide f32, round bf16::from_f32;
}

// ---------------------------------------------------------------------------
// The contract, one element at a time.

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
pub fn from_f32<T: FamilyFloat>(v: f32) -> T {
    T::round(T::W::from_f32(v))
}

/// `a < b` for non-NaNs in the order where `-0.0 < +0.0`.
pub fn total_less<T: FamilyFloat>(a: T, b: T) -> bool {
    let (x, y) = (a.to_f64(), b.to_f64());
    x < y || (x == 0.0 && y == 0.0 && is_negative(a) && !is_negative(b))
}

pub fn ref_leaky<T: FamilyFloat>(x: T, alpha: T::W) -> T {
    if is_positive(x) || is_nan(x) {
        x
    } else {
        T::round(canon(alpha.mul(x.widen())))
    }
}

pub fn ref_leaky_backward<T: FamilyFloat>(x: T, dy: T, alpha: T::W) -> T {
    if is_positive(x) {
        dy
    } else {
        T::round(canon(alpha.mul(dy.widen())))
    }
}

pub fn ref_clamp<T: FamilyFloat>(x: T, lo: T, hi: T) -> T {
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

pub fn ref_clamp_backward<T: FamilyFloat>(x: T, dy: T, lo: T, hi: T) -> T {
    if is_nan(x) || (total_less(lo, x) && total_less(x, hi)) {
        dy
    } else {
        zero()
    }
}

pub fn ref_bias_relu<T: FamilyFloat>(x: T, bias: T) -> T {
    let s = x.widen().add(bias.widen());
    if s.is_nan() {
        T::from_bits(T::CANONICAL_NAN)
    } else {
        expected_relu(T::round(s))
    }
}

/// PReLU's `dx`, and `dslopes` updated in index order.
pub fn ref_prelu_backward<T: FamilyFloat>(
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
            ref_leaky_backward(x[i], dy[i], slopes[c].widen())
        })
        .collect::<Vec<_>>();
    canon_all(dslopes);
    dx
}

/// A NaN sum comes back as the canonical NaN, whatever its history (a NaN
/// passed in that nothing was added to included).
pub fn canon_all<W: WideFloat>(sums: &mut [W]) {
    for s in sums {
        *s = canon(*s);
    }
}

/// Bias + ReLU's `dx`, and `dbias` updated in index order.
pub fn ref_bias_relu_backward<T: FamilyFloat>(y: &[T], dy: &[T], dbias: &mut [T::W]) -> Vec<T> {
    let dx = (0..y.len())
        .map(|i| {
            let c = i % dbias.len();
            let dx = expected_backward(y[i], dy[i]);
            dbias[c] = dbias[c].add(dx.widen());
            dx
        })
        .collect::<Vec<_>>();
    canon_all(dbias);
    dx
}

fn map2<T: Copy>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> Vec<T> {
    a.iter().zip(b).map(|(&a, &b)| f(a, b)).collect()
}

fn broadcast<T: Copy>(x: &[T], params: &[T], f: impl Fn(T, T) -> T) -> Vec<T> {
    x.iter()
        .enumerate()
        .map(|(i, &v)| f(v, params[i % params.len()]))
        .collect()
}

// ---------------------------------------------------------------------------
// The API under test: a backend's `Activations` methods, or the free functions.

/// Where the operations come from.
#[derive(Clone, Copy, Debug)]
pub enum Api {
    /// The methods of one backend's handle.
    Method(Activations),
    /// The free functions (the active backend).
    Free,
}

macro_rules! dispatch {
    ($self:ident . $name:ident ( $($arg:expr),* )) => {
        match $self {
            Api::Method(relu) => relu.$name($($arg),*),
            Api::Free => relu_simd::$name($($arg),*),
        }
    };
}

impl Api {
    pub fn name(self) -> String {
        match self {
            Api::Method(relu) => relu.backend().to_string(),
            Api::Free => format!("free functions ({})", Activations::active().backend()),
        }
    }
    pub fn relu_count_inactive<T: Element>(self, src: &[T], dst: &mut [T]) -> usize {
        dispatch!(self.relu_count_inactive(src, dst))
    }
    pub fn relu_count_inactive_inplace<T: Element>(self, x: &mut [T]) -> usize {
        dispatch!(self.relu_count_inactive_inplace(x))
    }
    pub fn leaky_relu<T: Element>(self, src: &[T], dst: &mut [T], alpha: f32) {
        dispatch!(self.leaky_relu(src, dst, alpha.into()))
    }
    pub fn leaky_relu_inplace<T: Element>(self, x: &mut [T], alpha: f32) {
        dispatch!(self.leaky_relu_inplace(x, alpha.into()))
    }
    pub fn leaky_relu_backward<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T], alpha: f32) {
        dispatch!(self.leaky_relu_backward(x, dy, dx, alpha.into()))
    }
    pub fn prelu<T: Element>(self, src: &[T], dst: &mut [T], slopes: &[T]) {
        dispatch!(self.prelu(src, dst, slopes))
    }
    pub fn prelu_inplace<T: Element>(self, x: &mut [T], slopes: &[T]) {
        dispatch!(self.prelu_inplace(x, slopes))
    }
    pub fn prelu_backward<T: Element>(
        self,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        slopes: &[T],
        dslopes: &mut [Wide<T>],
    ) {
        dispatch!(self.prelu_backward(x, dy, dx, slopes, dslopes))
    }
    pub fn clamp<T: Element>(self, src: &[T], dst: &mut [T], lo: T, hi: T) {
        dispatch!(self.clamp(src, dst, lo, hi))
    }
    pub fn clamp_inplace<T: Element>(self, x: &mut [T], lo: T, hi: T) {
        dispatch!(self.clamp_inplace(x, lo, hi))
    }
    pub fn clamp_backward<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T], lo: T, hi: T) {
        dispatch!(self.clamp_backward(x, dy, dx, lo, hi))
    }
    pub fn relu6<T: Element>(self, src: &[T], dst: &mut [T]) {
        dispatch!(self.relu6(src, dst))
    }
    pub fn relu6_inplace<T: Element>(self, x: &mut [T]) {
        dispatch!(self.relu6_inplace(x))
    }
    pub fn relu6_backward<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T]) {
        dispatch!(self.relu6_backward(x, dy, dx))
    }
    pub fn bias_relu<T: Element>(self, src: &[T], bias: &[T], dst: &mut [T]) {
        dispatch!(self.bias_relu(src, dst, bias))
    }
    pub fn bias_relu_inplace<T: Element>(self, x: &mut [T], bias: &[T]) {
        dispatch!(self.bias_relu_inplace(x, bias))
    }
    pub fn bias_relu_backward<T: Element>(
        self,
        y: &[T],
        dy: &[T],
        dx: &mut [T],
        dbias: &mut [Wide<T>],
    ) {
        dispatch!(self.bias_relu_backward(y, dy, dx, dbias))
    }

    // The other forms: `_uninit` (into the same buffer seen as uninitialised
    // memory; the returned slice must be it) and `_backward_inplace`.
    pub fn relu_count_inactive_uninit<T: Element>(self, src: &[T], dst: &mut [T]) -> usize {
        let ptr = dst.as_ptr();
        let (y, n) = dispatch!(self.relu_count_inactive_uninit(src, as_uninit(dst)));
        assert_eq!(
            y.as_ptr(),
            ptr,
            "relu_count_inactive_uninit returned another slice"
        );
        n
    }
    pub fn leaky_relu_uninit<T: Element>(self, src: &[T], dst: &mut [T], alpha: f32) {
        let ptr = dst.as_ptr();
        let y = dispatch!(self.leaky_relu_uninit(src, as_uninit(dst), alpha.into()));
        assert_eq!(y.as_ptr(), ptr, "leaky_relu_uninit returned another slice");
    }
    pub fn leaky_relu_backward_uninit<T: Element>(
        self,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        alpha: f32,
    ) {
        let ptr = dx.as_ptr();
        let y = dispatch!(self.leaky_relu_backward_uninit(x, dy, as_uninit(dx), alpha.into()));
        assert_eq!(
            y.as_ptr(),
            ptr,
            "leaky_relu_backward_uninit returned another slice"
        );
    }
    pub fn leaky_relu_backward_inplace<T: Element>(self, x: &[T], dy: &mut [T], alpha: f32) {
        dispatch!(self.leaky_relu_backward_inplace(x, dy, alpha.into()))
    }
    pub fn prelu_uninit<T: Element>(self, src: &[T], dst: &mut [T], slopes: &[T]) {
        let ptr = dst.as_ptr();
        let y = dispatch!(self.prelu_uninit(src, as_uninit(dst), slopes));
        assert_eq!(y.as_ptr(), ptr, "prelu_uninit returned another slice");
    }
    pub fn prelu_backward_uninit<T: Element>(
        self,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        slopes: &[T],
        dslopes: &mut [Wide<T>],
    ) {
        let ptr = dx.as_ptr();
        let y = dispatch!(self.prelu_backward_uninit(x, dy, as_uninit(dx), slopes, dslopes));
        assert_eq!(
            y.as_ptr(),
            ptr,
            "prelu_backward_uninit returned another slice"
        );
    }
    pub fn prelu_backward_inplace<T: Element>(
        self,
        x: &[T],
        dy: &mut [T],
        slopes: &[T],
        dslopes: &mut [Wide<T>],
    ) {
        dispatch!(self.prelu_backward_inplace(x, dy, slopes, dslopes))
    }
    pub fn clamp_uninit<T: Element>(self, src: &[T], dst: &mut [T], lo: T, hi: T) {
        let ptr = dst.as_ptr();
        let y = dispatch!(self.clamp_uninit(src, as_uninit(dst), lo, hi));
        assert_eq!(y.as_ptr(), ptr, "clamp_uninit returned another slice");
    }
    pub fn clamp_backward_uninit<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T], lo: T, hi: T) {
        let ptr = dx.as_ptr();
        let y = dispatch!(self.clamp_backward_uninit(x, dy, as_uninit(dx), lo, hi));
        assert_eq!(
            y.as_ptr(),
            ptr,
            "clamp_backward_uninit returned another slice"
        );
    }
    pub fn clamp_backward_inplace<T: Element>(self, x: &[T], dy: &mut [T], lo: T, hi: T) {
        dispatch!(self.clamp_backward_inplace(x, dy, lo, hi))
    }
    pub fn relu6_uninit<T: Element>(self, src: &[T], dst: &mut [T]) {
        let ptr = dst.as_ptr();
        let y = dispatch!(self.relu6_uninit(src, as_uninit(dst)));
        assert_eq!(y.as_ptr(), ptr, "relu6_uninit returned another slice");
    }
    pub fn relu6_backward_uninit<T: Element>(self, x: &[T], dy: &[T], dx: &mut [T]) {
        let ptr = dx.as_ptr();
        let y = dispatch!(self.relu6_backward_uninit(x, dy, as_uninit(dx)));
        assert_eq!(
            y.as_ptr(),
            ptr,
            "relu6_backward_uninit returned another slice"
        );
    }
    pub fn relu6_backward_inplace<T: Element>(self, x: &[T], dy: &mut [T]) {
        dispatch!(self.relu6_backward_inplace(x, dy))
    }
    pub fn bias_relu_uninit<T: Element>(self, src: &[T], dst: &mut [T], bias: &[T]) {
        let ptr = dst.as_ptr();
        let y = dispatch!(self.bias_relu_uninit(src, as_uninit(dst), bias));
        assert_eq!(y.as_ptr(), ptr, "bias_relu_uninit returned another slice");
    }
    pub fn bias_relu_backward_uninit<T: Element>(
        self,
        y: &[T],
        dy: &[T],
        dx: &mut [T],
        dbias: &mut [Wide<T>],
    ) {
        let ptr = dx.as_ptr();
        let y = dispatch!(self.bias_relu_backward_uninit(y, dy, as_uninit(dx), dbias));
        assert_eq!(
            y.as_ptr(),
            ptr,
            "bias_relu_backward_uninit returned another slice"
        );
    }
    pub fn bias_relu_backward_inplace<T: Element>(
        self,
        y: &[T],
        dy: &mut [T],
        dbias: &mut [Wide<T>],
    ) {
        dispatch!(self.bias_relu_backward_inplace(y, dy, dbias))
    }
}

// ---------------------------------------------------------------------------
// Guarded buffers and bitwise comparison.

/// Elements kept before and after every slice under test.
const GUARD: usize = 8;
/// The byte that fills the guards of inputs.
const IN_GUARD: u8 = 0x5A;
/// The byte that fills the guards of outputs, and outputs before the call:
/// a negative normal number in every format, which no ReLU-like output is.
const OUT_GUARD: u8 = 0xA5;

/// A slice at element `offset + GUARD` of a buffer whose other elements are
/// guard bytes.
#[derive(Clone)]
pub struct Guarded<E> {
    buf: Vec<E>,
    start: usize,
    len: usize,
    byte: u8,
}

impl<E: bytemuck::Pod> Guarded<E> {
    pub fn new(data: &[E], offset: usize, byte: u8) -> Self {
        let mut g = Self::filled(data.len(), offset, byte);
        g.body_mut().copy_from_slice(data);
        g
    }

    /// `len` elements of guard bytes.
    pub fn filled(len: usize, offset: usize, byte: u8) -> Self {
        let start = GUARD + offset;
        let mut buf = vec![E::zeroed(); start + len + GUARD];
        bytemuck::cast_slice_mut::<E, u8>(&mut buf).fill(byte);
        Guarded {
            buf,
            start,
            len,
            byte,
        }
    }

    pub fn body(&self) -> &[E] {
        &self.buf[self.start..self.start + self.len]
    }

    pub fn body_mut(&mut self) -> &mut [E] {
        &mut self.buf[self.start..self.start + self.len]
    }

    #[track_caller]
    pub fn check(&self, what: impl FnOnce() -> String) {
        let bytes = bytemuck::cast_slice::<E, u8>(&self.buf);
        let (before, after) = (
            self.start * size_of::<E>(),
            (self.start + self.len) * size_of::<E>(),
        );
        // Compared as whole slices (`memcmp`), which Miri runs fast.
        let guard = vec![self.byte; before.max(bytes.len() - after)];
        if bytes[..before] != guard[..before] || bytes[after..] != guard[..bytes.len() - after] {
            panic!("{} wrote outside its slice", what());
        }
    }
}

/// Where an output goes when its input is at `offset`: another alignment.
fn out_offset(offset: usize) -> usize {
    (offset * 5 + 3) % OFFSETS
}

/// Describes one call, for failure messages (formatted only on failure).
pub struct Ctx<'a> {
    api: Api,
    ty: &'static str,
    len: usize,
    offset: usize,
    params: Box<dyn Fn() -> String + 'a>,
}

impl<'a> Ctx<'a> {
    pub fn new<T: FamilyFloat>(
        api: Api,
        len: usize,
        offset: usize,
        params: impl Fn() -> String + 'a,
    ) -> Ctx<'a> {
        Ctx {
            api,
            ty: T::NAME,
            len,
            offset,
            params: Box::new(params),
        }
    }

    fn what(&self, op: &str) -> String {
        format!(
            "{op} {} on {} ({}, len {}, offset {})",
            self.ty,
            self.api.name(),
            (self.params)(),
            self.len,
            self.offset
        )
    }

    /// Asserts `got == want` bit for bit; `inputs(i)` describes element `i`'s
    /// inputs.
    #[track_caller]
    pub fn same<T: TestFloat>(
        &self,
        op: &str,
        got: &[T],
        want: &[T],
        inputs: impl Fn(usize) -> String,
    ) {
        assert_eq!(got.len(), want.len(), "{}: lengths differ", self.what(op));
        if bytemuck::cast_slice::<T, u8>(got) == bytemuck::cast_slice::<T, u8>(want) {
            return;
        }
        let i = (0..got.len())
            .find(|&i| got[i].bits() != want[i].bits())
            .unwrap();
        panic!(
            "MISMATCH {}: element {i}: inputs {}: expected bits {:#x}, got bits {:#x}",
            self.what(op),
            inputs(i),
            want[i].bits(),
            got[i].bits()
        );
    }

    /// Asserts accumulators equal bit for bit.
    #[track_caller]
    pub fn same_wide<W: WideFloat>(&self, op: &str, got: &[W], want: &[W], init: &[W]) {
        if let Some(c) = (0..got.len()).find(|&c| got[c].bits64() != want[c].bits64()) {
            panic!(
                "MISMATCH {}: accumulator of channel {c} of {} (initially {:#x}): \
                 expected bits {:#x}, got bits {:#x}",
                self.what(op),
                got.len(),
                init[c].bits64(),
                want[c].bits64(),
                got[c].bits64()
            );
        }
    }
}

fn b<T: TestFloat>(x: T) -> String {
    format!("{:#x}", x.bits())
}

// ---------------------------------------------------------------------------
// Parameters and inputs.

/// Leaky ReLU slopes where shortcuts go wrong.
pub fn special_alphas() -> Vec<f32> {
    vec![
        0.0,
        -0.0,
        1.0,
        0.01,
        0.1,
        -2.5,
        f32::from_bits(1),           // smallest subnormal
        f32::from_bits(0x007F_FFFF), // largest subnormal
        -f32::from_bits(3),
        f32::MAX,
        f32::MIN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::from_bits(0xFFC0_0001), // negative quiet NaN with a payload
        f32::from_bits(0x7F80_0001), // signalling NaN
        1e-30,
        65504.0,
    ]
}

/// Clamp bounds: every non-NaN special, and a few ordinary values.
pub fn bound_values<T: FamilyFloat>() -> Vec<T> {
    let mut v: Vec<T> = special_bits::<T>()
        .into_iter()
        .map(T::from_bits)
        .filter(|&x| !is_nan(x))
        .collect();
    v.extend([-1.0f32, 6.0, 0.5, -0.5, 2.0, -6.0].map(from_f32::<T>));
    let mut distinct: Vec<T> = Vec::new();
    for x in v {
        if !distinct.iter().any(|d| d.bits() == x.bits()) {
            distinct.push(x);
        }
    }
    distinct
}

/// Every `(lo, hi)` of [`bound_values`] with `lo <= hi` (equal included).
pub fn ordered_bounds<T: FamilyFloat>() -> Vec<(T, T)> {
    let v = bound_values::<T>();
    let mut pairs = Vec::new();
    for &lo in &v {
        for &hi in &v {
            if !total_less(hi, lo) {
                pairs.push((lo, hi));
            }
        }
    }
    pairs
}

/// Initial accumulator values: zeros of both signs, NaNs, infinities, others.
pub fn wide_specials<W: WideFloat>() -> Vec<W> {
    let mut v: Vec<W> = [
        0.0f32,
        -0.0,
        1.0,
        -2.5,
        1e-3,
        3.0e7,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::from_bits(1),
    ]
    .map(W::from_f32)
    .to_vec();
    v.push(W::from_bits64(W::CANONICAL_NAN));
    v.extend(W::OTHER_NANS.map(W::from_bits64));
    v
}

/// `n` accumulator values, cycling through [`wide_specials`] from `seed`.
pub fn wide_inits<W: WideFloat>(n: usize, seed: usize) -> Vec<W> {
    let s = wide_specials::<W>();
    (0..n).map(|i| s[(i * 7 + seed) % s.len()]).collect()
}

/// Finite accumulator values, with zeros of both signs and one NaN every 11.
pub fn finite_wide_inits<W: WideFloat>(n: usize) -> Vec<W> {
    let values = [0.0f32, -0.0, 1.5, -1000.0, 0.1, 3.25e-3, -7.0];
    (0..n)
        .map(|i| {
            if i % 11 == 10 {
                W::from_bits64(W::OTHER_NANS[i % 3])
            } else {
                W::from_f32(values[i % values.len()])
            }
        })
        .collect()
}

/// Finite inputs of moderate size (and some zeros of both signs), so that
/// accumulated sums stay finite and their rounding shows.
pub fn finite_inputs<T: FamilyFloat>(len: usize, seed: u64, scale: f32) -> Vec<T> {
    let mut state = seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            match state % 16 {
                0 => zero(),
                1 => T::from_bits(T::SIGN),
                k => from_f32(
                    ((state >> 20) % 2001) as f32 / 1000.0 * scale - scale + k as f32 * 1e-3,
                ),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The checks.

/// Under Miri, which runs this code thousands of times slower, the sizes and
/// counts below shrink to what exercises each code path once or twice.
const MIRI: bool = cfg!(miri);

/// Every element-wise operation (zero count, leaky ReLU, clamp, ReLU6), in
/// and out of place, on guarded buffers at `offset`.
pub fn check_elementwise<T: FamilyFloat>(
    api: Api,
    x: &[T],
    dy: &[T],
    offset: usize,
    alpha: f32,
    lo: T,
    hi: T,
) {
    let len = x.len();
    assert_eq!(dy.len(), len);
    let ctx = Ctx::new::<T>(api, len, offset, move || {
        format!(
            "alpha {alpha:e} = {:#x}, lo {}, hi {}",
            alpha.to_bits(),
            b(lo),
            b(hi)
        )
    });
    let out_off = out_offset(offset);
    let src = Guarded::new(x, offset, IN_GUARD);
    let dys = Guarded::new(dy, out_off, IN_GUARD);
    let new_out = || Guarded::<T>::filled(len, out_off, OUT_GUARD);
    let x_of = |i: usize| format!("x {}", b(x[i]));
    let x_dy_of = |i: usize| format!("x {}, dy {}", b(x[i]), b(dy[i]));

    // ReLU with the count of zeros.
    let want: Vec<T> = x.iter().map(|&v| expected_relu(v)).collect();
    let zeros = want.iter().filter(|v| v.bits() == 0).count();
    let mut dst = new_out();
    let n = api.relu_count_inactive(src.body(), dst.body_mut());
    dst.check(|| ctx.what("relu_count_inactive"));
    ctx.same("relu_count_inactive", dst.body(), &want, x_of);
    assert_eq!(
        n,
        zeros,
        "MISMATCH {}: zero count",
        ctx.what("relu_count_inactive")
    );
    let mut alt = new_out();
    let n = api.relu_count_inactive_uninit(src.body(), alt.body_mut());
    same_buffers(&ctx.what("relu_count_inactive_uninit"), &dst, &alt);
    assert_eq!(
        n,
        zeros,
        "MISMATCH {}: zero count",
        ctx.what("relu_count_inactive_uninit")
    );
    let mut buf = Guarded::new(x, offset, OUT_GUARD);
    let n = api.relu_count_inactive_inplace(buf.body_mut());
    buf.check(|| ctx.what("relu_count_inactive_inplace"));
    ctx.same("relu_count_inactive_inplace", buf.body(), &want, x_of);
    assert_eq!(
        n,
        zeros,
        "MISMATCH {}: zero count",
        ctx.what("relu_count_inactive_inplace")
    );

    // Leaky ReLU.
    let a = T::W::from_f32(alpha);
    let want: Vec<T> = x.iter().map(|&v| ref_leaky(v, a)).collect();
    let mut dst = new_out();
    api.leaky_relu(src.body(), dst.body_mut(), alpha);
    dst.check(|| ctx.what("leaky_relu"));
    ctx.same("leaky_relu", dst.body(), &want, x_of);
    let mut alt = new_out();
    api.leaky_relu_uninit(src.body(), alt.body_mut(), alpha);
    same_buffers(&ctx.what("leaky_relu_uninit"), &dst, &alt);
    let mut buf = Guarded::new(x, offset, OUT_GUARD);
    api.leaky_relu_inplace(buf.body_mut(), alpha);
    buf.check(|| ctx.what("leaky_relu_inplace"));
    ctx.same("leaky_relu_inplace", buf.body(), &want, x_of);
    let want = map2(x, dy, |x, dy| ref_leaky_backward(x, dy, a));
    let mut dx = Guarded::filled(len, offset, OUT_GUARD);
    api.leaky_relu_backward(src.body(), dys.body(), dx.body_mut(), alpha);
    dx.check(|| ctx.what("leaky_relu_backward"));
    ctx.same("leaky_relu_backward", dx.body(), &want, x_dy_of);
    let mut alt = Guarded::filled(len, offset, OUT_GUARD);
    api.leaky_relu_backward_uninit(src.body(), dys.body(), alt.body_mut(), alpha);
    same_buffers(&ctx.what("leaky_relu_backward_uninit"), &dx, &alt);
    let mut alt = dys.clone();
    api.leaky_relu_backward_inplace(src.body(), alt.body_mut(), alpha);
    alt.check(|| ctx.what("leaky_relu_backward_inplace"));
    ctx.same("leaky_relu_backward_inplace", alt.body(), &want, x_dy_of);

    // Clamp and ReLU6.
    let six = from_f32::<T>(6.0);
    // (ReLU6 is clamp to fixed bounds: under Miri, clamp alone.)
    for (op, lo, hi) in [("clamp", lo, hi), ("relu6", zero(), six)]
        .into_iter()
        .take(if MIRI { 1 } else { 2 })
    {
        let inplace = format!("{op}_inplace");
        let backward = format!("{op}_backward");
        let want: Vec<T> = x.iter().map(|&v| ref_clamp(v, lo, hi)).collect();
        let mut dst = new_out();
        let mut buf = Guarded::new(x, offset, OUT_GUARD);
        let mut alt = new_out();
        if op == "clamp" {
            api.clamp(src.body(), dst.body_mut(), lo, hi);
            api.clamp_inplace(buf.body_mut(), lo, hi);
            api.clamp_uninit(src.body(), alt.body_mut(), lo, hi);
        } else {
            api.relu6(src.body(), dst.body_mut());
            api.relu6_inplace(buf.body_mut());
            api.relu6_uninit(src.body(), alt.body_mut());
        }
        same_buffers(&ctx.what(&format!("{op}_uninit")), &dst, &alt);
        dst.check(|| ctx.what(op));
        ctx.same(op, dst.body(), &want, x_of);
        buf.check(|| ctx.what(&inplace));
        ctx.same(&inplace, buf.body(), &want, x_of);
        let want = map2(x, dy, |x, dy| ref_clamp_backward(x, dy, lo, hi));
        let mut dx = Guarded::filled(len, offset, OUT_GUARD);
        let mut alt = Guarded::filled(len, offset, OUT_GUARD);
        let mut grad = dys.clone();
        if op == "clamp" {
            api.clamp_backward(src.body(), dys.body(), dx.body_mut(), lo, hi);
            api.clamp_backward_uninit(src.body(), dys.body(), alt.body_mut(), lo, hi);
            api.clamp_backward_inplace(src.body(), grad.body_mut(), lo, hi);
        } else {
            api.relu6_backward(src.body(), dys.body(), dx.body_mut());
            api.relu6_backward_uninit(src.body(), dys.body(), alt.body_mut());
            api.relu6_backward_inplace(src.body(), grad.body_mut());
        }
        dx.check(|| ctx.what(&backward));
        ctx.same(&backward, dx.body(), &want, x_dy_of);
        same_buffers(&ctx.what(&format!("{backward}_uninit")), &dx, &alt);
        grad.check(|| ctx.what(&format!("{backward}_inplace")));
        ctx.same(&format!("{backward}_inplace"), grad.body(), &want, x_dy_of);
    }
}

/// The per-channel operations (PReLU and bias + ReLU, forward in and out of
/// place, and backward) with `slopes.len()` channels, on guarded buffers at
/// `offset`. `acc` is the initial value of the accumulators.
pub fn check_channels<T: FamilyFloat>(
    api: Api,
    x: &[T],
    dy: &[T],
    slopes: &[T],
    bias: &[T],
    acc: &[T::W],
    offset: usize,
) {
    let (len, channels) = (x.len(), slopes.len());
    assert!(dy.len() == len && bias.len() == channels && acc.len() == channels);
    let ctx = Ctx::new::<T>(api, len, offset, move || format!("{channels} channels"));
    let out_off = out_offset(offset);
    let src = Guarded::new(x, offset, IN_GUARD);
    let dys = Guarded::new(dy, out_off, IN_GUARD);
    // The per-channel operands at yet other offsets.
    let slopes_g = Guarded::new(slopes, (offset + 1) % OFFSETS, IN_GUARD);
    let bias_g = Guarded::new(bias, (offset + 2) % OFFSETS, IN_GUARD);
    let new_out = || Guarded::<T>::filled(len, out_off, OUT_GUARD);
    let inputs = |name: &'static str, p: &[T], i: usize| {
        format!(
            "x {}, dy {}, {name} {} (channel {})",
            b(x[i]),
            b(dy[i]),
            b(p[i % channels]),
            i % channels
        )
    };

    // PReLU.
    let want = broadcast(x, slopes, |x, s| ref_leaky(x, s.widen()));
    let mut dst = new_out();
    api.prelu(src.body(), dst.body_mut(), slopes_g.body());
    dst.check(|| ctx.what("prelu"));
    ctx.same("prelu", dst.body(), &want, |i| inputs("slope", slopes, i));
    let mut alt = new_out();
    api.prelu_uninit(src.body(), alt.body_mut(), slopes_g.body());
    same_buffers(&ctx.what("prelu_uninit"), &dst, &alt);
    let mut buf = Guarded::new(x, offset, OUT_GUARD);
    api.prelu_inplace(buf.body_mut(), slopes_g.body());
    buf.check(|| ctx.what("prelu_inplace"));
    ctx.same("prelu_inplace", buf.body(), &want, |i| {
        inputs("slope", slopes, i)
    });

    let mut want_acc = acc.to_vec();
    let want = ref_prelu_backward(x, dy, slopes, &mut want_acc);
    let mut dx = new_out();
    let mut got_acc = Guarded::new(acc, offset % 3, OUT_GUARD);
    api.prelu_backward(
        src.body(),
        dys.body(),
        dx.body_mut(),
        slopes_g.body(),
        T::lib(got_acc.body_mut()),
    );
    dx.check(|| ctx.what("prelu_backward (dx)"));
    got_acc.check(|| ctx.what("prelu_backward (dslopes)"));
    ctx.same("prelu_backward", dx.body(), &want, |i| {
        inputs("slope", slopes, i)
    });
    ctx.same_wide("prelu_backward", got_acc.body(), &want_acc, acc);
    let (mut alt, mut alt_acc) = (new_out(), Guarded::new(acc, offset % 3, OUT_GUARD));
    let (s, d) = (slopes_g.body(), T::lib(alt_acc.body_mut()));
    api.prelu_backward_uninit(src.body(), dys.body(), alt.body_mut(), s, d);
    same_buffers(&ctx.what("prelu_backward_uninit"), &dx, &alt);
    same_buffers(
        &ctx.what("prelu_backward_uninit (dslopes)"),
        &got_acc,
        &alt_acc,
    );
    let (mut grad, mut alt_acc) = (dys.clone(), Guarded::new(acc, offset % 3, OUT_GUARD));
    let (s, d) = (slopes_g.body(), T::lib(alt_acc.body_mut()));
    api.prelu_backward_inplace(src.body(), grad.body_mut(), s, d);
    grad.check(|| ctx.what("prelu_backward_inplace"));
    ctx.same("prelu_backward_inplace", grad.body(), &want, |i| {
        inputs("slope", slopes, i)
    });
    same_buffers(
        &ctx.what("prelu_backward_inplace (dslopes)"),
        &got_acc,
        &alt_acc,
    );

    // Bias + ReLU.
    let want = broadcast(x, bias, ref_bias_relu);
    let mut dst = new_out();
    api.bias_relu(src.body(), bias_g.body(), dst.body_mut());
    dst.check(|| ctx.what("bias_relu"));
    ctx.same("bias_relu", dst.body(), &want, |i| inputs("bias", bias, i));
    let mut alt = new_out();
    api.bias_relu_uninit(src.body(), alt.body_mut(), bias_g.body());
    same_buffers(&ctx.what("bias_relu_uninit"), &dst, &alt);
    let mut buf = Guarded::new(x, offset, OUT_GUARD);
    api.bias_relu_inplace(buf.body_mut(), bias_g.body());
    buf.check(|| ctx.what("bias_relu_inplace"));
    ctx.same("bias_relu_inplace", buf.body(), &want, |i| {
        inputs("bias", bias, i)
    });

    // Backward, from the forward output and from arbitrary `y` (here `x`).
    for (from, y) in [("from y", &want[..]), ("from x", x)] {
        let op = format!("bias_relu_backward {from}");
        let y_g = Guarded::new(y, offset, IN_GUARD);
        let mut want_acc = acc.to_vec();
        let want_dx = ref_bias_relu_backward(y, dy, &mut want_acc);
        let mut dx = new_out();
        let mut got_acc = Guarded::new(acc, (offset + 1) % 3, OUT_GUARD);
        api.bias_relu_backward(
            y_g.body(),
            dys.body(),
            dx.body_mut(),
            T::lib(got_acc.body_mut()),
        );
        dx.check(|| ctx.what(&op));
        got_acc.check(|| ctx.what(&format!("{op} (dbias)")));
        ctx.same(&op, dx.body(), &want_dx, |i| {
            format!("y {}, dy {} (channel {})", b(y[i]), b(dy[i]), i % channels)
        });
        ctx.same_wide(&op, got_acc.body(), &want_acc, acc);
        let (mut alt, mut alt_acc) = (new_out(), Guarded::new(acc, (offset + 1) % 3, OUT_GUARD));
        let d = T::lib(alt_acc.body_mut());
        api.bias_relu_backward_uninit(y_g.body(), dys.body(), alt.body_mut(), d);
        same_buffers(&ctx.what(&format!("{op} uninit")), &dx, &alt);
        same_buffers(
            &ctx.what(&format!("{op} uninit (dbias)")),
            &got_acc,
            &alt_acc,
        );
        let (mut grad, mut alt_acc) = (dys.clone(), Guarded::new(acc, (offset + 1) % 3, OUT_GUARD));
        let d = T::lib(alt_acc.body_mut());
        api.bias_relu_backward_inplace(y_g.body(), grad.body_mut(), d);
        grad.check(|| ctx.what(&format!("{op} inplace")));
        ctx.same(&format!("{op} inplace"), grad.body(), &want_dx, |i| {
            format!("y {}, dy {} (channel {})", b(y[i]), b(dy[i]), i % channels)
        });
        same_buffers(
            &ctx.what(&format!("{op} inplace (dbias)")),
            &got_acc,
            &alt_acc,
        );
        if MIRI {
            break;
        }
    }
}

/// Panics unless two guarded buffers hold the same bytes, guards included:
/// another form of an operation against its main form.
fn same_buffers<E: bytemuck::Pod>(what: &str, main: &Guarded<E>, other: &Guarded<E>) {
    assert!(
        bytemuck::cast_slice::<E, u8>(&main.buf) == bytemuck::cast_slice::<E, u8>(&other.buf),
        "MISMATCH {what}: differs from the main form (or wrote outside its slice)"
    );
}

/// `v[i % v.len()]`.
fn pick<V: Copy>(v: &[V], i: usize) -> V {
    v[i % v.len()]
}

/// The lengths of the length sweep: every one of [`test_lengths`]; under
/// Miri, a few: empty, one element, around one and two 32-byte registers,
/// and the unrolled loop with a tail.
fn sweep_lengths<T>() -> Vec<usize> {
    if !MIRI {
        return test_lengths::<T>();
    }
    let r = 32 / size_of::<T>();
    let mut v = vec![0, 1, 2 * r + 3];
    if size_of::<T>() > 2 {
        // Slow under Miri for the 16-bit types, whose arithmetic converts
        // every lane in software.
        v.push((5 * 32 + 4) / size_of::<T>());
    }
    v
}

/// The offsets tried for `len`: every one for short slices, where the first
/// and last registers overlap or the loop hardly runs; two elsewhere; one,
/// varying, under Miri.
fn offsets_for<T>(len: usize) -> Vec<usize> {
    if MIRI {
        vec![(len * 3 + 1) % OFFSETS]
    } else if len * size_of::<T>() <= 2 * 64 + 16 {
        (0..OFFSETS).collect()
    } else {
        let mut v = vec![len % OFFSETS, (len / 3 + 5) % OFFSETS];
        v.dedup();
        v
    }
}

/// Every length of [`sweep_lengths`], at several offsets, through every
/// operation, with parameters and channel counts that vary by length.
pub fn check_lengths_and_offsets<T: FamilyFloat>(api: Api) {
    let alphas = special_alphas();
    let bounds = ordered_bounds::<T>();
    for len in sweep_lengths::<T>() {
        for offset in offsets_for::<T>(len) {
            let k = len * 8 + offset;
            let x = mixed_inputs::<T>(len, k as u64);
            let dy = mixed_inputs::<T>(len, k as u64 + 100_000);
            let (lo, hi) = pick(&bounds, k * 7);
            check_elementwise(api, &x, &dy, offset, pick(&alphas, k), lo, hi);
            // One channel (a broadcast scalar), or one row of `len` channels.
            let channels = if k % 2 == 0 { len.min(1) } else { len };
            let slopes = mixed_inputs::<T>(channels, k as u64 + 200_000);
            let bias = mixed_inputs::<T>(channels, k as u64 + 300_000);
            let acc = wide_inits::<T::W>(channels, k);
            check_channels(api, &x, &dy, &slopes, &bias, &acc, offset);
        }
    }
}

/// The special values of `T`.
fn specials<T: TestFloat>() -> Vec<T> {
    special_bits::<T>().into_iter().map(T::from_bits).collect()
}

/// Leaky ReLU and its gradient for every special slope, on every special
/// value (every pair of specials for the gradient) and random patterns.
pub fn check_special_alphas<T: FamilyFloat>(api: Api) {
    let specials = specials::<T>();
    let n = specials.len();
    let (x, dy) = if MIRI {
        let mut dy = specials.clone();
        dy.rotate_left(5);
        (specials, dy)
    } else {
        let mut x: Vec<T> = specials
            .iter()
            .flat_map(|&v| std::iter::repeat_n(v, n))
            .collect();
        let mut dy: Vec<T> = (0..n).flat_map(|_| specials.iter().copied()).collect();
        x.extend(mixed_inputs::<T>(40, 7));
        dy.extend(mixed_inputs::<T>(40, 8));
        (x, dy)
    };
    let six = from_f32::<T>(6.0);
    let mut alphas = special_alphas();
    if MIRI {
        alphas = vec![f32::NAN];
    }
    for (i, alpha) in alphas.into_iter().enumerate() {
        check_elementwise(api, &x, &dy, i % OFFSETS, alpha, zero(), six);
    }
}

/// Clamp, in and out of place, and its gradient, for every ordered pair of
/// special bounds (a few under Miri).
pub fn check_special_bounds<T: FamilyFloat>(api: Api) {
    let mut x = specials::<T>();
    x.extend(bound_values::<T>());
    x.extend(mixed_inputs::<T>(if MIRI { 0 } else { 24 }, 9));
    let dy = mixed_inputs::<T>(x.len(), 10);
    let bounds = ordered_bounds::<T>();
    let step = if MIRI { bounds.len() / 2 } else { 1 };
    for (i, (lo, hi)) in bounds.into_iter().enumerate().step_by(step) {
        let ctx = Ctx::new::<T>(api, x.len(), 0, move || {
            format!("lo {}, hi {}", b(lo), b(hi))
        });
        let x_of = |i: usize| format!("x {}", b(x[i]));
        let want: Vec<T> = x.iter().map(|&v| ref_clamp(v, lo, hi)).collect();
        let mut dst = vec![T::from_bits(T::ONE); x.len()];
        api.clamp(&x, &mut dst, lo, hi);
        ctx.same("clamp", &dst, &want, x_of);
        let mut buf = x.clone();
        api.clamp_inplace(&mut buf, lo, hi);
        ctx.same("clamp_inplace", &buf, &want, x_of);
        let want = map2(&x, &dy, |v, d| ref_clamp_backward(v, d, lo, hi));
        api.clamp_backward(&x, &dy, &mut dst, lo, hi);
        ctx.same("clamp_backward", &dst, &want, |i| {
            format!("x {}, dy {}", b(x[i]), b(dy[i]))
        });
        if i % 16 == 0 && !MIRI {
            // Also through the full guarded check, at an offset.
            check_elementwise(api, &x, &dy, i % OFFSETS, 0.5, lo, hi);
        }
    }
}

/// PReLU and bias + ReLU with every special value as slope and bias, against
/// every special value as input (rows of specials across channels of
/// specials), with every kind of initial accumulator.
pub fn check_special_broadcast<T: FamilyFloat>(api: Api) {
    let specials = specials::<T>();
    let mut params = specials.clone();
    params.extend([0.1f32, -2.5, 0.5, 1e-3].map(from_f32::<T>));
    if MIRI {
        params = pick_each(&params, 15, 2);
    }
    let c = params.len();
    // Rows of one special across the channels (under Miri, one row of
    // varied specials), then finite rows.
    let (mut x, finite_rows) = if MIRI {
        (pick_each(&specials, c, 7), 1)
    } else {
        let x: Vec<T> = specials
            .iter()
            .flat_map(|&v| std::iter::repeat_n(v, c))
            .collect();
        (x, 3)
    };
    let special_len = x.len();
    x.extend(finite_inputs::<T>(finite_rows * c, 11, 4.0));
    let mut dy = finite_inputs::<T>(x.len(), 12, 2.0);
    // Special gradients in the first rows too.
    for (i, d) in dy.iter_mut().take(special_len).enumerate() {
        if i % 3 == 0 {
            *d = specials[(i / 3) % specials.len()];
        }
    }
    for seed in 0..if MIRI { 1 } else { 3 } {
        let acc = wide_inits::<T::W>(c, seed);
        check_channels(api, &x, &dy, &params, &params, &acc, seed % OFFSETS);
    }
    if MIRI {
        return;
    }
    // Slopes and biases rotated, so each channel meets other values.
    let mut rotated = params.clone();
    rotated.rotate_left(5);
    let acc = finite_wide_inits::<T::W>(c);
    check_channels(api, &x, &dy, &rotated, &params, &acc, 1);
}

/// `n` elements of `v`, taken with a stride coprime to most lengths.
fn pick_each<V: Copy>(v: &[V], n: usize, stride: usize) -> Vec<V> {
    (0..n).map(|i| v[i * stride % v.len()]).collect()
}

/// The channel counts tried: small ones, ones around the vector widths and
/// around the blocks of eight registers whose sums the kernels keep in
/// registers, and rows of more than half and more than all of the
/// 4096-byte pattern buffer the kernels repeat short rows into. Under Miri,
/// a few small ones and (for `f32` and `f64`) one row of more than 2048
/// bytes.
pub fn channel_counts<T>() -> Vec<usize> {
    let size = size_of::<T>();
    if MIRI {
        vec![1, 3, 9]
    } else {
        vec![
            1,
            2,
            3,
            7,
            16,
            31,
            32,
            33,
            63,
            64,
            65,
            100,
            127,
            128,
            129,
            2048 / size - 1,
            2048 / size + 1,
            4096 / size + 37,
            3000,
        ]
    }
}

/// Row counts for `channels`: one, a few, and enough that the data spans
/// more than two pattern buffers, and more than one 16 KiB block of rows
/// (the kernels walk wide rows in such blocks). Under Miri, two rows (one
/// if long).
pub fn row_counts<T>(channels: usize) -> Vec<usize> {
    if MIRI {
        return vec![if channels > 100 { 1 } else { 2 }];
    }
    let mut rows = vec![1, 2, 3, 5];
    for bytes in [2 * 4096, 16 * 1024] {
        let many = bytes / (channels * size_of::<T>()) + 2;
        if many > 5 && !rows.contains(&many) {
            rows.push(many);
        }
    }
    rows
}

/// Every channel count of [`channel_counts`] with several row counts, once
/// on arbitrary bits and once on finite values whose sums show the order of
/// accumulation.
pub fn check_channel_counts<T: FamilyFloat>(api: Api) {
    for channels in channel_counts::<T>() {
        for rows in row_counts::<T>(channels) {
            let len = channels * rows;
            let k = (channels * 131 + rows) as u64;
            let offset = (channels + rows) % OFFSETS;
            let x = mixed_inputs::<T>(len, k);
            let dy = mixed_inputs::<T>(len, k + 1);
            let slopes = mixed_inputs::<T>(channels, k + 2);
            let bias = mixed_inputs::<T>(channels, k + 3);
            let acc = wide_inits::<T::W>(channels, rows);
            check_channels(api, &x, &dy, &slopes, &bias, &acc, offset);
            if MIRI {
                continue;
            }

            let x = finite_inputs::<T>(len, k + 4, 8.0);
            let dy = finite_inputs::<T>(len, k + 5, 3.0);
            let slopes = finite_inputs::<T>(channels, k + 6, 1.0);
            let bias = finite_inputs::<T>(channels, k + 7, 4.0);
            let acc = finite_wide_inits::<T::W>(channels);
            check_channels(api, &x, &dy, &slopes, &bias, &acc, (offset + 3) % OFFSETS);
        }
    }
    check_long_row_under_miri::<T>(api);
}

/// ReLU with the zero count over more than two of the chunks the SIMD
/// kernels count 16-bit lanes in (65,533 registers each, so that no 16-bit
/// counter wraps): millions of elements, most of them giving `+0`. Only for
/// the 16-bit types, natively (wider lanes never need a second chunk).
pub fn check_long_zero_count<T: FamilyFloat>(api: Api) {
    if MIRI || size_of::<T>() != 2 {
        return;
    }
    // Two AVX-512 chunks of 16-bit lanes and a tail: more for narrower
    // registers.
    let len = 2 * 65_533 * 32 + 777;
    let specials = specials::<T>();
    let x: Vec<T> = (0..len)
        .map(|i| match i % 1000 {
            0 => from_f32(2.5),
            1..=26 => specials[i % 1000 - 1],
            k if k % 2 == 0 => T::from_bits(T::SIGN),
            _ => from_f32(-1.0),
        })
        .collect();
    let want: Vec<T> = x.iter().map(|&v| expected_relu(v)).collect();
    let zeros = want.iter().filter(|v| v.bits() == 0).count();
    let ctx = Ctx::new::<T>(api, len, 0, || "long zero count".to_string());
    let x_of = |i: usize| format!("x {}", b(x[i]));
    let mut out = vec![T::from_bits(T::ONE); len];
    let n = api.relu_count_inactive(&x, &mut out);
    ctx.same("relu_count_inactive", &out, &want, x_of);
    assert_eq!(
        n,
        zeros,
        "MISMATCH {}: zero count",
        ctx.what("relu_count_inactive")
    );
    let mut buf = x.clone();
    let n = api.relu_count_inactive_inplace(&mut buf);
    ctx.same("relu_count_inactive_inplace", &buf, &want, x_of);
    assert_eq!(
        n,
        zeros,
        "MISMATCH {}: zero count",
        ctx.what("relu_count_inactive_inplace")
    );
}

/// Slices past [`PREFETCH_FROM`] bytes, whose outputs the kernels prefetch,
/// through every operation: with few channels (fewer than a register's
/// lanes on most backends), rows within one block of sums (27: at least a
/// register, at most a block, for every type on AVX2 and AVX-512), and rows
/// wider than a block; 27 and 1,501 leave a partial register at the end of
/// each row on every backend. Not under Miri (hours).
pub fn check_long_slices<T: FamilyFloat>(api: Api) {
    if MIRI {
        eprintln!("skipped under Miri: {} MiB slices", PREFETCH_FROM >> 20);
        return;
    }
    for (k, channels) in [3, 27, 1501].into_iter().enumerate() {
        let rows = (PREFETCH_FROM / size_of::<T>()).div_ceil(channels) + 2;
        let len = rows * channels;
        let seed = (k * 10) as u64;
        let x = mixed_inputs::<T>(len, seed);
        let dy = mixed_inputs::<T>(len, seed + 1);
        let slopes = mixed_inputs::<T>(channels, seed + 2);
        let bias = mixed_inputs::<T>(channels, seed + 3);
        let acc = wide_inits::<T::W>(channels, k);
        let (lo, hi) = (from_f32(-1.5), from_f32(6.0));
        check_elementwise(api, &x, &dy, k, 0.1, lo, hi);
        check_channels(api, &x, &dy, &slopes, &bias, &acc, k);
    }
}

/// Under Miri, a row of more than 2048 bytes (which the kernels run row by
/// row, with the per-channel operand read in place), for `f32` only, through
/// the forward operations only.
pub fn check_long_row_under_miri<T: FamilyFloat>(api: Api) {
    if !MIRI || size_of::<T>() != 4 {
        return;
    }
    let channels = 2048 / size_of::<T>() + 1;
    let x = mixed_inputs::<T>(channels, 77);
    let (slopes, bias) = (
        mixed_inputs::<T>(channels, 78),
        mixed_inputs::<T>(channels, 79),
    );
    let ctx = Ctx::new::<T>(api, channels, 1, move || format!("{channels} channels"));
    let src = Guarded::new(&x, 1, IN_GUARD);
    let (slopes_g, bias_g) = (
        Guarded::new(&slopes, 2, IN_GUARD),
        Guarded::new(&bias, 3, IN_GUARD),
    );
    let x_of = |i: usize| format!("x {}", b(x[i]));
    let want = map2(&x, &slopes, |x, s| ref_leaky(x, s.widen()));
    let mut dst = Guarded::<T>::filled(channels, 0, OUT_GUARD);
    api.prelu(src.body(), dst.body_mut(), slopes_g.body());
    dst.check(|| ctx.what("prelu"));
    ctx.same("prelu", dst.body(), &want, x_of);
    let want = map2(&x, &bias, ref_bias_relu);
    let mut buf = Guarded::new(&x, 1, OUT_GUARD);
    api.bias_relu_inplace(buf.body_mut(), bias_g.body());
    buf.check(|| ctx.what("bias_relu_inplace"));
    ctx.same("bias_relu_inplace", buf.body(), &want, x_of);
}

/// Every bit pattern of a 16-bit type (as `x`, and permuted as `dy`, slope
/// and bias), or 65,536 random ones of a wider type, through every operation
/// with a few parameters. Under Miri, the special values only.
pub fn check_sweep<T: FamilyFloat>(api: Api) {
    let sixteen = T::SIGN == 1 << 15;
    let x: Vec<T> = if MIRI {
        pick_each(&specials::<T>(), 13, 2)
    } else if sixteen {
        (0..=u16::MAX as u64).map(T::from_bits).collect()
    } else {
        mixed_inputs(1 << 16, 4242)
    };
    let n = x.len();
    // A bijection of the 16-bit patterns, so `dy` takes every value too.
    let permuted = |mul: u64, add: u64| -> Vec<T> {
        if sixteen && !MIRI {
            (0..n as u64)
                .map(|i| T::from_bits((i * mul + add) & 0xFFFF))
                .collect()
        } else {
            mixed_inputs(n, mul ^ add)
        }
    };
    let dy = permuted(0x9E37, 0x3C01);
    let ctx = |params: String| Ctx::new::<T>(api, n, 0, move || format!("sweep, {params}"));
    let x_of = |i: usize| format!("x {}", b(x[i]));
    let x_dy_of = |i: usize| format!("x {}, dy {}", b(x[i]), b(dy[i]));
    let mut out = vec![T::from_bits(T::ONE); n];

    let want: Vec<T> = x.iter().map(|&v| expected_relu(v)).collect();
    let zeros = api.relu_count_inactive(&x, &mut out);
    ctx(String::new()).same("relu_count_inactive", &out, &want, x_of);
    assert_eq!(
        zeros,
        want.iter().filter(|v| v.bits() == 0).count(),
        "MISMATCH relu_count_inactive {} on {}: zero count of the sweep",
        T::NAME,
        api.name()
    );

    let alphas: &[f32] = if MIRI { &[0.1] } else { &[0.1, 0.0, -2.5] };
    for &alpha in alphas {
        let a = T::W::from_f32(alpha);
        let c = ctx(format!("alpha {alpha}"));
        let want: Vec<T> = x.iter().map(|&v| ref_leaky(v, a)).collect();
        api.leaky_relu(&x, &mut out, alpha);
        c.same("leaky_relu", &out, &want, x_of);
        let want = map2(&x, &dy, |v, d| ref_leaky_backward(v, d, a));
        api.leaky_relu_backward(&x, &dy, &mut out, alpha);
        c.same("leaky_relu_backward", &out, &want, x_dy_of);
    }
    let mut buf = x.clone();
    api.leaky_relu_inplace(&mut buf, 0.0);
    let want: Vec<T> = x
        .iter()
        .map(|&v| ref_leaky(v, T::W::from_f32(0.0)))
        .collect();
    ctx("alpha 0".into()).same("leaky_relu_inplace", &buf, &want, x_of);

    let (one, six) = (from_f32::<T>(1.0), from_f32::<T>(6.0));
    for (lo, hi) in [(from_f32::<T>(-1.0), one), (zero(), six)] {
        let c = ctx(format!("lo {}, hi {}", b(lo), b(hi)));
        let want: Vec<T> = x.iter().map(|&v| ref_clamp(v, lo, hi)).collect();
        api.clamp(&x, &mut out, lo, hi);
        c.same("clamp", &out, &want, x_of);
        let mut buf = x.clone();
        api.clamp_inplace(&mut buf, lo, hi);
        c.same("clamp_inplace", &buf, &want, x_of);
        let want = map2(&x, &dy, |v, d| ref_clamp_backward(v, d, lo, hi));
        api.clamp_backward(&x, &dy, &mut out, lo, hi);
        c.same("clamp_backward", &out, &want, x_dy_of);
    }
    let c = ctx("relu6".into());
    let want: Vec<T> = x.iter().map(|&v| ref_clamp(v, zero(), six)).collect();
    api.relu6(&x, &mut out);
    c.same("relu6", &out, &want, x_of);
    let want = map2(&x, &dy, |v, d| ref_clamp_backward(v, d, zero(), six));
    api.relu6_backward(&x, &dy, &mut out);
    c.same("relu6_backward", &out, &want, x_dy_of);

    let neg_inf = T::from_bits(T::INF | T::SIGN);
    for bias in [from_f32::<T>(0.5), neg_inf] {
        let c = ctx(format!("bias {}", b(bias)));
        let want: Vec<T> = x.iter().map(|&v| ref_bias_relu(v, bias)).collect();
        api.bias_relu(&x, &[bias], &mut out);
        c.same("bias_relu", &out, &want, x_of);
        let mut buf = x.clone();
        api.bias_relu_inplace(&mut buf, &[bias]);
        c.same("bias_relu_inplace", &buf, &want, x_of);
    }
    // One row of `n` channels: every pattern meets a bias (all patterns).
    let biases = permuted(0x6F4B, 0x1D2);
    let y = map2(&x, &biases, ref_bias_relu);
    api.bias_relu(&x, &biases, &mut out);
    ctx(format!("{n} channels")).same("bias_relu", &out, &y, |i| {
        format!("x {}, bias {}", b(x[i]), b(biases[i]))
    });

    let slope = from_f32::<T>(0.1);
    let want: Vec<T> = x.iter().map(|&v| ref_leaky(v, slope.widen())).collect();
    api.prelu(&x, &mut out, &[slope]);
    ctx(format!("slope {}", b(slope))).same("prelu", &out, &want, x_of);
    let slopes = permuted(0x4E1, 0x7777);
    let want = map2(&x, &slopes, |v, s| ref_leaky(v, s.widen()));
    api.prelu(&x, &mut out, &slopes);
    ctx(format!("{n} channels")).same("prelu", &out, &want, |i| {
        format!("x {}, slope {}", b(x[i]), b(slopes[i]))
    });

    // Backward over one row of `n` channels: one product or term per
    // accumulator, each checked; then with one channel for the slope 0.1.
    let init = wide_inits::<T::W>(n, 3);
    for (slopes, init) in [(slopes, init), (vec![slope], vec![T::W::from_f32(-0.0)])] {
        let c = ctx(format!("{} channels", slopes.len()));
        let mut want_acc = init.clone();
        let want = ref_prelu_backward(&x, &dy, &slopes, &mut want_acc);
        let mut acc = init.clone();
        api.prelu_backward(&x, &dy, &mut out, &slopes, T::lib(&mut acc));
        c.same("prelu_backward", &out, &want, |i| {
            format!(
                "x {}, dy {}, slope {}",
                b(x[i]),
                b(dy[i]),
                b(slopes[i % slopes.len()])
            )
        });
        c.same_wide("prelu_backward", &acc, &want_acc, &init);
    }
    let init = wide_inits::<T::W>(n, 5);
    for y in [&x, &y] {
        let c = ctx(format!("{n} channels"));
        let mut want_acc = init.clone();
        let want = ref_bias_relu_backward(y, &dy, &mut want_acc);
        let mut acc = init.clone();
        api.bias_relu_backward(y, &dy, &mut out, T::lib(&mut acc));
        c.same("bias_relu_backward", &out, &want, |i| {
            format!("y {}, dy {}", b(y[i]), b(dy[i]))
        });
        c.same_wide("bias_relu_backward", &acc, &want_acc, &init);
    }
}

// ---------------------------------------------------------------------------
// Property tests.

/// An `f32` slope: arbitrary bits, or a special one.
pub fn alpha_strategy() -> impl Strategy<Value = f32> {
    prop_oneof![
        2 => any::<u32>().prop_map(f32::from_bits),
        1 => proptest::sample::select(special_alphas()),
    ]
}

/// Valid clamp bounds: arbitrary or special non-NaN values, ordered, equal
/// now and then.
pub fn bounds_strategy<T: FamilyFloat>() -> impl Strategy<Value = (T, T)> {
    prop_oneof![
        3 => (element::<T>(), element::<T>()),
        2 => (
            proptest::sample::select(bound_values::<T>()),
            proptest::sample::select(bound_values::<T>())
        ),
        1 => element::<T>().prop_map(|v| (v, v)),
    ]
    .prop_filter("NaN bound", |&(a, b)| !is_nan(a) && !is_nan(b))
    .prop_map(|(a, b)| if total_less(b, a) { (b, a) } else { (a, b) })
}

/// An accumulator value: arbitrary bits, or a special one.
pub fn wide_element<W: WideFloat>() -> impl Strategy<Value = W> {
    prop_oneof![
        2 => any::<u64>().prop_map(W::from_bits64),
        1 => proptest::sample::select(wide_specials::<W>()),
    ]
}

/// A runner with [`proptest_config`] (a single case under Miri), its
/// failures saved next to `file`.
fn runner(file: &'static str) -> TestRunner {
    let mut config = proptest_config();
    config.source_file = Some(file);
    if MIRI {
        config.cases = 1;
        config.max_shrink_iters = 0;
    }
    TestRunner::new(config)
}

/// Element-wise operations on arbitrary bits, offsets and parameters.
pub fn prop_elementwise<T: FamilyFloat>(api: Api, file: &'static str) {
    let strategy = (
        prop::collection::vec(
            (element::<T>(), element::<T>()),
            0..=max_len::<T>() / if MIRI { 4 } else { 1 },
        ),
        0..OFFSETS,
        alpha_strategy(),
        bounds_strategy::<T>(),
    );
    runner(file)
        .run(&strategy, |(pairs, offset, alpha, (lo, hi))| {
            let (x, dy): (Vec<T>, Vec<T>) = pairs.into_iter().unzip();
            check_elementwise(api, &x, &dy, offset, alpha, lo, hi);
            Ok(())
        })
        .unwrap();
}

/// Per-channel operations on arbitrary bits, channel counts, rows, offsets
/// and initial accumulators.
pub fn prop_channels<T: FamilyFloat>(api: Api, file: &'static str) {
    let (max_channels, max_rows): (usize, usize) = if MIRI { (5, 2) } else { (70, 5) };
    let strategy =
        (1..=max_channels, 0..=max_rows, 0..OFFSETS).prop_flat_map(|(channels, rows, offset)| {
            (
                prop::collection::vec((element::<T>(), element::<T>()), channels * rows),
                prop::collection::vec((element::<T>(), element::<T>()), channels),
                prop::collection::vec(wide_element::<T::W>(), channels),
                Just(offset),
            )
        });
    runner(file)
        .run(&strategy, |(data, params, acc, offset)| {
            let (x, dy): (Vec<T>, Vec<T>) = data.into_iter().unzip();
            let (slopes, bias): (Vec<T>, Vec<T>) = params.into_iter().unzip();
            check_channels(api, &x, &dy, &slopes, &bias, &acc, offset);
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------
// Panics.

/// The integers in `s`.
fn numbers(s: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut current: Option<usize> = None;
    for &byte in s.as_bytes().iter().chain(b" ") {
        if byte.is_ascii_digit() {
            let digit = (byte - b'0') as usize;
            current = Some(
                current
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(digit),
            );
        } else if let Some(n) = current.take() {
            found.push(n);
        }
    }
    found
}

thread_local! {
    /// Set while this thread runs code that must panic.
    static EXPECTING_PANIC: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) a panic hook that stays silent for expected panics and
/// passes every other one to the previous hook.
fn quiet_expected_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING_PANIC.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Names an operation of a panic test, formatted only when needed.
pub struct What {
    op: String,
    ty: &'static str,
    api: Api,
}

impl Display for What {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} on {}", self.op, self.ty, self.api.name())
    }
}

/// Runs `f`, expecting a panic whose message names every number of `names`.
#[track_caller]
fn expect_panic(what: impl Display, f: impl FnOnce(), names: &[usize]) {
    quiet_expected_panics();
    EXPECTING_PANIC.with(|e| e.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    EXPECTING_PANIC.with(|e| e.set(false));
    let payload = match result {
        Ok(()) => panic!("{what}: expected a panic"),
        Err(payload) => payload,
    };
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    let found = numbers(&message);
    for n in names {
        assert!(
            found.contains(n),
            "{what}: the panic message {message:?} does not name {n}"
        );
    }
}

/// The bits of the value that outputs hold before a call that must panic.
fn sentinel_bits<T: TestFloat>() -> u64 {
    T::INF | 0x5
}

/// `n` elements of the sentinel value.
fn sentinel<T: TestFloat>(n: usize) -> Vec<T> {
    vec![T::from_bits(sentinel_bits::<T>()); n]
}

/// Asserts that a buffer still holds only the sentinel.
#[track_caller]
fn untouched<T: TestFloat>(what: impl Display, v: &[T]) {
    assert!(
        v.iter().all(|x| x.bits() == sentinel_bits::<T>()),
        "{what}: panicked after writing"
    );
}

#[track_caller]
fn untouched_wide<W: WideFloat>(what: impl Display, v: &[W], init: &[W]) {
    if let Some(c) = (0..v.len()).find(|&c| v[c].bits64() != init[c].bits64()) {
        panic!(
            "MISMATCH {what}: accumulator {c} of {} changed (panicking, or with nothing \
             to add): expected bits {:#x} (unchanged), got bits {:#x}",
            v.len(),
            init[c].bits64(),
            v[c].bits64()
        );
    }
}

/// Under Miri, the first case of each kind only.
fn cases<C: Clone>(all: &[C]) -> Vec<C> {
    all[..if MIRI { 1 } else { all.len() }].to_vec()
}

/// Whether this is the first call for `ty` in this process. Under Miri, the
/// panics are checked once per element type: the checks run in `Activations`'s
/// methods, one function per operation and type whatever the backend, before
/// any kernel, so the other backends and the free functions run the same code.
fn first_for_type(ty: &'static str) -> bool {
    static SEEN: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let first = !seen.contains(&ty);
    seen.push(ty);
    first
}

/// Every panic of the family: mismatched lengths (the message names them),
/// empty or non-dividing per-channel operands, accumulators of the wrong
/// length, NaN or unordered clamp bounds; each before anything is written.
/// And the corner cases that must not panic.
pub fn check_panics<T: FamilyFloat>(api: Api) {
    if MIRI && !first_for_type(T::NAME) {
        eprintln!("Miri: the panics of {} are checked once", T::NAME);
        return;
    }
    let what = |op: &str| What {
        op: op.to_owned(),
        ty: T::NAME,
        api,
    };
    // The values do not matter here; cheap ones keep Miri fast.
    let data = |n: usize| vec![from_f32::<T>(-1.5); n];
    let one = [from_f32::<T>(0.5)];

    // Two lengths that differ: (input, output) both ways.
    for (n, m) in cases(&[(13, 17), (17, 13), (0, 3), (3, 0)]) {
        let src = data(n);
        let mut dst = sentinel::<T>(m);
        expect_panic(
            what("relu_count_inactive"),
            || {
                api.relu_count_inactive(&src, &mut dst);
            },
            &[n, m],
        );
        expect_panic(
            what("leaky_relu"),
            || api.leaky_relu(&src, &mut dst, 0.1),
            &[n, m],
        );
        expect_panic(
            what("clamp"),
            || api.clamp(&src, &mut dst, one[0], one[0]),
            &[n, m],
        );
        expect_panic(what("relu6"), || api.relu6(&src, &mut dst), &[n, m]);
        expect_panic(what("prelu"), || api.prelu(&src, &mut dst, &one), &[n, m]);
        expect_panic(
            what("bias_relu"),
            || api.bias_relu(&src, &one, &mut dst),
            &[n, m],
        );
        untouched(what("two-length ops"), &dst);
    }

    // Three lengths, one of them different.
    for (n, m, k) in cases(&[(13, 17, 13), (13, 13, 17), (17, 13, 13), (13, 0, 13)]) {
        let (x, dy) = (data(n), data(m));
        let mut dx = sentinel::<T>(k);
        let names = [13, if n.min(m).min(k) == 0 { 0 } else { 17 }];
        expect_panic(
            what("leaky_relu_backward"),
            || api.leaky_relu_backward(&x, &dy, &mut dx, 0.1),
            &names,
        );
        expect_panic(
            what("clamp_backward"),
            || api.clamp_backward(&x, &dy, &mut dx, zero(), one[0]),
            &names,
        );
        expect_panic(
            what("relu6_backward"),
            || api.relu6_backward(&x, &dy, &mut dx),
            &names,
        );
        let init = [T::W::from_f32(2.0)];
        let mut acc = init;
        expect_panic(
            what("prelu_backward"),
            || api.prelu_backward(&x, &dy, &mut dx, &one, T::lib(&mut acc)),
            &names,
        );
        untouched_wide(what("prelu_backward"), &acc, &init);
        expect_panic(
            what("bias_relu_backward"),
            || api.bias_relu_backward(&x, &dy, &mut dx, T::lib(&mut acc)),
            &names,
        );
        untouched_wide(what("bias_relu_backward"), &acc, &init);
        untouched(what("three-length ops"), &dx);
    }

    // Per-channel operands that do not fit the data: not dividing it, or
    // empty for non-empty data.
    for (n, c) in cases(&[(26, 7), (26, 4), (13, 0), (3, 5), (1, 2)]) {
        let (x, dy, params) = (data(n), data(n), data(c));
        let init = wide_inits::<T::W>(c, 1);
        let mut dst = sentinel::<T>(n);
        expect_panic(
            what("prelu (channels)"),
            || api.prelu(&x, &mut dst, &params),
            &[n, c],
        );
        expect_panic(
            what("bias_relu (channels)"),
            || api.bias_relu(&x, &params, &mut dst),
            &[n, c],
        );
        let mut acc = init.clone();
        expect_panic(
            what("prelu_backward (channels)"),
            || api.prelu_backward(&x, &dy, &mut dst, &params, T::lib(&mut acc)),
            &[n, c],
        );
        untouched_wide(what("prelu_backward (channels)"), &acc, &init);
        expect_panic(
            what("bias_relu_backward (channels)"),
            || api.bias_relu_backward(&x, &dy, &mut dst, T::lib(&mut acc)),
            &[n, c],
        );
        untouched_wide(what("bias_relu_backward (channels)"), &acc, &init);
        untouched(what("per-channel ops"), &dst);
        let mut buf = sentinel::<T>(n);
        expect_panic(
            what("prelu_inplace (channels)"),
            || api.prelu_inplace(&mut buf, &params),
            &[n, c],
        );
        expect_panic(
            what("bias_relu_inplace (channels)"),
            || api.bias_relu_inplace(&mut buf, &params),
            &[n, c],
        );
        untouched(what("per-channel ops in place"), &buf);
    }

    // Accumulators for the wrong number of slopes.
    let wrong = [
        (26, 13, 2),
        (26, 13, 0),
        (26, 13, 26),
        (0, 3, 4),
        (0, 0, 1),
        (6, 3, 1),
    ];
    for (n, c, d) in cases(&wrong) {
        let (x, dy, slopes) = (data(n), data(n), data(c));
        let init = wide_inits::<T::W>(d, 3);
        let mut acc = init.clone();
        let mut dx = sentinel::<T>(n);
        expect_panic(
            what("prelu_backward (dslopes)"),
            || api.prelu_backward(&x, &dy, &mut dx, &slopes, T::lib(&mut acc)),
            &[c, d],
        );
        untouched(what("prelu_backward (dslopes)"), &dx);
        untouched_wide(what("prelu_backward (dslopes)"), &acc, &init);
    }

    // NaN or unordered clamp bounds.
    let nans: Vec<T> = specials::<T>().into_iter().filter(|&v| is_nan(v)).collect();
    let (neg_one, pos_one) = (from_f32::<T>(-1.0), from_f32::<T>(1.0));
    let mut bad = vec![
        (zero(), T::from_bits(T::SIGN)), // +0 > -0
        (pos_one, neg_one),
        (T::from_bits(T::INF), T::from_bits(T::INF | T::SIGN)),
        (T::from_bits(1), zero()),
        (zero(), T::from_bits(1 | T::SIGN)),
    ];
    for &nan in &nans[..if MIRI { 1 } else { nans.len() }] {
        bad.extend([(nan, pos_one), (neg_one, nan), (nan, nan)]);
    }
    if MIRI {
        bad.drain(1..5);
        bad.truncate(2);
    }
    for (lo, hi) in bad {
        let w = what(&format!("clamp with lo {}, hi {}", b(lo), b(hi)));
        let (x, dy) = (data(9), data(9));
        let mut out = sentinel::<T>(9);
        expect_panic(&w, || api.clamp(&x, &mut out, lo, hi), &[]);
        expect_panic(&w, || api.clamp_backward(&x, &dy, &mut out, lo, hi), &[]);
        untouched(&w, &out);
        let mut buf = sentinel::<T>(9);
        expect_panic(&w, || api.clamp_inplace(&mut buf, lo, hi), &[]);
        untouched(&w, &buf);
    }

    // Fine: empty data with empty or any per-channel operands (accumulators
    // unchanged, except that NaNs come back canonical), and equal bounds.
    let e: [T; 0] = [];
    for c in [0, 1, 3] {
        let params = data(c);
        let init: Vec<T::W> = wide_inits::<T::W>(c + 14, 3)[14..].to_vec();
        let init = if c == 3 {
            // A zero of each sign and a signalling NaN.
            vec![
                T::W::from_f32(-0.0),
                T::W::from_f32(0.0),
                T::W::from_bits64(T::W::OTHER_NANS[1]),
            ]
        } else {
            init
        };
        api.prelu(&e, &mut [], &params);
        api.prelu_inplace(&mut [], &params);
        api.bias_relu(&e, &params, &mut []);
        api.bias_relu_inplace(&mut [], &params);
        let mut acc = init.clone();
        // Nothing is added, but NaN sums still come back canonical.
        let mut canonical = init.clone();
        canon_all(&mut canonical);
        api.prelu_backward(&e, &e, &mut [], &params, T::lib(&mut acc));
        untouched_wide(what("prelu_backward of nothing"), &acc, &canonical);
        let mut acc = init.clone();
        api.bias_relu_backward(&e, &e, &mut [], T::lib(&mut acc));
        untouched_wide(what("bias_relu_backward of nothing"), &acc, &canonical);
    }
    assert_eq!(api.relu_count_inactive(&e, &mut []), 0);
    assert_eq!(api.relu_count_inactive_inplace::<T>(&mut []), 0);
    api.leaky_relu(&e, &mut [], f32::NAN);
    api.leaky_relu_inplace::<T>(&mut [], 0.1);
    api.leaky_relu_backward(&e, &e, &mut [], 0.1);
    api.relu6(&e, &mut []);
    api.relu6_inplace::<T>(&mut []);
    api.relu6_backward(&e, &e, &mut []);
    let neg_zero = T::from_bits(T::SIGN);
    for (lo, hi) in [
        (zero(), zero()),
        (neg_zero, neg_zero),
        (neg_zero, zero()),
        (pos_one, pos_one),
    ] {
        api.clamp(&e, &mut [], lo, hi);
        api.clamp_inplace::<T>(&mut [], lo, hi);
        api.clamp_backward(&e, &e, &mut [], lo, hi);
    }
}
