//! The ReLU family (leaky ReLU, PReLU, clamp, ReLU6, bias + ReLU, ReLU with a
//! zero count): one test body per backend and element type, against the
//! contract of `tests/common/family.rs`, bit for bit; and the free functions.
//! Backends this CPU lacks are skipped with a note, unless
//! `RELU_SIMD_REQUIRE` names them: then their tests fail.

mod common;

/// The tests of one backend for one element type.
macro_rules! element_tests {
    ($backend:expr, $t:ident) => {
        mod $t {
            use crate::common::family::*;
            #[allow(unused_imports)]
            use relu_simd::half::{bf16, f16};

            fn api() -> Option<Api> {
                crate::common::handle($backend).map(Api::Method)
            }

            #[test]
            fn every_length_and_offset() {
                if let Some(api) = api() {
                    check_lengths_and_offsets::<$t>(api);
                }
            }

            #[test]
            fn special_alphas() {
                if let Some(api) = api() {
                    check_special_alphas::<$t>(api);
                }
            }

            #[test]
            fn special_clamp_bounds() {
                if let Some(api) = api() {
                    check_special_bounds::<$t>(api);
                }
            }

            #[test]
            fn special_slopes_and_biases() {
                if let Some(api) = api() {
                    check_special_broadcast::<$t>(api);
                }
            }

            #[test]
            fn channel_counts_and_rows() {
                if let Some(api) = api() {
                    check_channel_counts::<$t>(api);
                }
            }

            #[test]
            fn sweep() {
                if let Some(api) = api() {
                    check_sweep::<$t>(api);
                }
            }

            #[test]
            fn long_slices() {
                if let Some(api) = api() {
                    check_long_slices::<$t>(api);
                }
            }

            #[test]
            fn long_zero_count() {
                if let Some(api) = api() {
                    check_long_zero_count::<$t>(api);
                }
            }

            #[test]
            #[cfg_attr(target_family = "wasm", ignore = "panics abort on wasm")]
            fn panics_before_writing() {
                if let Some(api) = api() {
                    check_panics::<$t>(api);
                }
            }

            #[test]
            fn proptest_elementwise() {
                if let Some(api) = api() {
                    prop_elementwise::<$t>(api, file!());
                }
            }

            #[test]
            fn proptest_channels() {
                if let Some(api) = api() {
                    prop_channels::<$t>(api, file!());
                }
            }
        }
    };
}

common::every_backend_and_type!(element_tests);

/// The free functions (the active backend): the same contract on a few
/// lengths and special values, and the same panics.
mod free_functions {
    use crate::common::family::*;
    use crate::common::{OFFSETS, mixed_inputs};

    fn contract<T: FamilyFloat>() {
        let alphas = special_alphas();
        let bounds = ordered_bounds::<T>();
        let lens: Vec<usize> = if cfg!(miri) {
            vec![1, 9]
        } else {
            (0..=70).collect()
        };
        for len in lens {
            let offset = len % OFFSETS;
            let x = mixed_inputs::<T>(len, len as u64);
            let dy = mixed_inputs::<T>(len, len as u64 + 1000);
            let (lo, hi) = bounds[len * 7 % bounds.len()];
            check_elementwise(
                Api::Free,
                &x,
                &dy,
                offset,
                alphas[len % alphas.len()],
                lo,
                hi,
            );
            let channels = if len % 2 == 0 { len.min(1) } else { len };
            let slopes = mixed_inputs::<T>(channels, len as u64 + 2000);
            let bias = mixed_inputs::<T>(channels, len as u64 + 3000);
            let acc = wide_inits::<T::W>(channels, len);
            check_channels(Api::Free, &x, &dy, &slopes, &bias, &acc, offset);
        }
        if !cfg!(miri) {
            check_special_broadcast::<T>(Api::Free);
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
