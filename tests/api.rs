//! The public API as an engine uses it: free functions, the handle, backend
//! names, and length checks that panic before anything is written.

use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Backend};
use std::panic::{AssertUnwindSafe, catch_unwind};

#[test]
fn seed_example() {
    let mut x = [-2.0f32, -1.0, 0.0, 1.0, 2.0];
    relu_simd::relu_inplace(&mut x);
    assert_eq!(
        x.map(f32::to_bits),
        [0.0f32, 0.0, 0.0, 1.0, 2.0].map(f32::to_bits)
    );
}

#[test]
fn free_functions_accept_every_element_type() {
    let mut a = [-1.0f32, 2.0];
    let mut b = [-1.0f64, 2.0];
    let mut c = [f16::from_f32(-1.0), f16::from_f32(2.0)];
    let mut d = [bf16::from_f32(-1.0), bf16::from_f32(2.0)];
    relu_simd::relu_inplace(&mut a);
    relu_simd::relu_inplace(&mut b);
    relu_simd::relu_inplace(&mut c);
    relu_simd::relu_inplace(&mut d);
    assert_eq!(a.map(f32::to_bits), [0, 2.0f32.to_bits()]);
    assert_eq!(b.map(f64::to_bits), [0, 2.0f64.to_bits()]);
    assert_eq!(c.map(f16::to_bits), [0, f16::from_f32(2.0).to_bits()]);
    assert_eq!(d.map(bf16::to_bits), [0, bf16::from_f32(2.0).to_bits()]);
}

#[test]
fn raw_u16_buffers_via_bytemuck() {
    let mut bits: Vec<u16> = vec![0xbc00, 0x3c00, 0x8000, 0xfe01]; // f16 -1, 1, -0, -NaN
    relu_simd::relu_inplace(bytemuck::cast_slice_mut::<u16, f16>(&mut bits));
    assert_eq!(bits, [0x0000, 0x3c00, 0x0000, 0xfe01]);
}

#[test]
fn active_backend_is_supported_and_used_by_free_functions() {
    let active = Backend::active();
    assert!(active.is_supported());
    assert_eq!(Activations::active().backend(), active);
    assert_eq!(Activations::new(active), Some(Activations::active()));
}

#[test]
fn unsupported_backends_have_no_handle() {
    for backend in Backend::ALL {
        assert_eq!(
            Activations::new(backend).is_some(),
            backend.is_supported(),
            "{backend}"
        );
    }
    assert!(Activations::new(Backend::Scalar).is_some());
    assert!(Activations::new(Backend::Portable).is_some());
}

#[test]
fn backend_names_round_trip() {
    let names: Vec<String> = Backend::ALL.iter().map(|b| b.to_string()).collect();
    assert_eq!(
        names,
        ["scalar", "portable", "avx2", "avx512", "neon", "simd128"]
    );
    for backend in Backend::ALL {
        assert_eq!(backend.name().parse::<Backend>(), Ok(backend));
    }
    let err = "sse9".parse::<Backend>().unwrap_err();
    assert!(err.to_string().contains("avx512"), "{err}");
}

/// Runs `f`, expecting a panic whose message contains every one of `needles`.
fn expect_panic(f: impl FnOnce(), needles: &[&str]) {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    for needle in needles {
        assert!(
            message.contains(needle),
            "panic message {message:?} lacks {needle:?}"
        );
    }
}

#[test]
#[cfg_attr(target_family = "wasm", ignore = "panics abort on wasm")]
fn length_mismatches_panic_naming_the_lengths_before_writing() {
    let src = [-1.0f32; 3];
    let mut dst = [7.0f32; 4];
    expect_panic(
        || relu_simd::relu(&src, &mut dst),
        &["3", "4", "src", "dst"],
    );
    assert_eq!(dst, [7.0; 4]);

    let x = [-1.0f32; 5];
    let dy = [1.0f32; 6];
    let mut dx = [7.0f32; 5];
    expect_panic(
        || relu_simd::relu_backward(&x, &dy, &mut dx),
        &["5", "6", "dy"],
    );
    assert_eq!(dx, [7.0; 5]);
    let dy = [1.0f32; 5];
    let mut dx = [7.0f32; 2];
    expect_panic(
        || relu_simd::relu_backward(&x, &dy, &mut dx),
        &["5", "2", "dx"],
    );
    assert_eq!(dx, [7.0; 2]);

    let mut dy = [7.0f32; 9];
    expect_panic(
        || relu_simd::relu_backward_inplace(&x, &mut dy),
        &["5", "9"],
    );
    assert_eq!(dy, [7.0; 9]);

    for backend in Backend::ALL {
        let Some(relu) = Activations::new(backend) else {
            continue;
        };
        let mut dst = [7.0f32; 2];
        expect_panic(|| relu.relu(&src, &mut dst), &["3", "2"]);
        assert_eq!(dst, [7.0; 2], "{backend}");
    }
}

#[test]
fn empty_slices_are_fine() {
    let mut empty: [f32; 0] = [];
    relu_simd::relu_inplace(&mut empty);
    relu_simd::relu(&[] as &[f16], &mut []);
    relu_simd::relu_backward(&[] as &[bf16], &[], &mut []);
    relu_simd::relu_backward_inplace(&[] as &[f64], &mut []);
}
