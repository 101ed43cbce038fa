//! The inputs of the checks: special values, pseudo-random and finite
//! patterns, parameters, the lengths, offsets and channel counts tried, and
//! the proptest strategies.

use super::floats::{TestFloat, WideFloat, width_mask};
use super::oracle::{from_f32, is_nan, total_less, zero};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

/// Under Miri, which runs this code thousands of times slower, the sizes and
/// counts below shrink to what exercises each code path once or twice.
pub const MIRI: bool = cfg!(miri);

/// The special values of `T`.
pub fn specials<T: TestFloat>() -> Vec<T> {
    special_bits::<T>().into_iter().map(T::from_bits).collect()
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
    (if MIRI { 64 } else { MAX_TEST_BYTES }) / size_of::<T>()
}

/// Bytes from which the kernels start their loop at the first aligned
/// output address (shorter slices run their registers from the start), and
/// from which they prefetch an output that is none of the inputs.
pub use relu_simd::thresholds::{ALIGN_FROM, PREFETCH_FROM};

/// The lengths tried: all up to [`MAX_TEST_BYTES`], and all from a vector
/// below [`ALIGN_FROM`] to [`MAX_TEST_BYTES`] above it. Under Miri, every
/// tail of a 32-byte register (a few for the 16-bit types, whose arithmetic
/// Miri runs lane by lane in software), two registers and a tail, and the
/// unrolled loop of the 32-byte backends with a tail.
pub fn test_lengths<T>() -> Vec<usize> {
    let size = size_of::<T>();
    if MIRI {
        let r = 32 / size;
        let short: Vec<usize> = if size == 2 {
            vec![0, 1, 5, 9, r]
        } else {
            (0..=r).collect()
        };
        let unrolled = if size == 2 {
            vec![]
        } else {
            vec![(5 * 32 + 4) / size]
        };
        short
            .into_iter()
            .chain([2 * r + 3])
            .chain(unrolled)
            .collect()
    } else {
        let aligned = (ALIGN_FROM - 64) / size..=(ALIGN_FROM + MAX_TEST_BYTES) / size;
        (0..=MAX_TEST_BYTES / size).chain(aligned).collect()
    }
}

/// Element offsets tried for each length (fewer under Miri).
pub const OFFSETS: usize = if MIRI { 2 } else { 8 };

/// 256 cases; under Miri 4, and no regression file (Miri isolates the file
/// system).
pub fn proptest_config() -> ProptestConfig {
    if MIRI {
        ProptestConfig {
            cases: 4,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    } else {
        ProptestConfig::with_cases(256)
    }
}

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
        f32::MIN_POSITIVE,           // least normal: leaky ReLU's short form from here
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
pub fn bound_values<T: TestFloat>() -> Vec<T> {
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
pub fn ordered_bounds<T: TestFloat>() -> Vec<(T, T)> {
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
pub fn finite_inputs<T: TestFloat>(len: usize, seed: u64, scale: f32) -> Vec<T> {
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

/// The offsets tried for `len`: every one for short slices, where the first
/// and last registers overlap or the loop hardly runs; two elsewhere; one,
/// varying, under Miri.
pub fn offsets_for<T>(len: usize) -> Vec<usize> {
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

/// `n` elements of `v`, taken with a stride coprime to most lengths.
pub fn pick_each<V: Copy>(v: &[V], n: usize, stride: usize) -> Vec<V> {
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

/// An `f32` slope: arbitrary bits, or a special one.
pub fn alpha_strategy() -> impl Strategy<Value = f32> {
    prop_oneof![
        2 => any::<u32>().prop_map(f32::from_bits),
        1 => proptest::sample::select(special_alphas()),
    ]
}

/// Valid clamp bounds: arbitrary or special non-NaN values, ordered, equal
/// now and then.
pub fn bounds_strategy<T: TestFloat>() -> impl Strategy<Value = (T, T)> {
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
pub fn runner(file: &'static str) -> TestRunner {
    let mut config = proptest_config();
    config.source_file = Some(file);
    if MIRI {
        config.cases = 1;
        config.max_shrink_iters = 0;
    }
    TestRunner::new(config)
}
