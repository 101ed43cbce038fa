//! Throughput report: GB/s of every supported backend and of the loops an
//! engine would otherwise write, from 16 elements to DRAM, for f32 in place,
//! out of place and backward; prints a table and writes an SVG chart.
//!
//! ```text
//! cargo run --release --example throughput [-- chart.svg]
//! ```
//!
//! Each figure is the best of several alternating runs (every variant of a
//! size runs once per round), so that a noisy neighbour slows all variants of
//! a size alike; compare ratios within one run.

use relu_simd::{Activations, Backend};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: [usize; 8] = [16, 64, 256, 1_000, 8_192, 131_072, 2_000_000, 64_000_000];
const ROUNDS: usize = 7;

#[path = "../benches/support/mod.rs"]
mod support;
use support::{Naive, data, naive_variants};

type InPlace = Box<dyn Fn(&mut [f32])>;
type OutOfPlace = Box<dyn Fn(&[f32], &mut [f32])>;
type Backward = Box<dyn Fn(&[f32], &[f32], &mut [f32])>;
/// One timed run, given the output buffer.
type Run<'a> = Box<dyn Fn(&mut [f32]) + 'a>;

/// One variant: a name and the three operations.
struct Variant {
    name: String,
    inplace: InPlace,
    out: OutOfPlace,
    backward: Backward,
}

fn variants() -> Vec<Variant> {
    let mut v: Vec<Variant> = Backend::ALL
        .into_iter()
        .filter_map(Activations::new)
        .filter(|r| r.backend() != Backend::Scalar)
        .map(|r| Variant {
            name: r.backend().to_string(),
            inplace: Box::new(move |x| r.relu_inplace(x)),
            out: Box::new(move |s, d| r.relu(s, d)),
            backward: Box::new(move |x, dy, dx| r.relu_backward(x, dy, dx)),
        })
        .collect();
    v.extend(
        naive_variants::<f32>()
            .into_iter()
            .map(|n: Naive<f32>| Variant {
                name: n.name.into(),
                inplace: Box::new(n.inplace),
                out: Box::new(n.out),
                backward: Box::new(n.backward),
            }),
    );
    v
}

/// Best seconds per call of each of `runs` on the output buffer `y`, taking
/// turns so that noise hits every run alike.
fn best_times(runs: &[Run<'_>], y: &mut [f32], budget: Duration) -> Vec<f64> {
    for run in runs {
        run(y); // warm up: fault pages in, fill caches
    }
    let start = Instant::now();
    runs[0](y);
    let once = start.elapsed().max(Duration::from_nanos(10));
    let reps = (budget.as_nanos() / once.as_nanos()).clamp(1, 1 << 20) as u32;
    let mut best = vec![f64::MAX; runs.len()];
    for _ in 0..ROUNDS {
        for (run, best) in runs.iter().zip(&mut best) {
            let start = Instant::now();
            for _ in 0..reps {
                run(black_box(&mut *y));
            }
            *best = best.min(start.elapsed().as_secs_f64() / f64::from(reps));
        }
    }
    best
}

/// GB/s per size (rows) and run (columns) for one operation.
type Table = Vec<Vec<f64>>;

fn main() {
    let chart_path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "throughput.svg".into());
    let variants = variants();
    let naive = variants.iter().position(|v| v.name == "naive").unwrap();
    let mut names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    names.push("copy");
    println!(
        "relu-simd throughput, f32, GB/s (bytes read + written), best of {ROUNDS} alternating rounds"
    );
    println!(
        "active backend: {}; copy = copy_from_slice of the output's bytes",
        Backend::active()
    );
    let mut results: Vec<(&str, Table)> = Vec::new();
    for op in ["inplace", "out_of_place", "backward"] {
        println!("\n{op}");
        print!("{:>11}", "elements");
        for name in &names {
            print!(" {name:>12}");
        }
        println!(" {:>11}", "best/naive");
        let mut table = Vec::new();
        for len in SIZES {
            let (x, dy) = (data::<f32>(len, 1), data::<f32>(len, 2));
            let mut y = x.clone();
            let mut runs: Vec<Run<'_>> = variants
                .iter()
                .map(|v| -> Run<'_> {
                    match op {
                        "inplace" => Box::new(|y| (v.inplace)(y)),
                        "out_of_place" => Box::new(|y| (v.out)(black_box(&x), y)),
                        _ => Box::new(|y| (v.backward)(black_box(&x), black_box(&dy), y)),
                    }
                })
                .collect();
            runs.push(Box::new(|y| y.copy_from_slice(black_box(&x))));
            let budget = Duration::from_millis(if len > 10_000_000 { 30 } else { 5 });
            let times = best_times(&runs, &mut y, budget);
            let streams = if op == "backward" { 3 } else { 2 };
            let gbps: Vec<f64> = times
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let moved = if i == runs.len() - 1 { 2 } else { streams };
                    (len * 4 * moved) as f64 / t / 1e9
                })
                .collect();
            print!("{len:>11}");
            for g in &gbps {
                print!(" {g:>12.1}");
            }
            let ours = gbps[..naive].iter().cloned().fold(0.0, f64::max);
            println!(" {:>10.2}x", ours / gbps[naive]);
            table.push(gbps);
        }
        results.push((op, table));
    }
    std::fs::write(&chart_path, svg(&names, &results)).expect("cannot write the chart");
    println!("\nchart: {chart_path}");
}

