//! Every one of the 2^32 `f32` bit patterns through every supported backend,
//! forward and backward (from `x` and from `y`), against the contract.
//! Ignored by default (about a minute in release); `.ci/run` runs it with
//! `cargo test --release --test exhaustive -- --ignored`.

mod common;

use common::oracle::{relu as expected_relu, relu_backward as expected_backward};
use relu_simd::{Activations, Backend};

const CHUNK: u64 = 1 << 20;

/// Checks `chunks` (of `CHUNK` patterns each) on every backend in `relus`.
/// The expected bits are computed once per chunk and compared with `==` on
/// `u32` slices, so the sweep costs little more than the kernels themselves.
fn check_range(relus: &[Activations], chunks: std::ops::Range<u64>) {
    let n = CHUNK as usize;
    let (mut x, mut dy, mut y, mut dx) =
        (vec![0f32; n], vec![0f32; n], vec![0f32; n], vec![0f32; n]);
    let (mut want_y, mut want_dx) = (vec![0u32; n], vec![0u32; n]);
    for chunk in chunks {
        for i in 0..n {
            let bits = (chunk * CHUNK + i as u64) as u32;
            x[i] = f32::from_bits(bits);
            // Never +0, and varied, so a wrongly kept or zeroed lane shows.
            dy[i] = f32::from_bits(bits.rotate_left(16) | 1);
            want_y[i] = expected_relu(x[i]).to_bits();
            want_dx[i] = expected_backward(x[i], dy[i]).to_bits();
        }
        for relu in relus {
            let backend = relu.backend();
            relu.relu(&x, &mut y);
            if bits(&y) != want_y.as_slice() {
                let i = (0..n).find(|&i| y[i].to_bits() != want_y[i]).unwrap();
                panic!(
                    "{backend} relu({:#010x}) = {:#010x}",
                    x[i].to_bits(),
                    y[i].to_bits()
                );
            }
            for (from, input) in [("x", &x), ("y", &y)] {
                relu.relu_backward(input, &dy, &mut dx);
                if bits(&dx) != want_dx.as_slice() {
                    let i = (0..n).find(|&i| dx[i].to_bits() != want_dx[i]).unwrap();
                    panic!(
                        "{backend} relu_backward from {from} at x = {:#010x}: {:#010x}",
                        x[i].to_bits(),
                        dx[i].to_bits()
                    );
                }
            }
        }
    }
}

fn bits(v: &[f32]) -> &[u32] {
    bytemuck::cast_slice(v)
}

#[test]
#[ignore = "2^32 inputs per backend: run in release"]
fn every_f32_bit_pattern_on_every_supported_backend() {
    let relus: Vec<Activations> = Backend::ALL
        .into_iter()
        .filter_map(common::handle)
        .collect();
    let total = (1u64 << 32) / CHUNK;
    let start = std::time::Instant::now();
    if cfg!(target_family = "wasm") {
        // No threads on wasm32-wasip1.
        check_range(&relus, 0..total);
    } else {
        std::thread::scope(|s| {
            s.spawn(|| check_range(&relus, 0..total / 2));
            s.spawn(|| check_range(&relus, total / 2..total));
        });
    }
    let names: Vec<String> = relus.iter().map(|r| r.backend().to_string()).collect();
    eprintln!(
        "all 2^32 f32 patterns exact, forward and backward, on: {} ({:.1?})",
        names.join(", "),
        start.elapsed()
    );
}
