//! Shared test machinery: the contract written a third way (from the bit
//! layout, independently of `src/scalar.rs` and of the kernels), input
//! generators, and the per-backend checks that `tests/backends.rs` runs for
//! every backend and element type.
#![allow(dead_code)]

pub mod family;
use proptest::prelude::*;
use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Backend, Element};

/// Expands `$element_tests!(backend, type)` for every backend and element
/// type, in a module per backend: the one list of backends the per-backend
/// tests (`tests/backends.rs`, `tests/family.rs`) run against.
#[allow(unused_macros)] // Not every test crate that includes `common` uses it.
macro_rules! every_backend_and_type {
    ($element_tests:ident) => {
        $crate::common::every_backend_and_type!(@backend $element_tests, scalar, Scalar);
        $crate::common::every_backend_and_type!(@backend $element_tests, portable, Portable);
        $crate::common::every_backend_and_type!(@backend $element_tests, avx2, Avx2);
        $crate::common::every_backend_and_type!(@backend $element_tests, avx512, Avx512);
        $crate::common::every_backend_and_type!(@backend $element_tests, neon, Neon);
        $crate::common::every_backend_and_type!(@backend $element_tests, simd128, Simd128);
    };
    (@backend $element_tests:ident, $module:ident, $backend:ident) => {
        mod $module {
            $element_tests!(relu_simd::Backend::$backend, f32);
            $element_tests!(relu_simd::Backend::$backend, f64);
            $element_tests!(relu_simd::Backend::$backend, f16);
            $element_tests!(relu_simd::Backend::$backend, bf16);
        }
    };
}
#[allow(unused_imports)] // As above.
pub(crate) use every_backend_and_type;

/// A float type seen as its bit layout, for tests.
pub trait TestFloat: Element {
    /// The sign bit.
    const SIGN: u64;
    /// The bits of `+inf`: the exponent field, all ones.
    const INF: u64;
    /// The bits of `1.0`.
    const ONE: u64;
    fn from_bits(bits: u64) -> Self;
    fn bits(self) -> u64;
}

macro_rules! test_float {
    ($t:ty, $uint:ty, one = $one:expr) => {
        impl TestFloat for $t {
            const SIGN: u64 = 1 << (<$uint>::BITS - 1);
            const INF: u64 = <$t>::INFINITY.to_bits() as u64;
            const ONE: u64 = $one.to_bits() as u64;
            fn from_bits(bits: u64) -> Self {
                <$t>::from_bits(bits as $uint)
            }
            fn bits(self) -> u64 {
                self.to_bits() as u64
            }
        }
    };
}
test_float!(f32, u32, one = 1.0f32);
test_float!(f64, u64, one = 1.0f64);
test_float!(f16, u16, one = f16::ONE);
test_float!(bf16, u16, one = bf16::ONE);

/// All ones in the format's width.
pub fn width_mask<T: TestFloat>() -> u64 {
    (T::SIGN << 1).wrapping_sub(1)
}

fn is_nan_bits<T: TestFloat>(b: u64) -> bool {
    b & !T::SIGN & width_mask::<T>() > T::INF
}

/// Whether `x` passes ReLU unchanged: a NaN, or sign clear and not `+0`.
fn passes<T: TestFloat>(x: T) -> bool {
    let b = x.bits();
    is_nan_bits::<T>(b) || (b & T::SIGN == 0 && b != 0)
}

/// The contract: `x` where `x > 0` or NaN, else `+0`.
pub fn expected_relu<T: TestFloat>(x: T) -> T {
    if passes(x) { x } else { T::from_bits(0) }
}

/// The contract's gradient: `dy` where `x > 0` or NaN, else `+0`.
pub fn expected_backward<T: TestFloat>(x: T, dy: T) -> T {
    if passes(x) { dy } else { T::from_bits(0) }
}

/// The values where shortcuts go wrong: both zeros, both infinities, quiet
/// and signalling NaNs of both signs with several payloads, subnormals, the
/// normal range's ends, and ±1.
pub fn special_bits<T: TestFloat>() -> Vec<u64> {
    let mantissa = (T::SIGN - 1) & !T::INF;
    let quiet = (mantissa + 1) >> 1;
    let positive = [
        0,
        1,            // smallest subnormal
        mantissa,     // largest subnormal
        mantissa + 1, // smallest normal
        T::ONE,
        T::INF - 1, // largest finite
        T::INF,
        T::INF | quiet,        // the default quiet NaN
        T::INF | quiet | 1,    // quiet NaN with a payload
        T::INF | mantissa,     // quiet NaN, all payload bits
        T::INF | 1,            // signalling NaN, smallest payload
        T::INF | (quiet - 1),  // signalling NaN, largest payload
        T::INF | (quiet >> 1), // signalling NaN
    ];
    positive.iter().flat_map(|&b| [b, b | T::SIGN]).collect()
}

