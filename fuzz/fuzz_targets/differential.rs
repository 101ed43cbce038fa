//! Differential fuzzing: every backend this CPU supports against the scalar
//! reference, bit for bit, on arbitrary bit patterns, for every element type
//! and every operation, with guard elements around each output that must not
//! change.
//!
//! Input layout: byte 0 picks the element type (bits 0-1) and the offset of
//! the slices inside their buffers (bits 2-4); the rest, cut into elements,
//! is `x` (first half) and `dy` (second half).

#![no_main]

use bytemuck::Pod;
use libfuzzer_sys::fuzz_target;
use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Backend, Element};

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let offset = usize::from(head >> 2) & 7;
    match head & 3 {
        0 => check::<f32>(rest, offset),
        1 => check::<f64>(rest, offset),
        2 => check::<f16>(rest, offset),
        _ => check::<bf16>(rest, offset),
    }
});

const GUARD: usize = 4;

/// `data` placed at `offset + GUARD` in a buffer filled with a guard pattern.
fn guarded<T: Pod>(data: &[T], offset: usize) -> Vec<T> {
    let guard: T = bytemuck::cast_slice::<u8, T>(&[0xA5; 16])[0];
    let mut buf = vec![guard; offset + GUARD + data.len() + GUARD];
    buf[offset + GUARD..][..data.len()].copy_from_slice(data);
    buf
}

fn same_bits<T: Pod>(a: &[T], b: &[T]) -> bool {
    bytemuck::cast_slice::<T, u8>(a) == bytemuck::cast_slice::<T, u8>(b)
}

fn check<T: Element>(bytes: &[u8], offset: usize) {
    let size = size_of::<T>();
    let elements: Vec<T> = bytes
        .chunks_exact(size)
        .map(bytemuck::pod_read_unaligned)
        .collect();
    let n = elements.len() / 2;
    let (x, dy) = (&elements[..n], &elements[n..2 * n]);
    let body = offset + GUARD..offset + GUARD + n;

    let reference = Activations::new(Backend::Scalar).unwrap();
    let mut want_y = x.to_vec();
    reference.relu_inplace(&mut want_y);
    let mut want_dx = dy.to_vec();
    reference.relu_backward_inplace(x, &mut want_dx);
    // The guards are whatever surrounds the expected output.
    let want_y_buf = guarded(&want_y, offset);
    let want_dx_buf = guarded(&want_dx, offset);

    let src = guarded(x, offset);
    let dy_buf = guarded(dy, offset);
    for relu in Backend::ALL.into_iter().filter_map(Activations::new) {
        let backend = relu.backend();

        let mut y = guarded(dy, offset); // arbitrary prior contents
        relu.relu(&src[body.clone()], &mut y[body.clone()]);
        assert!(same_bits(&y, &want_y_buf), "{backend} relu");

        let mut y = src.clone();
        relu.relu_inplace(&mut y[body.clone()]);
        assert!(same_bits(&y, &want_y_buf), "{backend} relu_inplace");

        let mut dx = guarded(x, offset);
        relu.relu_backward(
            &src[body.clone()],
            &dy_buf[body.clone()],
            &mut dx[body.clone()],
        );
        assert!(same_bits(&dx, &want_dx_buf), "{backend} relu_backward");

        let mut dx = dy_buf.clone();
        relu.relu_backward_inplace(&src[body.clone()], &mut dx[body.clone()]);
        assert!(
            same_bits(&dx, &want_dx_buf),
            "{backend} relu_backward_inplace"
        );

        // Backward from the forward output gives the same dx.
        let mut dx = dy_buf.clone();
        relu.relu_backward_inplace(&want_y_buf[body.clone()], &mut dx[body.clone()]);
        assert!(
            same_bits(&dx, &want_dx_buf),
            "{backend} relu_backward from y"
        );
    }
}
