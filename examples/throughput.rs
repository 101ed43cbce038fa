//! Throughput report: GB/s of every supported backend beside the loops an
//! engine would otherwise write (compiled for the default target, for AVX2
//! and for AVX-512 where the CPU has them), a copy of the same bytes, and in
//! place the store limit and the zero count, from 16 `f32` elements to DRAM:
//! `f32` in place, out of place and backward, then `f16` and `bf16` at the
//! same byte sizes. Prints a table per operation and type, with the ratios
//! the speed targets are stated in, and writes an SVG chart of the `f32`
//! tables.
//!
//! ```text
//! cargo run --release --example throughput [-- chart.svg]
//! ```
//!
//! Each figure is the best of several alternating runs (every column of a
//! size runs once per round), so that a noisy neighbour slows all columns of
//! a size alike; compare ratios within one run.

use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Backend};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Sizes in `f32` elements (16-bit types get twice as many: the same bytes).
const SIZES: [usize; 8] = [16, 64, 256, 1_000, 8_192, 131_072, 2_000_000, 64_000_000];
const ROUNDS: usize = 9;

#[path = "../benches/support/mod.rs"]
mod support;
use support::{BenchElement, data, naive_variants, stores_only};

/// One timed run, given the output buffer.
type Run<'a, T> = Box<dyn Fn(&mut [T]) + 'a>;

/// A column of a table: what runs, and whether the chart draws it.
struct Column<'a, T> {
    name: String,
    run: Run<'a, T>,
    charted: bool,
}

/// Best seconds per call of each of `columns` on the output buffer `y`,
/// taking turns so that noise hits every column alike.
fn best_times<T>(columns: &[Column<'_, T>], y: &mut [T], budget: Duration) -> Vec<f64> {
    for c in columns {
        (c.run)(y); // warm up: fault pages in, fill caches
    }
    let start = Instant::now();
    (columns[0].run)(y);
    let once = start.elapsed().max(Duration::from_nanos(10));
    let reps = (budget.as_nanos() / once.as_nanos()).clamp(1, 1 << 20) as u32;
    let mut best = vec![f64::MAX; columns.len()];
    for _ in 0..ROUNDS {
        for (c, best) in columns.iter().zip(&mut best) {
            let start = Instant::now();
            for _ in 0..reps {
                (c.run)(black_box(&mut *y));
            }
            *best = best.min(start.elapsed().as_secs_f64() / f64::from(reps));
        }
    }
    best
}

/// `run` on a fresh copy of `x` at each call.
fn on_fresh_copy<'a, T: Copy>(x: &'a [T], run: Run<'a, T>) -> Run<'a, T> {
    Box::new(move |y| {
        y.copy_from_slice(black_box(x));
        run(y)
    })
}

/// GB/s per size (rows) and charted column (columns) for one operation.
type Table = Vec<Vec<f64>>;

const OPS: [&str; 3] = ["inplace", "out_of_place", "backward"];

fn main() {
    let chart_path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "throughput.svg".into());
    println!(
        "relu-simd throughput, GB/s of each operation's bytes (read + written), best of {ROUNDS} alternating rounds"
    );
    println!(
        "crate = the active backend ({}); naive* = `x.max(0)` loops for the default target, AVX2, AVX-512;",
        Backend::active()
    );
    println!(
        "copy = copy_from_slice of the output's bytes; stores = stores only, the widest register (the limit in place);"
    );
    println!(
        "inlined = the naive loop at the call site; count = relu_count_inactive_inplace. Every column in the same unit,"
    );
    println!(
        "so ratios are of times: `naive` = fastest naive / crate, `copy` = copy / crate, `stores` = stores / crate, `count` = count / crate."
    );
    println!(
        "In place, each call but the copy's gets a fresh copy of the input (the stores' too: the same stores in flight), and the copy's time is subtracted."
    );
    let (names, tables) = report::<f32>(&OPS);
    report::<f16>(&OPS[..2]);
    report::<bf16>(&OPS[..2]);
    family::<f32>();
    family::<f16>();
    family::<bf16>();
    std::fs::write(&chart_path, svg(&names, &tables)).expect("cannot write the chart");
    println!("\nchart: {chart_path}");
}