/// Deterministic inputs: specials mixed with pseudo-random bit patterns.
pub fn mixed_inputs<T: TestFloat>(len: usize, seed: u64) -> Vec<T> {
    let specials = special_bits::<T>();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let bits = if state.is_multiple_of(3) {
                specials[(state >> 8) as usize % specials.len()]
            } else {
                state >> 5
            };
            T::from_bits(bits & width_mask::<T>())
        })
        .collect()
}

/// The proptest strategy for one element: arbitrary bits, specials weighted in.
pub fn element<T: TestFloat>() -> impl Strategy<Value = T> {
    prop_oneof![
        2 => any::<u64>(),
        1 => proptest::sample::select(special_bits::<T>()),
    ]
    .prop_map(|b| T::from_bits(b & width_mask::<T>()))
}

/// Bytes of the longest unrolled step of any backend (4 vectors of 64 bytes),
/// times three, plus one vector: every length up to this covers three full
/// unrolled blocks, single vectors and every tail length on every backend.
pub const MAX_TEST_BYTES: usize = 3 * 4 * 64 + 64;

/// The longest input proptest generates: [`MAX_TEST_BYTES`], or one vector of
/// the widest backend under Miri, which runs far slower.
pub fn max_len<T>() -> usize {
    (if cfg!(miri) { 64 } else { MAX_TEST_BYTES }) / size_of::<T>()
}

/// Bytes from which the kernels start their loop at the first aligned
/// output address (`ALIGN_FROM` in `src/kernel/mod.rs`); shorter slices run
/// their registers from the start.
pub const ALIGN_FROM: usize = 2048;

/// Bytes from which a kernel prefetches an output that is none of its inputs
/// (`PREFETCH_FROM` in `src/kernel/mod.rs`).
pub const PREFETCH_FROM: usize = 4 << 20;

/// A slice past [`PREFETCH_FROM`] bytes, with a tail, at two offsets: every
/// operation against the contract (not under Miri, where it would take hours).
pub fn check_long_slice<T: TestFloat>(backend: Backend) {
    let Some(relu) = handle(backend) else { return };
    if cfg!(miri) {
        eprintln!("skipped under Miri: {} MiB slices", PREFETCH_FROM >> 20);
        return;
    }
    let len = PREFETCH_FROM / size_of::<T>() + 37;
    for offset in [0, 3] {
        let input = mixed_inputs::<T>(len, offset as u64 + 11);
        check_all_operations(relu, &input, offset);
    }
}

/// The lengths tried at every offset: all up to [`MAX_TEST_BYTES`], and all
/// from a vector below [`ALIGN_FROM`] to [`MAX_TEST_BYTES`] above it. Under
/// Miri, all up to one 32-byte vector, then a few that reach the unrolled
/// loop of the 32-byte backends with a tail, and a 64-byte vector and a half.
pub fn test_lengths<T>() -> Vec<usize> {
    let size = size_of::<T>();
    if cfg!(miri) {
        (0..=64 / size)
            .chain([(5 * 32 + 4) / size, (9 * 32 + 2) / size])
            .collect()
    } else {
        let aligned = (ALIGN_FROM - 64) / size..=(ALIGN_FROM + MAX_TEST_BYTES) / size;
        (0..=MAX_TEST_BYTES / size).chain(aligned).collect()
    }
}

/// Element offsets tried for each length (fewer under Miri).
pub const OFFSETS: usize = if cfg!(miri) { 2 } else { 8 };

/// 256 cases; under Miri 4, and no regression file (Miri isolates the file
/// system).
pub fn proptest_config() -> ProptestConfig {
    if cfg!(miri) {
        ProptestConfig {
            cases: 4,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    } else {
        ProptestConfig::with_cases(256)
    }
}

/// Elements kept before and after the slice under test; they must not change.
const GUARD: usize = 8;

pub fn bits_of<T: TestFloat>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.bits()).collect()
}

/// Asserts bit equality, naming the first differing element.
#[track_caller]
pub fn assert_same_bits<T: TestFloat>(what: &str, got: &[T], want: &[T], input: &[T]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    if let Some(i) = (0..got.len()).find(|&i| got[i].bits() != want[i].bits()) {
        panic!(
            "{what}: element {i} of {}: input bits {:#x}, got {:#x}, want {:#x}",
            got.len(),
            input[i].bits(),
            got[i].bits(),
            want[i].bits()
        );
    }
}

/// The backends that `RELU_SIMD_REQUIRE` (comma list) says must run here.
pub fn required_backends() -> Vec<Backend> {
    let list = std::env::var("RELU_SIMD_REQUIRE").unwrap_or_default();
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            name.parse()
                .unwrap_or_else(|_| panic!("RELU_SIMD_REQUIRE names {name:?}, not a backend"))
        })
        .collect()
}

