//! The store paths the kernels take only on some CPUs, on every backend and
//! element type: the non-temporal stores of long outputs (used only where
//! they were measured to win, for outputs of megabytes), with their input
//! streams prefetched ahead (where measured; here 256 bytes ahead, so that
//! some prefetches are kept inside an input and some are not); ReLU in
//! place by masked stores of the lanes it clears (used only where measured,
//! with AVX-512; other backends stand in with a load, select and store); and
//! the gradients with their inputs loaded separately (AVX-512, where
//! measured; other backends have no masked loads, so no choice). This test
//! binary turns all of them on for its whole process (the settings are
//! global, hence a binary of its own), streaming from the least it can, the
//! 2 KiB from which the loops' stores are aligned, so that the length,
//! offset and channel checks of `tests/backends.rs` run their outputs
//! through these loops on every CPU. `f32` and `f16` cover both ways a loop
//! stores (whole registers; 16-bit halves of 32-bit lanes; in place, 32- and
//! 16-bit lanes), and keep this binary quick to build; the scalar reference
//! has no such stores.

mod common;

/// The streamed tests of one backend for one element type.
macro_rules! element_tests {
    ($backend:expr, $t:ident) => {
        mod $t {
            use crate::common::checks::*;
            use crate::common::inputs::ALIGN_FROM;
            use crate::common::table::Api;
            #[allow(unused_imports)]
            use relu_simd::half::{bf16, f16};
            use relu_simd::thresholds::{
                set_clears_in_place, set_separate_loads_from, set_stream_ahead, set_stream_from,
                stream_from,
            };

            /// Streams from [`ALIGN_FROM`] on, prefetching the inputs, clears
            /// in place and loads the gradients' inputs separately at every
            /// size, then runs `check` unless this CPU lacks the backend.
            fn run(check: impl FnOnce(Api)) {
                set_stream_from(Some(0));
                set_stream_ahead(Some(256));
                set_clears_in_place(Some(true));
                set_separate_loads_from(Some(0));
                assert_eq!(stream_from(), ALIGN_FROM);
                if let Some(api) = crate::common::handle($backend).map(Api::Method) {
                    check(api);
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
            fn long_zero_count() {
                run(check_long_zero_count::<$t>);
            }
        }
    };
}

/// The streamed tests of one backend.
macro_rules! backend_tests {
    ($module:ident, $backend:ident) => {
        mod $module {
            element_tests!(relu_simd::Backend::$backend, f32);
            element_tests!(relu_simd::Backend::$backend, f16);
        }
    };
}

backend_tests!(portable, Portable);
backend_tests!(avx2, Avx2);
backend_tests!(avx512, Avx512);
backend_tests!(neon, Neon);
backend_tests!(simd128, Simd128);