/// The ReLU family at L1 (8 KiB per array: input and output fit a 32 KiB
/// L1d with room to spare), out of place from a fixed
/// source on the active backend: time per call against `relu`'s (the same
/// bytes moved; the per-channel operands, 64 elements, left out). The
/// per-channel operand is finite and normal, as trained slopes and biases
/// are (test data but for its one NaN in 64).
fn family<T: BenchElement>() {
    let len = 2_048 * 4 / size_of::<T>();
    let x = data::<T>(len, 1);
    let mut channel = data::<T>(64, 2);
    channel[63] = T::from_f32(0.25);
    let (x, channel) = (&x, &channel[..]);
    let mut y = x.clone();
    let r = Activations::active();
    let (lo, hi) = (T::from_f32(-1.0), T::from_f32(6.0));
    let columns: Vec<Column<'_, T>> = [
        (
            "relu",
            Box::new(move |y: &mut [T]| r.relu(black_box(x), y)) as Run<'_, T>,
        ),
        (
            "leaky_relu",
            Box::new(move |y| r.leaky_relu(black_box(x), y, 0.01.into())),
        ),
        ("relu6", Box::new(move |y| r.relu6(black_box(x), y))),
        ("clamp", Box::new(move |y| r.clamp(black_box(x), y, lo, hi))),
        (
            "bias_relu",
            Box::new(move |y| r.bias_relu(black_box(x), y, channel)),
        ),
        (
            "prelu",
            Box::new(move |y| r.prelu(black_box(x), y, channel)),
        ),
    ]
    .into_iter()
    .map(|(name, run)| Column {
        name: name.into(),
        run,
        charted: false,
    })
    .collect();
    let times = best_times(&columns, &mut y, Duration::from_millis(5));
    println!(
        "\n{} family at L1 ({len} elements), out of place: time per call over relu's",
        T::NAME
    );
    for (c, t) in columns.iter().zip(&times) {
        print!(" {}: {:.2}x", c.name, t / times[0]);
    }
    println!();
}

