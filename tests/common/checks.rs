//! The checks: each runs every operation of the table (or those of one
//! kind) in all its forms on guarded buffers, and compares the results with
//! the oracle bit for bit. `tests/backends.rs` runs them for every backend
//! and element type, and on the free functions.

use super::floats::{TestFloat, WideFloat};
use super::inputs::*;
use super::oracle::{self, from_f32, inactive, zero};
use super::table::{Api, Call, FORMS, Form, Kind, Op, Params, Takes, as_uninit, operations};
use proptest::prelude::*;

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

fn b<T: TestFloat>(x: T) -> String {
    format!("{:#x}", x.bits())
}

/// The parameters, for failure messages.
fn describe<T: TestFloat>(p: &Params<T>) -> String {
    format!(
        "alpha {:#x}, lo {}, hi {}, {} channels",
        p.alpha.bits64(),
        b(p.lo),
        b(p.hi),
        p.channel.len()
    )
}

/// Asserts `got == want` bit for bit, naming the first differing element and
/// its inputs.
#[track_caller]
pub fn same_bits<T: TestFloat>(
    what: &dyn Fn() -> String,
    got: &[T],
    want: &[T],
    inputs: &dyn Fn(usize) -> String,
) {
    assert_eq!(got.len(), want.len(), "{}: lengths differ", what());
    if bytemuck::cast_slice::<T, u8>(got) == bytemuck::cast_slice::<T, u8>(want) {
        return;
    }
    let i = (0..got.len())
        .find(|&i| got[i].bits() != want[i].bits())
        .unwrap();
    panic!(
        "MISMATCH {}: element {i}: inputs {}: expected bits {:#x}, got bits {:#x}",
        what(),
        inputs(i),
        want[i].bits(),
        got[i].bits()
    );
}

/// Asserts per-channel sums equal bit for bit.
#[track_caller]
pub fn same_sums<W: WideFloat>(what: &dyn Fn() -> String, got: &[W], want: &[W], init: &[W]) {
    if let Some(c) = (0..got.len()).find(|&c| got[c].bits64() != want[c].bits64()) {
        panic!(
            "MISMATCH {}: sum of channel {c} of {} (initially {:#x}): \
             expected bits {:#x}, got bits {:#x}",
            what(),
            got.len(),
            init[c].bits64(),
            want[c].bits64(),
            got[c].bits64()
        );
    }
}

/// One set of data and parameters for every operation.
pub struct Case<T: TestFloat> {
    pub x: Vec<T>,
    pub dy: Vec<T>,
    pub p: Params<T>,
    /// Where `x` starts in its buffer, in elements (the other operands
    /// start elsewhere).
    pub offset: usize,
}

impl<T: TestFloat> Case<T> {
    /// Runs every operation of the table on this case.
    pub fn check(&self, api: Api) {
        self.check_ops(api, |_| true);
    }

    /// Runs the operations `which` selects.
    pub fn check_ops(&self, api: Api, which: impl Fn(&Op<T>) -> bool) {
        for op in operations::<T>().iter().filter(|op| which(op)) {
            check_op(api, op, &self.x, &self.dy, &self.p, self.offset);
        }
    }
}

/// Parameters with `channel` (and per-channel sums from `seed`) and the
/// others from the special values by `k`.
pub fn params<T: TestFloat>(k: usize, channel: Vec<T>) -> Params<T> {
    let alphas = special_alphas();
    let bounds = ordered_bounds::<T>();
    let (lo, hi) = bounds[k * 7 % bounds.len()];
    Params {
        alpha: T::W::from_f32(alphas[k % alphas.len()]),
        lo,
        hi,
        sums: wide_inits::<T::W>(channel.len(), k),
        channel,
    }
}

