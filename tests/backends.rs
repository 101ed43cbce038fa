//! One test body, run for every backend and every element type, against the
//! contract bit for bit. Backends this CPU lacks are skipped with a note,
//! unless `RELU_SIMD_REQUIRE` names them: then their tests fail.

mod common;

/// The tests of one backend for one element type.
macro_rules! element_tests {
    ($backend:expr, $t:ident) => {
        mod $t {
            use crate::common::*;
            use proptest::prelude::*;
            #[allow(unused_imports)]
            use relu_simd::half::{bf16, f16};

            #[test]
            fn every_length_and_offset() {
                check_every_length_and_offset::<$t>($backend);
            }

            #[test]
            fn long_slice() {
                check_long_slice::<$t>($backend);
            }

            #[test]
            fn special_value_pairs() {
                check_special_pairs::<$t>($backend);
            }

            #[test]
            fn sweep() {
                check_sweep::<$t>($backend);
            }

            proptest! {
                #![proptest_config(proptest_config())]
                #[test]
                fn matches_contract(
                    input in prop::collection::vec(element::<$t>(), 0..=max_len::<$t>()),
                    offset in 0usize..=7,
                ) {
                    if let Some(relu) = handle($backend) {
                        check_all_operations(relu, &input, offset);
                    }
                }
            }
        }
    };
}

common::every_backend_and_type!(element_tests);