/// The handle of `backend`, or `None` (after saying so) when this CPU lacks it.
/// A backend that `RELU_SIMD_REQUIRE` names must be supported: its tests fail
/// rather than skip.
pub fn handle(backend: Backend) -> Option<Activations> {
    let relu = Activations::new(backend);
    if relu.is_none() {
        assert!(
            !required_backends().contains(&backend),
            "RELU_SIMD_REQUIRE names {backend}, but this CPU does not support it"
        );
        eprintln!("skipped: this CPU does not support {backend}");
    }
    relu
}

/// Runs every operation of `relu` on `input` placed at element `offset` of a
/// guarded buffer, and checks each result against the contract, bit for bit,
/// plus the relations between the operations.
pub fn check_all_operations<T: TestFloat>(relu: Activations, input: &[T], offset: usize) {
    let len = input.len();
    let name = relu.backend();
    let guard = T::from_bits(0x5A5A_5A5A_5A5A_5A5A & width_mask::<T>());
    let expected: Vec<T> = input.iter().map(|&x| expected_relu(x)).collect();
    let dy = mixed_inputs::<T>(len, len as u64 + 77);
    let expected_dx: Vec<T> = input
        .iter()
        .zip(&dy)
        .map(|(&x, &d)| expected_backward(x, d))
        .collect();

    // A buffer with guard elements before (at least `offset`) and after.
    let guarded = |data: &[T]| -> Vec<T> {
        let mut buf = vec![guard; offset + GUARD + len + GUARD];
        buf[offset + GUARD..][..len].copy_from_slice(data);
        buf
    };
    let body = offset + GUARD..offset + GUARD + len;
    let check_guards = |what: &str, buf: &[T]| {
        let mut outside = buf[..body.start].iter().chain(&buf[body.end..]);
        assert!(
            outside.all(|g| g.bits() == guard.bits()),
            "{name} {what} (len {len}, offset {offset}) wrote outside its slice"
        );
    };
    let what = |op: &str| format!("{name} {op} (len {len}, offset {offset})");

    // Out of place.
    let src = guarded(input);
    let mut dst = guarded(&vec![T::from_bits(T::ONE); len]);
    relu.relu(&src[body.clone()], &mut dst[body.clone()]);
    check_guards("relu", &dst);
    assert_same_bits(&what("relu"), &dst[body.clone()], &expected, input);

    // Into uninitialised memory: a fresh allocation, and the guarded buffer.
    let mut fresh = Vec::with_capacity(len);
    let got = relu.relu_uninit(&src[body.clone()], &mut fresh.spare_capacity_mut()[..len]);
    assert_same_bits(&what("relu_uninit (fresh)"), got, &expected, input);
    let mut dst = guarded(&vec![T::from_bits(T::ONE); len]);
    let got = relu.relu_uninit(&src[body.clone()], as_uninit(&mut dst[body.clone()]));
    assert_eq!(
        got.as_ptr(),
        dst[body.clone()].as_ptr(),
        "{}",
        what("relu_uninit")
    );
    check_guards("relu_uninit", &dst);
    assert_same_bits(&what("relu_uninit"), &dst[body.clone()], &expected, input);

    // In place.
    let mut buf = guarded(input);
    relu.relu_inplace(&mut buf[body.clone()]);
    check_guards("relu_inplace", &buf);
    assert_same_bits(&what("relu_inplace"), &buf[body.clone()], &expected, input);

    // Idempotent.
    relu.relu_inplace(&mut buf[body.clone()]);
    assert_same_bits(&what("relu twice"), &buf[body.clone()], &expected, input);

    // Backward from x, out of place and in place.
    let dy_buf = guarded(&dy);
    let mut dx = guarded(&vec![T::from_bits(T::ONE); len]);
    relu.relu_backward(
        &src[body.clone()],
        &dy_buf[body.clone()],
        &mut dx[body.clone()],
    );
    check_guards("relu_backward", &dx);
    assert_same_bits(
        &what("relu_backward"),
        &dx[body.clone()],
        &expected_dx,
        input,
    );
    let mut dx = guarded(&vec![T::from_bits(T::ONE); len]);
    relu.relu_backward_uninit(
        &src[body.clone()],
        &dy_buf[body.clone()],
        as_uninit(&mut dx[body.clone()]),
    );
    check_guards("relu_backward_uninit", &dx);
    assert_same_bits(
        &what("relu_backward_uninit"),
        &dx[body.clone()],
        &expected_dx,
        input,
    );

    let mut dx_inplace = guarded(&dy);
    relu.relu_backward_inplace(&src[body.clone()], &mut dx_inplace[body.clone()]);
    check_guards("relu_backward_inplace", &dx_inplace);
    assert_same_bits(
        &what("relu_backward_inplace"),
        &dx_inplace[body.clone()],
        &expected_dx,
        input,
    );

    // Exact-size allocations, with nothing after the slice: a kernel that
    // reads or writes past the end is caught by AddressSanitizer and Miri.
    let (src_exact, dy_exact) = (input.to_vec(), dy.clone());
    let mut out_exact = vec![T::from_bits(T::ONE); len];
    relu.relu(&src_exact, &mut out_exact);
    assert_same_bits(
        &what("relu, exact allocation"),
        &out_exact,
        &expected,
        input,
    );
    relu.relu_backward(&src_exact, &dy_exact, &mut out_exact);
    assert_same_bits(
        &what("relu_backward, exact allocation"),
        &out_exact,
        &expected_dx,
        input,
    );

    // Backward from the forward output y gives the same dx.
    let mut dx_from_y = guarded(&vec![T::from_bits(T::ONE); len]);
    relu.relu_backward(
        &buf[body.clone()],
        &dy_buf[body.clone()],
        &mut dx_from_y[body.clone()],
    );
    assert_same_bits(
        &what("relu_backward from y"),
        &dx_from_y[body.clone()],
        &expected_dx,
        input,
    );
}

