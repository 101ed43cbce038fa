//! The parallel forms (`relu_simd::par`, feature `rayon`): every operation
//! of the test table, in every form, on every backend and element type, on
//! pools of 1, 2 and 3 threads, against the oracle bit for bit (the same
//! checks as the sequential forms, `tests/backends.rs`), split into chunks
//! of one or a few lines so that short slices cross many chunk boundaries;
//! against the sequential forms bit for bit (outputs, sums, counts) around
//! the real threshold and chunk size; and every panic before any write.
#![cfg(feature = "rayon")]

mod common;

use common::inputs::{ALIGN_FROM, MIRI};

/// Runs `f` on a local pool of `threads` threads.
fn on_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool")
        .install(f)
}

/// The pools and chunk sizes (bytes) tried: chunks of one line on 1 and 2
/// threads, of three lines on 3, and of [`ALIGN_FROM`] bytes on 2 (chunks
/// long enough for the streamed loop); under Miri, one line on 2 threads.
fn pools() -> Vec<(usize, usize)> {
    if MIRI {
        vec![(2, 64)]
    } else {
        vec![(1, 64), (2, 64), (3, 192), (2, ALIGN_FROM)]
    }
}

/// Has every call of this binary store outputs of [`ALIGN_FROM`] bytes or
/// more as long outputs are stored where non-temporal stores win, the
/// inputs prefetched ahead (the settings are global: every test of this
/// binary sets them, so none depends on another's), so that the chunks of
/// the parallel forms, which store as the whole call's output would be
/// stored, run the streamed loop on every CPU.
fn stream_long_outputs() {
    relu_simd::thresholds::set_stream_from(Some(0));
    relu_simd::thresholds::set_stream_ahead(Some(256));
}

/// The tests of one backend for one element type.
macro_rules! element_tests {
    ($backend:expr, $t:ident) => {
        mod $t {
            use crate::common::checks::*;
            use crate::common::panics::check_panics;
            use crate::common::table::Api;
            #[allow(unused_imports)]
            use relu_simd::half::{bf16, f16};

            /// Runs `check` on the parallel forms of the backend, split from
            /// the first byte, on every pool of `pools()`, unless this CPU
            /// lacks the backend.
            fn run(check: impl Fn(Api) + Sync) {
                crate::stream_long_outputs();
                if let Some(relu) = crate::common::handle($backend) {
                    for (threads, chunk) in crate::pools() {
                        crate::on_pool(threads, || {
                            check(Api::Par {
                                relu,
                                from: 0,
                                chunk,
                            })
                        });
                    }
                }
            }

            #[test]
            fn every_length_and_offset() {
                run(check_lengths_and_offsets::<$t>);
            }

            #[test]
            fn channel_counts_and_rows() {
                run(check_channel_counts::<$t>);
            }

            #[test]
            fn special_channel_values() {
                if !crate::MIRI {
                    run(check_special_channels::<$t>);
                }
            }

            #[test]
            fn long_zero_count() {
                run(check_long_zero_count::<$t>);
            }

            #[test]
            fn panics_before_writing() {
                run(check_panics::<$t>);
            }

            #[test]
            fn same_as_sequential_around_the_threshold() {
                crate::stream_long_outputs();
                if let Some(relu) = crate::common::handle($backend) {
                    crate::around_the_threshold::<$t>(relu);
                }
            }
        }
    };
}

common::every_backend_and_type!(element_tests);

/// Every operation in every form, parallel (with the real chunk size and a
/// threshold of four chunks, as the real one is 512 MiB, on 2 and 3
/// threads) against sequential on the same backend, bit for bit (outputs,
/// sums, counts): just below the threshold, at it, and a chunk and a few
/// elements above it, at offsets, with 1 and 3 channels. Not under Miri
/// (megabytes).
fn around_the_threshold<T: common::TestFloat>(relu: relu_simd::Activations)
where
    T::W: Send + Sync,
{
    use common::checks::params;
    use common::inputs::mixed_inputs;
    use common::table::{Api, Call, FORMS, Form, Kind, as_uninit, operations};
    use relu_simd::par::{CHUNK_BYTES, PARALLEL_FROM, parallel_from};
    if MIRI {
        return;
    }
    let size = size_of::<T>();
    assert!(PARALLEL_FROM >= 4 * CHUNK_BYTES && CHUNK_BYTES.is_multiple_of(64));
    assert!(parallel_from() >= 4 * CHUNK_BYTES);
    let from_bytes = 4 * CHUNK_BYTES;
    let from = from_bytes / size;
    let lens = [from - 3, from, from + CHUNK_BYTES / size + 3];
    for (threads, len, offset) in [(2, lens[0], 1), (2, lens[1], 0), (3, lens[2], 3)] {
        let channels = if len % 3 == 0 { 3 } else { 1 };
        let p = params(len, mixed_inputs::<T>(channels, 7));
        let buf = |seed| mixed_inputs::<T>(len + offset, seed);
        let (x, dy) = (buf(len as u64), buf(len as u64 + 1));
        let (x, dy) = (&x[offset..], &dy[offset..]);
        for op in operations::<T>() {
            for form in FORMS {
                let run = |api: Api| {
                    let mut out = match (form, op.kind) {
                        (Form::Inplace, Kind::Backward) => dy.to_vec(),
                        (Form::Inplace, _) => x.to_vec(),
                        _ => vec![T::from_bits(0); len],
                    };
                    let mut sums = p.sums.clone();
                    let call = Call {
                        x,
                        dy,
                        out: as_uninit(&mut out),
                        p: &p,
                        channel: &p.channel,
                        sums: &mut sums,
                    };
                    let n = (op.run)(api, form, call);
                    (out, sums, n)
                };
                let want = run(Api::Method(relu));
                let par = Api::Par {
                    relu,
                    from: from_bytes,
                    chunk: CHUNK_BYTES,
                };
                let got = on_pool(threads, || run(par));
                let what = || {
                    format!(
                        "{} {} ({}, len {len})",
                        op.form_name(form),
                        T::NAME,
                        par.name()
                    )
                };
                common::checks::same_bits(&what, &got.0, &want.0, &|i| format!("element {i}"));
                common::checks::same_sums(&what, &got.1, &want.1, &p.sums);
                assert_eq!(got.2, want.2, "MISMATCH {}: zero count", what());
            }
        }
    }
}

/// The parallel forms' length checks run before any chunk: a slice long
/// enough to be split, whose output is one element short, is left untouched.
#[test]
fn length_check_before_any_chunk() {
    stream_long_outputs();
    let len = if MIRI { 64 } else { 100_000 };
    let src = vec![-1.0f32; len];
    let mut dst = vec![7.0f32; len - 1];
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        on_pool(2, || {
            relu_simd::par::with_setting(relu_simd::Activations::active(), 0, 64, || {
                relu_simd::par::relu(&src, &mut dst)
            })
        })
    }));
    let message = *result.expect_err("a panic").downcast::<String>().unwrap();
    assert_eq!(
        message,
        format!("relu: src has {len} elements but dst has {}", len - 1)
    );
    assert!(
        dst.iter().all(|&v| v == 7.0),
        "a chunk ran before the check"
    );
}