/// Runs `op` in every form on `x` (and `dy`) placed at `offset` of guarded
/// buffers (`Form::Uninit` into a fresh allocation of exactly the length, its
/// inputs copied into exact allocations too, so that a read or write past
/// an end is caught by AddressSanitizer and Miri), and checks the outputs,
/// the sums, the zero count and the guards against the oracle.
pub fn check_op<T: TestFloat>(
    api: Api,
    op: &Op<T>,
    x: &[T],
    dy: &[T],
    p: &Params<T>,
    offset: usize,
) {
    let len = x.len();
    assert!(dy.len() == len && p.sums.len() == p.channel.len());
    let mut want_sums = p.sums.clone();
    let want = (op.want)(x, dy, p, &mut want_sums);
    let channels = p.channel.len().max(1);
    let inputs = |i: usize| {
        let channel = if op.takes == Takes::Channel || op.takes == Takes::ChannelAndSums {
            format!(", channel value {}", b(p.channel[i % channels]))
        } else {
            String::new()
        };
        format!(
            "x {}, dy {}{channel} (channel {})",
            b(x[i]),
            b(dy[i]),
            i % channels
        )
    };
    let out_off = out_offset(offset);
    let src = Guarded::new(x, offset, IN_GUARD);
    let dys = Guarded::new(dy, out_off, IN_GUARD);
    let channel = Guarded::new(&p.channel, (offset + 1) % OFFSETS, IN_GUARD);
    let sums_off = (offset + 2) % 3;
    for form in FORMS {
        let what = || {
            format!(
                "{} {} on {} ({}, len {len}, offset {offset})",
                op.form_name(form),
                T::NAME,
                api.name(),
                describe(p)
            )
        };
        let (got, got_sums, n) = if form == Form::Uninit {
            let (x, dy, channel, mut sums) =
                (x.to_vec(), dy.to_vec(), p.channel.clone(), p.sums.clone());
            let mut out: Vec<T> = Vec::with_capacity(len);
            let n = (op.run)(
                api,
                form,
                Call {
                    x: &x,
                    dy: &dy,
                    out: &mut out.spare_capacity_mut()[..len],
                    p,
                    channel: &channel,
                    sums: &mut sums,
                },
            );
            // SAFETY: the `_uninit` form initialised all `len` elements (it
            // returned them as `&mut [T]`, at this address: `run` checks).
            unsafe { out.set_len(len) };
            (out, sums, n)
        } else {
            let mut out = match (form, op.kind) {
                (Form::Main, _) => Guarded::filled(len, out_off, OUT_GUARD),
                (_, Kind::Backward) => Guarded::new(dy, out_off, OUT_GUARD),
                _ => Guarded::new(x, offset, OUT_GUARD),
            };
            let mut sums = Guarded::new(&p.sums, sums_off, OUT_GUARD);
            let n = (op.run)(
                api,
                form,
                Call {
                    x: src.body(),
                    dy: dys.body(),
                    out: as_uninit(out.body_mut()),
                    p,
                    channel: channel.body(),
                    sums: sums.body_mut(),
                },
            );
            out.check(what);
            sums.check(|| format!("{} (sums)", what()));
            (out.body().to_vec(), sums.body().to_vec(), n)
        };
        same_bits(&what, &got, &want, &inputs);
        same_sums(&what, &got_sums, &want_sums, &p.sums);
        if op.kind == Kind::Count {
            assert_eq!(n, inactive(&want), "MISMATCH {}: zero count", what());
        }
    }
}

/// Every length of [`test_lengths`], at the offsets of [`offsets_for`],
/// through every operation, with parameters and channel counts that vary by
/// length; at one offset also on ReLU's output (gradients from `y`; not
/// under Miri, where the inputs of the other checks include such values).
pub fn check_lengths_and_offsets<T: TestFloat>(api: Api) {
    for len in test_lengths::<T>() {
        for (j, offset) in offsets_for::<T>(len).into_iter().enumerate() {
            let k = len * 8 + offset;
            // One channel (a broadcast scalar), or one row of `len` channels.
            let channels = if k % 2 == 0 { len.min(1) } else { len };
            let mut case = Case {
                x: mixed_inputs::<T>(len, k as u64),
                dy: mixed_inputs::<T>(len, k as u64 + 100_000),
                p: params(k, mixed_inputs::<T>(channels, k as u64 + 200_000)),
                offset,
            };
            case.check(api);
            if j == 0 && !MIRI {
                // ReLU's output as the input: the gradients from `y`, and
                // ReLU idempotent.
                case.x = oracle::each(&case.x, oracle::relu);
                case.check(api);
            }
        }
    }
}

/// Every pair of special values as `x` and `dy` (and random patterns),
/// through every operation, once for every special slope.
pub fn check_special_values<T: TestFloat>(api: Api) {
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
    let alphas = if MIRI {
        vec![f32::NAN]
    } else {
        special_alphas()
    };
    for (i, alpha) in alphas.into_iter().enumerate() {
        let a = T::W::from_f32(alpha);
        let p = Params {
            alpha: a,
            lo: zero(),
            hi: oracle::six(),
            channel: vec![T::round(a)],
            sums: wide_inits::<T::W>(1, i),
        };
        Case {
            x: x.clone(),
            dy: dy.clone(),
            p,
            offset: i % OFFSETS,
        }
        .check(api);
    }
}

