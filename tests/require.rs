//! Fails when this CPU lacks a backend that CI expects to run here, so that a
//! backend cannot be skipped silently.
//!
//! - `RELU_SIMD_REQUIRE=avx512,avx2`: each named backend must be supported.
//! - `RELU_SIMD_EXPECT_ACTIVE=avx2`: detection must pick exactly this backend
//!   (proves the fallback order on emulated CPUs).

mod common;

use relu_simd::Backend;

#[test]
fn required_backends_are_supported() {
    let required = common::required_backends();
    let missing: Vec<Backend> = required
        .iter()
        .copied()
        .filter(|b| !b.is_supported())
        .collect();
    assert!(
        missing.is_empty(),
        "RELU_SIMD_REQUIRE names {missing:?}, which this CPU does not support (supported: {:?})",
        Backend::ALL
            .into_iter()
            .filter(|b| b.is_supported())
            .collect::<Vec<_>>()
    );
    eprintln!("required and supported: {required:?}");
}

#[test]
fn detection_picks_the_expected_backend() {
    let Ok(name) = std::env::var("RELU_SIMD_EXPECT_ACTIVE") else {
        return;
    };
    let expected: Backend = name
        .parse()
        .expect("RELU_SIMD_EXPECT_ACTIVE is not a backend name");
    assert_eq!(
        Backend::active(),
        expected,
        "detection picked {}, expected {expected}",
        Backend::active()
    );
}