/// Every length of [`test_lengths`] at every element offset below [`OFFSETS`].
pub fn check_every_length_and_offset<T: TestFloat>(backend: Backend) {
    let Some(relu) = handle(backend) else { return };
    for len in test_lengths::<T>() {
        for offset in 0..OFFSETS {
            let input = mixed_inputs::<T>(len, (len * 8 + offset) as u64);
            check_all_operations(relu, &input, offset);
        }
    }
}

/// Every pair of special values, as `x` and `dy`, in one slice per `x`.
pub fn check_special_pairs<T: TestFloat>(backend: Backend) {
    let Some(relu) = handle(backend) else { return };
    let specials: Vec<T> = special_bits::<T>().into_iter().map(T::from_bits).collect();
    let n = specials.len();
    let x: Vec<T> = specials
        .iter()
        .flat_map(|&x| std::iter::repeat_n(x, n))
        .collect();
    let dy: Vec<T> = (0..n).flat_map(|_| specials.iter().copied()).collect();
    let mut y = vec![T::from_bits(T::ONE); x.len()];
    relu.relu(&x, &mut y);
    let want: Vec<T> = x.iter().map(|&v| expected_relu(v)).collect();
    assert_same_bits(&format!("{backend} relu of specials"), &y, &want, &x);
    let mut dx = vec![T::from_bits(T::ONE); x.len()];
    relu.relu_backward(&x, &dy, &mut dx);
    let want: Vec<T> = x
        .iter()
        .zip(&dy)
        .map(|(&a, &d)| expected_backward(a, d))
        .collect();
    assert_same_bits(
        &format!("{backend} relu_backward of specials"),
        &dx,
        &want,
        &x,
    );
}

/// For 16-bit formats, every bit pattern; for wider ones, a million random
/// patterns (100 under Miri). Forward, backward from x and backward from y.
pub fn check_sweep<T: TestFloat>(backend: Backend) {
    let Some(relu) = handle(backend) else { return };
    let x: Vec<T> = if cfg!(miri) {
        mixed_inputs(100, 12345)
    } else if T::SIGN == 1 << 15 {
        (0..=u16::MAX as u64).map(T::from_bits).collect()
    } else {
        mixed_inputs(1 << 20, 12345)
    };
    let dy = mixed_inputs::<T>(x.len(), 999);
    let mut y = vec![T::from_bits(T::ONE); x.len()];
    relu.relu(&x, &mut y);
    let want: Vec<T> = x.iter().map(|&v| expected_relu(v)).collect();
    assert_same_bits(&format!("{backend} relu sweep"), &y, &want, &x);
    let want_dx: Vec<T> = x
        .iter()
        .zip(&dy)
        .map(|(&a, &d)| expected_backward(a, d))
        .collect();
    let mut dx = vec![T::from_bits(T::ONE); x.len()];
    relu.relu_backward(&x, &dy, &mut dx);
    assert_same_bits(&format!("{backend} relu_backward sweep"), &dx, &want_dx, &x);
    relu.relu_backward(&y, &dy, &mut dx);
    assert_same_bits(
        &format!("{backend} relu_backward from y sweep"),
        &dx,
        &want_dx,
        &x,
    );
}

/// `dst` seen as uninitialised memory, for the `_uninit` forms: they only
/// write to it, so the guards and the result can be checked afterwards.
pub fn as_uninit<T: Copy>(dst: &mut [T]) -> &mut [std::mem::MaybeUninit<T>] {
    // SAFETY: `MaybeUninit<T>` has the layout of `T`; the callee writes only
    // initialised `T`s through it, so `dst` stays initialised.
    unsafe { &mut *(dst as *mut [T] as *mut [std::mem::MaybeUninit<T>]) }
}