/// The operations with bounds, for every ordered pair of special bounds (a
/// few under Miri).
pub fn check_special_bounds<T: TestFloat>(api: Api) {
    let mut x = specials::<T>();
    x.extend(bound_values::<T>());
    x.extend(mixed_inputs::<T>(if MIRI { 0 } else { 24 }, 9));
    let dy = mixed_inputs::<T>(x.len(), 10);
    let bounds = ordered_bounds::<T>();
    let step = if MIRI { bounds.len() / 2 } else { 1 };
    for (i, (lo, hi)) in bounds.into_iter().enumerate().step_by(step) {
        let p = Params {
            lo,
            hi,
            ..params(i, vec![])
        };
        let case = Case {
            x: x.clone(),
            dy: dy.clone(),
            p,
            offset: i % OFFSETS,
        };
        case.check_ops(api, |op| op.takes == Takes::Bounds);
    }
}

/// Every special value as slope and bias, against every special value as
/// input (rows of specials across channels of specials), with every kind of
/// initial sum.
pub fn check_special_channels<T: TestFloat>(api: Api) {
    let specials = specials::<T>();
    let mut values = specials.clone();
    values.extend([0.1f32, -2.5, 0.5, 1e-3].map(from_f32::<T>));
    if MIRI {
        values = pick_each(&values, 15, 2);
    }
    let c = values.len();
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
    let channel_ops = |op: &Op<T>| op.takes.channels();
    for seed in 0..if MIRI { 1 } else { 3 } {
        let p = Params {
            sums: wide_inits::<T::W>(c, seed),
            ..params(seed, values.clone())
        };
        Case {
            x: x.clone(),
            dy: dy.clone(),
            p,
            offset: seed % OFFSETS,
        }
        .check_ops(api, channel_ops);
    }
    if MIRI {
        return;
    }
    // Rotated, so each channel meets other values; finite sums.
    let mut rotated = values.clone();
    rotated.rotate_left(5);
    let p = Params {
        sums: finite_wide_inits::<T::W>(c),
        ..params(3, rotated)
    };
    Case {
        x,
        dy,
        p,
        offset: 1,
    }
    .check_ops(api, channel_ops);
}

/// Every channel count of [`channel_counts`] with several row counts, once
/// on arbitrary bits and once on finite values whose sums show the order of
/// accumulation. Under Miri, also a row of more than 2048 bytes (which the
/// kernels run row by row, with the per-channel operand read in place), for
/// `f32` only, through the forward operations only.
pub fn check_channel_counts<T: TestFloat>(api: Api) {
    let channel_ops = |op: &Op<T>| op.takes.channels();
    for channels in channel_counts::<T>() {
        for rows in row_counts::<T>(channels) {
            let len = channels * rows;
            let k = (channels * 131 + rows) as u64;
            let offset = (channels + rows) % OFFSETS;
            let p = params(k as usize, mixed_inputs::<T>(channels, k + 2));
            let case = Case {
                x: mixed_inputs::<T>(len, k),
                dy: mixed_inputs::<T>(len, k + 1),
                p,
                offset,
            };
            case.check_ops(api, channel_ops);
            if MIRI {
                continue;
            }
            let p = Params {
                sums: finite_wide_inits::<T::W>(channels),
                ..params(k as usize, finite_inputs::<T>(channels, k + 6, 1.0))
            };
            let x = finite_inputs::<T>(len, k + 4, 8.0);
            let dy = finite_inputs::<T>(len, k + 5, 3.0);
            Case {
                x,
                dy,
                p,
                offset: (offset + 3) % OFFSETS,
            }
            .check_ops(api, channel_ops);
        }
    }
    if MIRI && size_of::<T>() == 4 {
        let channels = 2048 / size_of::<T>() + 1;
        let p = params(1, mixed_inputs::<T>(channels, 78));
        let case = Case {
            x: mixed_inputs::<T>(channels, 77),
            dy: vec![zero(); channels],
            p,
            offset: 1,
        };
        case.check_ops(api, |op| {
            op.kind == Kind::Forward && op.takes == Takes::Channel
        });
    }
}

/// The zero count over more than two of the chunks the SIMD kernels count
/// 16-bit lanes in (65,533 registers each, so that no 16-bit counter
/// wraps): millions of elements, most of them giving `+0`. Only for the
/// 16-bit types, natively (wider lanes never need a second chunk).
pub fn check_long_zero_count<T: TestFloat>(api: Api) {
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
    let case = Case {
        dy: x.clone(),
        x,
        p: params(0, vec![]),
        offset: 0,
    };
    case.check_ops(api, |op| op.kind == Kind::Count);
}

