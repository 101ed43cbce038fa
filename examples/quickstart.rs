//! The main job in one command: which backend this CPU runs, the contract on
//! the seed example and on the values where shortcuts fail, and a short speed
//! comparison with the loop an engine would otherwise write.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```

use relu_simd::{Activations, Backend};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let supported: Vec<String> = Backend::ALL
        .into_iter()
        .filter(|b| b.is_supported())
        .map(|b| b.to_string())
        .collect();
    println!(
        "relu-simd: active backend {} (supported here: {})",
        Backend::active(),
        supported.join(", ")
    );

    let mut x = [-2.0f32, -1.0, 0.0, 1.0, 2.0];
    print!("relu_inplace({x:?}) = ");
    relu_simd::relu_inplace(&mut x);
    println!("{x:?}");

    let tricky = [
        -0.0f32,
        f32::NEG_INFINITY,
        f32::from_bits(0xffc0_0001),
        f32::from_bits(0x7f80_0001),
        1e-45,
    ];
    let mut out = [0.0f32; 5];
    relu_simd::relu(&tricky, &mut out);
    println!("bits in:  {:08x?}", tricky.map(f32::to_bits));
    println!(
        "bits out: {:08x?}  (-0 and -inf give +0; NaNs keep their bits)",
        out.map(f32::to_bits)
    );
    let naive = tricky.map(|v| v.max(0.0));
    println!(
        "f32::max: {:08x?}  (the naive loop drops the NaNs)",
        naive.map(f32::to_bits)
    );

    println!();
    println!(
        "in-place f32 ReLU on a fresh copy of the input at each call (the copy's time subtracted),"
    );
    println!("best of 9 alternating runs of ~20 ms each:");
    println!(
        "{:>12}  {:>22}  {:>22}  {:>7}",
        "elements", "relu_inplace (GB/s)", "naive v.max(0) (GB/s)", "ratio"
    );
    let relu = Activations::active();
    for len in [1_000usize, 8_192, 131_072, 2_000_000, 64_000_000] {
        let input: Vec<f32> = (0..len)
            .map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 0.01)
            .collect();
        let mut data = input.clone();
        let [ours, theirs] = best_gbps(
            len,
            [
                &mut |x: &mut [f32]| relu.relu_inplace(black_box(x)),
                &mut |x: &mut [f32]| naive_relu(black_box(x)),
            ],
            &input,
            &mut data,
        );
        println!(
            "{len:>12}  {ours:>22.1}  {theirs:>22.1}  {:>6.2}x",
            ours / theirs
        );
    }
    println!(
        "(GB/s counts bytes read + written; {} backend; criterion figures: BENCHMARKS.md)",
        relu.backend()
    );
}

/// The loop an engine writes by hand.
#[inline(never)]
fn naive_relu(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = v.max(0.0);
    }
}

/// One of the loops being compared.
type Loop<'a> = &'a mut dyn FnMut(&mut [f32]);

/// Best throughput of each of `fs` in place over `data` (8 bytes moved per
/// f32), each call on a fresh copy of `input` (a kernel re-run on its own
/// output finds nothing left to clear), less the time of the copy alone. The
/// runs alternate between the copy and the functions, so that a noisy
/// neighbour slows all rather than one.
fn best_gbps<const N: usize>(
    len: usize,
    mut fs: [Loop<'_>; N],
    input: &[f32],
    data: &mut [f32],
) -> [f64; N] {
    let mut copy = Duration::MAX;
    let mut best = [Duration::MAX; N];
    let start = Instant::now();
    fs[0](data); // warm up: fault the pages in, fill the caches
    let once = start.elapsed().max(Duration::from_nanos(20));
    let reps = (Duration::from_millis(20).as_nanos() / once.as_nanos()).clamp(1, 1_000_000) as u32;
    for _ in 0..9 {
        let start = Instant::now();
        for _ in 0..reps {
            data.copy_from_slice(black_box(input));
        }
        copy = copy.min(start.elapsed() / reps);
        for (f, best) in fs.iter_mut().zip(&mut best) {
            let start = Instant::now();
            for _ in 0..reps {
                data.copy_from_slice(black_box(input));
                f(data);
            }
            *best = (*best).min(start.elapsed() / reps);
        }
    }
    best.map(|t| (len * 8) as f64 / t.saturating_sub(copy).as_nanos().max(1) as f64)
}
