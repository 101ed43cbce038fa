//! Differential fuzzing of the ReLU family (count zeros, leaky ReLU, PReLU,
//! clamp, ReLU6, bias + ReLU, and their gradients): every backend this CPU
//! supports against the scalar reference, bit for bit, on arbitrary bit
//! patterns and parameters, for every element type. Outputs are checked out
//! of place and in place, inside guard elements that must not change; the
//! per-channel gradient accumulators (`dslopes`, `dbias`) start from
//! non-trivial values and sit inside guards too. Invalid clamp bounds must
//! panic before anything is written.
//!
//! Input layout (missing bytes read as zero):
//!
//! | bytes | meaning |
//! |-------|---------|
//! | 0     | element type (bits 0-1), `dst` offset (bits 2-4), `src` offset (bits 5-7) |
//! | 1     | operation, modulo the number of operations ([`Op::ALL`]) |
//! | 2     | channels - 1, modulo 48 |
//! | 3     | flags: bit 0 accumulators from raw bits (else small values from one byte each); bit 1 `alpha` from raw bits (else from [`ALPHAS`]); bit 2 swap reversed clamp bounds |
//! | 4-7   | `alpha`: f32 bits (little endian), or its first byte indexes [`ALPHAS`] |
//! | then  | `lo`, `hi` (one element each); `channels` elements of slopes or bias; the accumulators (`channels` wide floats or bytes) |
//! | rest  | elements: `x` (first half) and `dy` (second half); channel ops use the largest whole number of rows |

#![no_main]

use bytemuck::Pod;
use libfuzzer_sys::fuzz_target;
use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Backend, Element, Wide};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};

fuzz_target!(|data: &[u8]| {
    let mut input = Reader(data);
    let head = input.byte();
    match head & 3 {
        0 => check::<f32>(head, &mut input),
        1 => check::<f64>(head, &mut input),
        2 => check::<f16>(head, &mut input),
        _ => check::<bf16>(head, &mut input),
    }
});

/// Leaky ReLU slopes picked by a byte when flag bit 1 is clear.
const ALPHAS: [f32; 12] = [
    0.01,
    0.25,
    0.0,
    -0.0,
    1.0,
    -1.0,
    3.0,
    1e-30,
    1e30,
    f32::INFINITY,
    f32::NAN,
    1.0e-45, // the smallest subnormal
];

const GUARD: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    CountZeros,
    LeakyRelu,
    LeakyReluBackward,
    Prelu,
    PreluBackward,
    Clamp,
    ClampBackward,
    Relu6,
    Relu6Backward,
    BiasRelu,
    BiasReluBackward,
}

impl Op {
    const ALL: [Op; 11] = [
        Op::CountZeros,
        Op::LeakyRelu,
        Op::LeakyReluBackward,
        Op::Prelu,
        Op::PreluBackward,
        Op::Clamp,
        Op::ClampBackward,
        Op::Relu6,
        Op::Relu6Backward,
        Op::BiasRelu,
        Op::BiasReluBackward,
    ];

    /// Whether the slice length must be a whole number of channel rows.
    fn per_channel(self) -> bool {
        matches!(
            self,
            Op::Prelu | Op::PreluBackward | Op::BiasRelu | Op::BiasReluBackward
        )
    }
}

/// The fuzz input, read front to back; past its end it reads zeros.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Vec<u8> {
        let k = n.min(self.0.len());
        let mut v = self.0[..k].to_vec();
        self.0 = &self.0[k..];
        v.resize(n, 0);
        v
    }

    fn byte(&mut self) -> u8 {
        self.take(1)[0]
    }

    fn value<P: Pod>(&mut self) -> P {
        bytemuck::pod_read_unaligned(&self.take(size_of::<P>()))
    }

    fn rest(&mut self) -> &[u8] {
        std::mem::take(&mut self.0)
    }
}