/// Slices past [`PREFETCH_FROM`] bytes, whose outputs the kernels prefetch
/// on the CPUs without a rule of their own, through every operation: with
/// few channels (fewer than a register's lanes on most backends), rows within one block of sums (27: at least a
/// register, at most a block, for every type on AVX2 and AVX-512), and rows
/// wider than a block; 27 and 1,501 leave a partial register at the end of
/// each row on every backend. Not under Miri (hours).
pub fn check_long_slices<T: TestFloat>(api: Api) {
    if MIRI {
        eprintln!("skipped under Miri: {} MiB slices", PREFETCH_FROM >> 20);
        return;
    }
    for (k, channels) in [3, 27, 1501].into_iter().enumerate() {
        let rows = (PREFETCH_FROM / size_of::<T>()).div_ceil(channels) + 2;
        let len = rows * channels;
        let seed = (k * 10) as u64;
        let p = Params {
            alpha: T::W::from_f32(0.1),
            lo: from_f32(-1.5),
            hi: oracle::six(),
            ..params(k, mixed_inputs::<T>(channels, seed + 2))
        };
        Case {
            x: mixed_inputs::<T>(len, seed),
            dy: mixed_inputs::<T>(len, seed + 1),
            p,
            offset: k * 3,
        }
        .check(api);
    }
}

/// Every bit pattern of a 16-bit type (as `x`, and permuted as `dy` and as
/// the per-channel values of one long row), or 262,144 random ones of a
/// wider type, through every operation with three sets of parameters. Under
/// Miri, the special values only.
pub fn check_sweep<T: TestFloat>(api: Api) {
    let sixteen = T::SIGN == 1 << 15;
    let x: Vec<T> = if MIRI {
        pick_each(&specials::<T>(), 13, 2)
    } else if sixteen {
        (0..=u16::MAX as u64).map(T::from_bits).collect()
    } else {
        mixed_inputs(1 << 18, 4242)
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
    let one = from_f32::<T>(1.0);
    let sets = [
        (0.1, (from_f32(-1.0), one), vec![from_f32(0.5)]),
        (
            0.0,
            (zero(), oracle::six()),
            vec![T::from_bits(T::INF | T::SIGN)],
        ),
        (-2.5, (from_f32(-1.0), one), permuted(0x6F4B, 0x1D2)),
    ];
    for (k, (alpha, (lo, hi), channel)) in
        sets.into_iter().enumerate().take(if MIRI { 1 } else { 3 })
    {
        let p = Params {
            alpha: T::W::from_f32(alpha),
            lo,
            hi,
            sums: wide_inits::<T::W>(channel.len(), k),
            channel,
        };
        Case {
            x: x.clone(),
            dy: dy.clone(),
            p,
            offset: k,
        }
        .check(api);
    }
}

/// An `f32` slope: arbitrary bits, or a special one.
fn alpha_strategy() -> impl Strategy<Value = f32> {
    prop_oneof![
        2 => any::<u32>().prop_map(f32::from_bits),
        1 => proptest::sample::select(special_alphas()),
    ]
}

/// Every operation on arbitrary bits: data of one channel or of several
/// rows of up to 70 channels, arbitrary parameters, sums and offsets.
pub fn prop_every_operation<T: TestFloat>(api: Api, file: &'static str) {
    let (max_channels, max_rows): (usize, usize) = if MIRI { (5, 2) } else { (70, 5) };
    let shape = prop_oneof![
        (Just(1), 0..=max_len::<T>() / if MIRI { 4 } else { 1 }),
        (1..=max_channels, 0..=max_rows),
    ];
    let strategy = (shape, 0..OFFSETS, alpha_strategy(), bounds_strategy::<T>()).prop_flat_map(
        |((channels, rows), offset, alpha, bounds)| {
            (
                prop::collection::vec((element::<T>(), element::<T>()), channels * rows),
                prop::collection::vec((element::<T>(), wide_element::<T::W>()), channels),
                Just((offset, alpha, bounds)),
            )
        },
    );
    runner(file)
        .run(
            &strategy,
            |(data, per_channel, (offset, alpha, (lo, hi)))| {
                let (x, dy): (Vec<T>, Vec<T>) = data.into_iter().unzip();
                let (channel, sums): (Vec<T>, Vec<T::W>) = per_channel.into_iter().unzip();
                let p = Params {
                    alpha: T::W::from_f32(alpha),
                    lo,
                    hi,
                    channel,
                    sums,
                };
                Case { x, dy, p, offset }.check(api);
                Ok(())
            },
        )
        .unwrap();
}
