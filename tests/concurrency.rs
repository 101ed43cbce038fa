//! Many threads make their very first call at the same moment (this test
//! binary calls nothing before), on every element type and operation; all get
//! the contract's bits and agree on the backend.

mod common;

use common::oracle::{relu as expected_relu, relu_backward as expected_backward};
use common::{TestFloat, mixed_inputs};
use relu_simd::Backend;
use relu_simd::half::{bf16, f16};
use std::sync::Barrier;

fn first_call<T: TestFloat>(thread: usize) -> Backend {
    let len = if cfg!(miri) { 40 } else { 1000 } + thread;
    let x: Vec<T> = mixed_inputs(len, thread as u64);
    let dy: Vec<T> = mixed_inputs(len, thread as u64 + 1000);
    let (mut y, mut dx) = (x.clone(), dy.clone());
    if thread.is_multiple_of(2) {
        relu_simd::relu_inplace(&mut y);
        relu_simd::relu_backward_inplace(&x, &mut dx);
    } else {
        relu_simd::relu(&x, &mut y);
        relu_simd::relu_backward(&x, &dy, &mut dx);
    }
    for i in 0..len {
        assert_eq!(
            y[i].bits(),
            expected_relu(x[i]).bits(),
            "thread {thread}, element {i}"
        );
        assert_eq!(
            dx[i].bits(),
            expected_backward(x[i], dy[i]).bits(),
            "thread {thread}, element {i}"
        );
    }
    Backend::active()
}

#[test]
#[cfg_attr(target_family = "wasm", ignore = "no threads on wasm32-wasip1")]
fn simultaneous_first_calls_on_all_types() {
    const THREADS: usize = if cfg!(miri) { 4 } else { 32 };
    let barrier = Barrier::new(THREADS);
    let backends: Vec<Backend> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    match t % 4 {
                        0 => first_call::<f32>(t),
                        1 => first_call::<f64>(t),
                        2 => first_call::<f16>(t),
                        _ => first_call::<bf16>(t),
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let first = backends[0];
    assert!(first.is_supported());
    assert!(
        backends.iter().all(|&b| b == first),
        "threads disagree: {backends:?}"
    );
}
