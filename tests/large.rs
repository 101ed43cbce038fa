//! A slice longer than `u32::MAX` elements: every loop counter and offset in
//! the kernels is a `usize` (and byte offsets cannot overflow, since a slice
//! spans at most `isize::MAX` bytes), so elements past index 2^32 are
//! processed like the others and nothing wraps around onto the start.
//!
//! Needs 8 GiB: ignored by default, run by `.ci/run` in release
//! (`cargo test --release --test large -- --ignored`), and skipped with a note
//! where less memory is available.
// Such a slice needs a 64-bit address space (not wasm32).
#![cfg(target_pointer_width = "64")]

use relu_simd::half::f16;
use relu_simd::{Activations, Backend};

fn available_bytes() -> usize {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kib| kib * 1024)
}

#[test]
#[ignore = "allocates 8 GiB: run in release"]
fn slice_longer_than_u32_max_on_every_supported_backend() {
    const LEN: usize = (1 << 32) + 37;
    let needed = LEN * 2 + (2 << 30);
    if available_bytes() < needed {
        eprintln!(
            "skipped: needs {needed} bytes of free memory, {} available",
            available_bytes()
        );
        return;
    }
    // Zeroed `u16`s come from the allocator already zeroed, without a pass.
    let mut bits = vec![0u16; LEN];
    let x: &mut [f16] = bytemuck::cast_slice_mut(&mut bits);
    let marked = [
        0,
        1,
        (1 << 32) - 1,
        1 << 32,
        (1 << 32) + 1,
        LEN - 2,
        LEN - 1,
    ];
    let neg_nan = f16::from_bits(0xfe01);
    for relu in Backend::ALL.into_iter().filter_map(Activations::new) {
        for (k, &i) in marked.iter().enumerate() {
            x[i] = if k % 2 == 0 { -f16::ONE } else { neg_nan };
        }
        relu.relu_inplace(x);
        for (k, &i) in marked.iter().enumerate() {
            let want = if k % 2 == 0 { 0 } else { neg_nan.to_bits() };
            assert_eq!(x[i].to_bits(), want, "{} at index {i}", relu.backend());
        }
        eprintln!("{}: {LEN} f16 elements done", relu.backend());
    }
}