/// One decoded case.
struct Case<T: Element> {
    op: Op,
    alpha: f32,
    lo: T,
    hi: T,
    /// Slopes (PReLU) or bias.
    params: Vec<T>,
    /// Initial `dslopes` / `dbias`.
    acc: Vec<Wide<T>>,
    x: Vec<T>,
    dy: Vec<T>,
    src_offset: usize,
    dst_offset: usize,
}

/// What one backend produced: named buffers (guards included) and counts.
#[derive(Default)]
struct Outcome {
    buffers: Vec<(&'static str, Vec<u8>, usize)>, // name, bytes, element size
    counts: Vec<(&'static str, usize)>,
}

impl Outcome {
    fn buffer<P: Pod>(&mut self, name: &'static str, buf: &[P]) {
        self.buffers
            .push((name, bytemuck::cast_slice(buf).to_vec(), size_of::<P>()));
    }
}

fn guard_value<P: Pod>() -> P {
    bytemuck::pod_read_unaligned(&[0xA5; 16][..size_of::<P>()])
}

/// `data` placed at `offset + GUARD` in a buffer filled with a guard pattern.
fn guarded<P: Pod>(data: &[P], offset: usize) -> Vec<P> {
    let mut buf = vec![guard_value::<P>(); offset + GUARD + data.len() + GUARD];
    buf[offset + GUARD..][..data.len()].copy_from_slice(data);
    buf
}

fn body(offset: usize, n: usize) -> Range<usize> {
    offset + GUARD..offset + GUARD + n
}

fn bits<P: Pod>(v: &[P]) -> &[u8] {
    bytemuck::cast_slice(v)
}

/// Panics unless the guards around `body` still hold the guard pattern.
#[track_caller]
fn assert_guards<P: Pod>(buf: &[P], body: &Range<usize>, what: &str) {
    let g = guard_value::<P>();
    let intact = buf[..body.start]
        .iter()
        .chain(&buf[body.end..])
        .all(|v| bits(std::slice::from_ref(v)) == bits(std::slice::from_ref(&g)));
    assert!(intact, "{what}: a guard element changed");
}

/// Runs `f`, silencing the panic hook, and says whether it panicked.
fn panics(f: impl FnOnce()) -> bool {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let panicked = panic::catch_unwind(AssertUnwindSafe(f)).is_err();
    panic::set_hook(hook);
    panicked
}

fn is_nan<T: Element>(v: T) -> bool {
    #[allow(clippy::eq_op)]
    let nan = v != v;
    nan
}

fn sign_negative<T: Element>(v: T) -> bool {
    bits(std::slice::from_ref(&v)).last().unwrap() & 0x80 != 0
}

/// The documented condition for valid bounds: no NaN, and `lo <= hi` with
/// `-0.0 < +0.0`.
fn valid_bounds<T: Element>(lo: T, hi: T) -> bool {
    if is_nan(lo) || is_nan(hi) || lo > hi {
        return false;
    }
    !(lo == hi && !sign_negative(lo) && sign_negative(hi))
}

fn check<T: Element>(head: u8, input: &mut Reader)
where
    Wide<T>: Pod + From<f32>,
{
    let dst_offset = usize::from(head >> 2) & 7;
    let src_offset = usize::from(head >> 5) & 7;
    let op = Op::ALL[usize::from(input.byte()) % Op::ALL.len()];
    let channels = 1 + usize::from(input.byte()) % 48;
    let flags = input.byte();
    let alpha_bits: [u8; 4] = input.value();
    let alpha = if flags & 2 != 0 {
        f32::from_le_bytes(alpha_bits)
    } else {
        ALPHAS[usize::from(alpha_bits[0]) % ALPHAS.len()]
    };
    let (mut lo, mut hi): (T, T) = (input.value(), input.value());
    if flags & 4 != 0 && lo > hi {
        (lo, hi) = (hi, lo);
    }
    let params: Vec<T> = (0..channels).map(|_| input.value()).collect();
    let acc: Vec<Wide<T>> = (0..channels)
        .map(|_| {
            if flags & 1 != 0 {
                input.value()
            } else {
                Wide::<T>::from(f32::from(input.byte() as i8) / 4.0)
            }
        })
        .collect();

    let elements: Vec<T> = input
        .rest()
        .chunks_exact(size_of::<T>())
        .map(bytemuck::pod_read_unaligned)
        .collect();
    let mut n = elements.len() / 2;
    if op.per_channel() {
        n -= n % channels;
    }
    let case = Case {
        op,
        alpha,
        lo,
        hi,
        params,
        acc,
        x: elements[..n].to_vec(),
        dy: elements[elements.len() / 2..][..n].to_vec(),
        src_offset,
        dst_offset,
    };

    let want = run(Activations::new(Backend::Scalar).unwrap(), &case);
    for relu in Backend::ALL.into_iter().filter_map(Activations::new) {
        let got = run(relu, &case);
        compare::<T>(&want, &got, relu.backend(), op);
    }
}

/// Panics, naming the first difference, unless the outcomes are the same bits.
fn compare<T: Element>(want: &Outcome, got: &Outcome, backend: Backend, op: Op) {
    let ty = std::any::type_name::<T>();
    assert_eq!(
        want.counts, got.counts,
        "{backend} {op:?} {ty}: counts differ from scalar"
    );
    assert_eq!(want.buffers.len(), got.buffers.len());
    for ((name, w, size), (_, g, _)) in want.buffers.iter().zip(&got.buffers) {
        if w != g {
            let i = w
                .chunks(*size)
                .zip(g.chunks(*size))
                .position(|(a, b)| a != b)
                .unwrap();
            panic!(
                "{backend} {op:?} {ty}: {name}[{i}] (buffer index, guards included) is {:02x?}, scalar gives {:02x?}",
                &g[i * size..][..*size],
                &w[i * size..][..*size],
            );
        }
    }
}

/// Runs the case's operation on one backend: out of place and in place where
/// the API has both.
fn run<T: Element>(relu: Activations, case: &Case<T>) -> Outcome
where
    Wide<T>: Pod,
{
    let mut out = Outcome::default();
    let n = case.x.len();
    let (sb, db) = (body(case.src_offset, n), body(case.dst_offset, n));
    let src = guarded(&case.x, case.src_offset);
    let dy = guarded(&case.dy, case.src_offset);
    let (lo, hi, alpha, params) = (case.lo, case.hi, case.alpha, &case.params[..]);

    if matches!(case.op, Op::Clamp | Op::ClampBackward) && !valid_bounds(lo, hi) {
        // Invalid bounds: every entry point panics, before writing.
        let backend = relu.backend();
        let mut dst = guarded(&case.dy, case.dst_offset);
        let before = dst.clone();
        assert!(
            panics(|| relu.clamp(&src[sb.clone()], &mut dst[db.clone()], lo, hi)),
            "{backend} clamp accepted bounds {lo:?}, {hi:?}"
        );
        assert!(
            bits(&dst) == bits(&before),
            "{backend} clamp wrote, then panicked"
        );
        let mut x = guarded(&case.x, case.dst_offset);
        let before = x.clone();
        assert!(
            panics(|| relu.clamp_inplace(&mut x[db.clone()], lo, hi)),
            "{backend} clamp_inplace accepted bounds {lo:?}, {hi:?}"
        );
        assert!(
            bits(&x) == bits(&before),
            "{backend} clamp_inplace wrote, then panicked"
        );
        let mut dx = guarded(&case.x, case.dst_offset);
        let before = dx.clone();
        assert!(
            panics(|| relu.clamp_backward(
                &src[sb.clone()],
                &dy[sb.clone()],
                &mut dx[db.clone()],
                lo,
                hi
            )),
            "{backend} clamp_backward accepted bounds {lo:?}, {hi:?}"
        );
        assert!(
            bits(&dx) == bits(&before),
            "{backend} clamp_backward wrote, then panicked"
        );
        out.counts.push(("invalid bounds", 1));
        return out;
    }

    // Forward: `dst` starts with arbitrary contents (`dy`).
    let mut forward =
        |name: &'static str, f: &dyn Fn(&[T], &mut [T]) -> usize, g: &dyn Fn(&mut [T]) -> usize| {
            let mut dst = guarded(&case.dy, case.dst_offset);
            let a = f(&src[sb.clone()], &mut dst[db.clone()]);
            assert_guards(&dst, &db, name);
            let mut inplace = guarded(&case.x, case.dst_offset);
            let b = g(&mut inplace[db.clone()]);
            assert_guards(&inplace, &db, name);
            assert!(
                bits(&dst[db.clone()]) == bits(&inplace[db.clone()]),
                "{} {name}: in place and out of place differ",
                relu.backend()
            );
            assert_eq!(
                a,
                b,
                "{} {name}: in place and out of place counts",
                relu.backend()
            );
            out.buffer("dst", &dst);
            out.buffer("inplace", &inplace);
            out.counts.push((name, a));
        };

    match case.op {
        Op::CountZeros => forward(
            "relu_count_inactive",
            &|s, d| {
                let k = relu.relu_count_inactive(s, d);
                let zeros = d
                    .iter()
                    .filter(|v| bits(std::slice::from_ref(*v)).iter().all(|&b| b == 0))
                    .count();
                assert_eq!(k, zeros, "{} relu_count_inactive: count", relu.backend());
                k
            },
            &|x| relu.relu_count_inactive_inplace(x),
        ),
        Op::LeakyRelu => forward(
            "leaky_relu",
            &|s, d| {
                relu.leaky_relu(s, d, alpha.into());
                0
            },
            &|x| {
                relu.leaky_relu_inplace(x, alpha.into());
                0
            },
        ),
        Op::Prelu => forward(
            "prelu",
            &|s, d| {
                relu.prelu(s, d, params);
                0
            },
            &|x| {
                relu.prelu_inplace(x, params);
                0
            },
        ),
        Op::Relu6 => forward(
            "relu6",
            &|s, d| {
                relu.relu6(s, d);
                0
            },
            &|x| {
                relu.relu6_inplace(x);
                0
            },
        ),
        Op::BiasRelu => forward(
            "bias_relu",
            &|s, d| {
                relu.bias_relu(s, d, params);
                0
            },
            &|x| {
                relu.bias_relu_inplace(x, params);
                0
            },
        ),
        Op::Clamp => forward(
            "clamp",
            &|s, d| {
                relu.clamp(s, d, lo, hi);
                0
            },
            &|x| {
                relu.clamp_inplace(x, lo, hi);
                0
            },
        ),
        Op::LeakyReluBackward | Op::Relu6Backward | Op::ClampBackward => {
            let mut dx = guarded(&case.x, case.dst_offset); // arbitrary prior contents
            let (x, g, d) = (&src[sb.clone()], &dy[sb.clone()], &mut dx[db.clone()]);
            match case.op {
                Op::LeakyReluBackward => relu.leaky_relu_backward(x, g, d, alpha.into()),
                Op::Relu6Backward => relu.relu6_backward(x, g, d),
                _ => relu.clamp_backward(x, g, d, lo, hi),
            }
            assert_guards(&dx, &db, "dx");
            out.buffer("dx", &dx);
        }
        Op::PreluBackward | Op::BiasReluBackward => {
            let mut dx = guarded(&case.x, case.dst_offset);
            let mut acc = guarded(&case.acc, case.src_offset);
            let ab = body(case.src_offset, case.acc.len());
            let (x, g, d) = (&src[sb.clone()], &dy[sb.clone()], &mut dx[db.clone()]);
            if case.op == Op::PreluBackward {
                relu.prelu_backward(x, g, d, params, &mut acc[ab.clone()]);
            } else {
                relu.bias_relu_backward(x, g, d, &mut acc[ab.clone()]);
            }
            assert_guards(&dx, &db, "dx");
            assert_guards(&acc, &ab, "accumulators");
            out.buffer("dx", &dx);
            out.buffer("accumulators", &acc);
        }
    }
    out
}
