//! The README's promise that the floating-point environment changes nothing
//! for ReLU, its gradient, the zero count, ReLU6 and clamp: each runs on every backend this
//! CPU has with denormals-are-zero and flush-to-zero set (x86_64's MXCSR, as
//! engines set it on their threads), against the oracle computed before.
//! Where MXCSR's DAZ bit is clear (`cpu::subnormals_kept`) the f32/f64
//! kernels take float compares (the gradient's `!(x <= 0)`, the count's
//! `x <= 0`), AVX-512's class picks (`vfixupimm`) and clamp's float max and
//! min, which would read a subnormal as zero under DAZ; this is where that
//! check is tested.
#![cfg(all(target_arch = "x86_64", not(miri)))]

mod common;

use common::inputs::{mixed_inputs, specials};
use common::{TestFloat, oracle};
use core::arch::asm;
use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Backend};

/// MXCSR's denormals-are-zero and flush-to-zero bits.
const DAZ_FTZ: u32 = 1 << 6 | 1 << 15;

/// Runs `f` with [`DAZ_FTZ`] set in MXCSR, then restores MXCSR. Rust
/// assumes the default environment for its own float operations, so `f`
/// calls only the kernels (whose paths under test use none) and compares
/// nothing as floats.
fn with_daz_ftz(f: impl FnOnce()) {
    let mut saved = 0u32;
    // SAFETY: `stmxcsr` writes the 4 bytes of `saved`; `ldmxcsr` reads the 4
    // bytes of a valid MXCSR value (the saved one with two mode bits set,
    // then the saved one).
    unsafe {
        asm!("stmxcsr [{}]", in(reg) &raw mut saved, options(nostack, preserves_flags));
        let set = saved | DAZ_FTZ;
        asm!("ldmxcsr [{}]", in(reg) &raw const set, options(nostack, preserves_flags));
    }
    f();
    // SAFETY: as above.
    unsafe { asm!("ldmxcsr [{}]", in(reg) &raw const saved, options(nostack, preserves_flags)) }
}

/// Every special value as `x` against every one as `dy`, and mixed patterns,
/// at every length to 70, at 1,000 and at 3,000 (12 KB of f32: past the
/// size from which some CPUs clear in place by masked stores), from the
/// second element of the buffers (misaligned).
fn check<T: TestFloat>(r: Activations, backend: Backend) {
    let s = specials::<T>();
    let mut x: Vec<T> = s
        .iter()
        .flat_map(|&v| std::iter::repeat_n(v, s.len()))
        .collect();
    let mut dy: Vec<T> = (0..s.len()).flat_map(|_| s.iter().copied()).collect();
    x.extend(mixed_inputs::<T>(3001 - x.len().min(3000), 3));
    dy.extend(mixed_inputs::<T>(3001 - dy.len().min(3000), 4));
    let bits = |v: &[T]| v.iter().map(|v| v.bits()).collect::<Vec<_>>();
    for len in (0..=70).chain([1000, 3000]) {
        let (x, dy) = (&x[1..=len], &dy[1..=len]);
        let want_y: Vec<T> = x.iter().map(|&v| oracle::relu(v)).collect();
        let want_dx: Vec<T> = x
            .iter()
            .zip(dy)
            .map(|(&v, &d)| oracle::relu_backward(v, d))
            .collect();
        let want_count = oracle::inactive(&want_y);
        let (zero, lo, hi) = (
            oracle::from_f32::<T>(0.0),
            oracle::from_f32::<T>(-1.0),
            oracle::from_f32::<T>(6.0),
        );
        let want_relu6: Vec<T> = x.iter().map(|&v| oracle::clamp(v, zero, hi)).collect();
        let want_clamp: Vec<T> = x.iter().map(|&v| oracle::clamp(v, lo, hi)).collect();
        let (mut y, mut dx, mut inplace) = (
            vec![T::from_bits(1); len],
            vec![T::from_bits(1); len],
            x.to_vec(),
        );
        let (mut relu6, mut clamp) = (vec![T::from_bits(1); len], vec![T::from_bits(1); len]);
        let mut count = 0;
        with_daz_ftz(|| {
            r.relu(x, &mut y);
            r.relu_backward(x, dy, &mut dx);
            count = r.relu_count_inactive_inplace(&mut inplace);
            r.relu6(x, &mut relu6);
            r.clamp(x, &mut clamp, lo, hi);
        });
        let what = |op: &str| {
            format!(
                "{backend}, {} {op}, {len} elements, DAZ and FTZ set",
                T::NAME
            )
        };
        assert_eq!(bits(&y), bits(&want_y), "{}", what("relu"));
        assert_eq!(bits(&dx), bits(&want_dx), "{}", what("relu_backward"));
        assert_eq!(bits(&relu6), bits(&want_relu6), "{}", what("relu6"));
        assert_eq!(bits(&clamp), bits(&want_clamp), "{}", what("clamp(-1, 6)"));
        assert_eq!(
            bits(&inplace),
            bits(&want_y),
            "{}",
            what("relu_count_inactive_inplace")
        );
        assert_eq!(
            count,
            want_count,
            "{}",
            what("relu_count_inactive_inplace's count")
        );
    }
}

/// Every SIMD backend; the scalar reference compares floats and assumes the
/// default environment, as the README says.
#[test]
fn denormals_are_zero_changes_no_bit() {
    for backend in Backend::ALL.into_iter().filter(|&b| b != Backend::Scalar) {
        let Some(r) = common::handle(backend) else {
            continue;
        };
        check::<f32>(r, backend);
        check::<f64>(r, backend);
        check::<f16>(r, backend);
        check::<bf16>(r, backend);
    }
}