/// A log-x line chart per operation, stacked vertically.
fn svg(names: &[&str], results: &[(&str, Table)]) -> String {
    const W: f64 = 760.0;
    const H: f64 = 260.0;
    const LEFT: f64 = 60.0;
    const TOP: f64 = 30.0;
    const PLOT_W: f64 = 520.0;
    const PLOT_H: f64 = 190.0;
    let colors = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    ];
    let mut s = String::new();
    let total_h = H * results.len() as f64;
    writeln!(s, r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{total_h}" font-family="sans-serif" font-size="11">"#).unwrap();
    writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#).unwrap();
    let lx = |len: usize| LEFT + ((len as f64).log10() - 1.0) / (8.0 - 1.0) * PLOT_W;
    for (k, (op, per_size)) in results.iter().enumerate() {
        let y0 = k as f64 * H;
        let max = per_size.iter().flatten().cloned().fold(1.0, f64::max) * 1.1;
        let ly = |g: f64| y0 + TOP + PLOT_H - g / max * PLOT_H;
        writeln!(s, r#"<text x="{LEFT}" y="{}" font-size="13" font-weight="bold">f32 {op} (GB/s, bytes read + written)</text>"#, y0 + 18.0).unwrap();
        writeln!(s, r#"<rect x="{LEFT}" y="{}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="black"/>"#, y0 + TOP).unwrap();
        for tick in 0..=4 {
            let g = max / 4.0 * tick as f64;
            writeln!(
                s,
                r#"<text x="{}" y="{}" text-anchor="end">{g:.0}</text>"#,
                LEFT - 4.0,
                ly(g) + 4.0
            )
            .unwrap();
        }
        for &len in &SIZES {
            writeln!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle">{len}</text>"#,
                lx(len),
                y0 + TOP + PLOT_H + 14.0
            )
            .unwrap();
        }
        for (v, name) in names.iter().enumerate() {
            let color = colors[v % colors.len()];
            let points: Vec<String> = SIZES
                .iter()
                .zip(per_size)
                .map(|(&len, g)| format!("{:.1},{:.1}", lx(len), ly(g[v])))
                .collect();
            let dash = if name.starts_with("naive") || *name == "copy" {
                r#" stroke-dasharray="5,3""#
            } else {
                ""
            };
            writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"{dash}/>"#,
                points.join(" ")
            )
            .unwrap();
            let legend_y = y0 + TOP + 14.0 * v as f64 + 8.0;
            writeln!(s, r#"<line x1="{}" y1="{legend_y}" x2="{}" y2="{legend_y}" stroke="{color}" stroke-width="2"{dash}/><text x="{}" y="{}">{name}</text>"#, LEFT + PLOT_W + 15.0, LEFT + PLOT_W + 40.0, LEFT + PLOT_W + 45.0, legend_y + 4.0).unwrap();
        }
    }
    writeln!(s, "</svg>").unwrap();
    s
}