/// Prints a table per operation of `ops` for `T`; returns the charted
/// columns' names and GB/s.
fn report<T: BenchElement>(ops: &[&str]) -> (Vec<String>, Vec<(String, Table)>) {
    let elements = 4 / size_of::<T>();
    let backends: Vec<Activations> = Backend::ALL
        .into_iter()
        .filter_map(Activations::new)
        .filter(|r| r.backend() != Backend::Scalar)
        .collect();
    let crate_col = backends
        .iter()
        .position(|r| r.backend() == Backend::active())
        .expect("the active backend is one of the non-scalar ones");
    let naive = naive_variants::<T>();
    let mut charted_names = Vec::new();
    let mut tables = Vec::new();
    for &op in ops {
        println!("\n{} {op}", T::NAME);
        let mut table = Vec::new();
        for (row, len) in SIZES.map(|n| n * elements).into_iter().enumerate() {
            let (x, dy) = (data::<T>(len, 1), data::<T>(len, 2));
            let mut y = x.clone();
            let (x, dy) = (&x, &dy);
            let mut columns: Vec<Column<'_, T>> = Vec::new();
            // In place, every column but the copy runs on a fresh copy of the
            // input (a kernel re-run on its own output would see no lane to
            // clear; the store limit then has the copy's stores in flight, as
            // the kernels do), and the copy's time is subtracted.
            let fresh = |name: &str| op == "inplace" && name != "copy";
            let mut add = |name: &str, charted, run| {
                let run = if fresh(name) {
                    on_fresh_copy(x, run)
                } else {
                    run
                };
                columns.push(Column {
                    name: name.into(),
                    run,
                    charted,
                })
            };
            for &r in &backends {
                let name = r.backend().to_string();
                match op {
                    "inplace" => add(&name, true, Box::new(move |y| r.relu_inplace(y))),
                    "out_of_place" => add(&name, true, Box::new(move |y| r.relu(black_box(x), y))),
                    _ => add(
                        &name,
                        true,
                        Box::new(move |y| r.relu_backward(black_box(x), black_box(dy), y)),
                    ),
                }
            }
            for n in &naive {
                match op {
                    "inplace" => add(n.name, true, Box::new(|y| (n.inplace)(y))),
                    "out_of_place" => add(n.name, true, Box::new(|y| (n.out)(black_box(x), y))),
                    _ => add(
                        n.name,
                        true,
                        Box::new(|y| (n.backward)(black_box(x), black_box(dy), y)),
                    ),
                }
            }
            add("copy", true, Box::new(|y| y.copy_from_slice(black_box(x))));
            if op == "inplace" {
                add(
                    "inlined",
                    false,
                    Box::new(|y| {
                        for v in y.iter_mut() {
                            *v = T::naive(*v);
                        }
                    }),
                );
                add("stores", false, Box::new(|y| stores_only(y)));
                let r = backends[crate_col];
                add(
                    "count",
                    false,
                    Box::new(move |y| {
                        black_box(r.relu_count_inactive_inplace(y));
                    }),
                );
            }
            let budget = Duration::from_millis(if len * size_of::<T>() > 40_000_000 {
                30
            } else {
                5
            });
            let mut times = best_times(&columns, &mut y, budget);
            let copy = times[columns.iter().position(|c| c.name == "copy").unwrap()];
            for (c, t) in columns.iter().zip(&mut times) {
                if fresh(&c.name) {
                    *t = (*t - copy).max(copy * 1e-3);
                }
            }
            let streams = if op == "backward" { 3 } else { 2 };
            let gbps = |t: f64| (len * size_of::<T>() * streams) as f64 / t / 1e9;
            let time_of = |name: &str| times[columns.iter().position(|c| c.name == name).unwrap()];
            let ours = times[crate_col];
            let fastest_naive = naive
                .iter()
                .map(|n| time_of(n.name))
                .fold(f64::MAX, f64::min);
            let mut ratios = vec![("naive", fastest_naive / ours)];
            match op {
                "inplace" => {
                    ratios.push(("stores", time_of("stores") / ours));
                    ratios.push(("count", time_of("count") / ours));
                }
                "out_of_place" => ratios.push(("copy", time_of("copy") / ours)),
                _ => {}
            }
            if row == 0 {
                print!("{:>11}", "elements");
                for c in &columns {
                    print!(" {:>12}", c.name);
                }
                for (name, _) in &ratios {
                    print!(" {name:>7}");
                }
                println!();
                charted_names = columns
                    .iter()
                    .filter(|c| c.charted)
                    .map(|c| c.name.clone())
                    .collect();
            }
            print!("{len:>11}");
            for &t in &times {
                print!(" {:>12.1}", gbps(t));
            }
            for (_, r) in &ratios {
                print!(" {r:>6.2}x");
            }
            println!();
            table.push(
                columns
                    .iter()
                    .zip(&times)
                    .filter(|(c, _)| c.charted)
                    .map(|(_, &t)| gbps(t))
                    .collect(),
            );
        }
        tables.push((format!("{} {op}", T::NAME), table));
    }
    (charted_names, tables)
}

/// A log-x line chart per operation, stacked vertically.
fn svg(names: &[String], results: &[(String, Table)]) -> String {
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
        writeln!(s, r#"<text x="{LEFT}" y="{}" font-size="13" font-weight="bold">{op} (GB/s, bytes read + written)</text>"#, y0 + 18.0).unwrap();
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
