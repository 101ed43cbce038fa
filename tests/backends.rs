//! One test body, run for every backend and every element type: every
//! operation of the table in every form, against the oracle bit for bit.
//! Backends this CPU lacks are skipped with a note, unless
//! `RELU_SIMD_REQUIRE` names them: then their tests fail. And the free
//! functions (the active backend).

mod common;

/// The tests of one backend for one element type.
macro_rules! element_tests {
    ($backend:expr, $t:ident) => {
        mod $t {
            use crate::common::checks::*;
            use crate::common::panics::check_panics;
            use crate::common::table::Api;
            #[allow(unused_imports)]
            use relu_simd::half::{bf16, f16};

            /// Runs `check` unless this CPU lacks the backend.
            fn run(check: impl FnOnce(Api)) {
                if let Some(api) = crate::common::handle($backend).map(Api::Method) {
                    check(api);
                }
            }

            #[test]
            fn every_length_and_offset() {
                run(check_lengths_and_offsets::<$t>);
            }

            #[test]
            fn special_values() {
                run(check_special_values::<$t>);
            }

            #[test]
            fn special_clamp_bounds() {
                run(check_special_bounds::<$t>);
            }

            #[test]
            fn special_channel_values() {
                run(check_special_channels::<$t>);
            }

            #[test]
            fn channel_counts_and_rows() {
                run(check_channel_counts::<$t>);
            }

            #[test]
            fn sweep() {
                run(check_sweep::<$t>);
            }

            #[test]
            fn long_slices() {
                run(check_long_slices::<$t>);
            }

            #[test]
            fn long_zero_count() {
                run(check_long_zero_count::<$t>);
            }

            #[test]
            #[cfg_attr(target_family = "wasm", ignore = "panics abort on wasm")]
            fn panics_before_writing() {
                run(check_panics::<$t>);
            }

            #[test]
            fn proptest_every_operation() {
                run(|api| prop_every_operation::<$t>(api, file!()));
            }
        }
    };
}

common::every_backend_and_type!(element_tests);

/// The free functions (the active backend): every operation on a few lengths
/// and the special per-channel values, and the same panics.
mod free_functions {
    use crate::common::TestFloat;
    use crate::common::checks::*;
    use crate::common::inputs::{MIRI, OFFSETS, mixed_inputs};
    use crate::common::panics::check_panics;
    use crate::common::table::Api;

    fn contract<T: TestFloat>() {
        let lens: Vec<usize> = if MIRI { vec![1, 9] } else { (0..=70).collect() };
        for len in lens {
            let channels = if len % 2 == 0 { len.min(1) } else { len };
            let case = Case {
                x: mixed_inputs::<T>(len, len as u64),
                dy: mixed_inputs::<T>(len, len as u64 + 1000),
                p: params(len, mixed_inputs::<T>(channels, len as u64 + 2000)),
                offset: len % OFFSETS,
            };
            case.check(Api::Free);
        }
        if !MIRI {
            check_special_channels::<T>(Api::Free);
        }
    }

    macro_rules! free_tests {
        ($t:ident) => {
            mod $t {
                use super::*;
                #[allow(unused_imports)]
                use relu_simd::half::{bf16, f16};

                #[test]
                fn match_the_contract() {
                    contract::<$t>();
                }

                #[test]
                #[cfg_attr(target_family = "wasm", ignore = "panics abort on wasm")]
                fn panic_before_writing() {
                    check_panics::<$t>(Api::Free);
                }
            }
        };
    }

    free_tests!(f32);
    free_tests!(f64);
    free_tests!(f16);
    free_tests!(bf16);
}
