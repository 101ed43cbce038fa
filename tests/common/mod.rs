//! The test harness: one oracle (`oracle.rs`, the contract written from the
//! README's definitions, independently of `src/`), one table of the
//! operations (`table.rs`), and one set of checks walking it (`checks.rs`,
//! `panics.rs`) on guarded buffers, fed by `inputs.rs`. `tests/backends.rs`
//! runs the checks for every backend and element type.
#![allow(dead_code)]

pub mod checks;
pub mod floats;
pub mod inputs;
pub mod oracle;
pub mod panics;
pub mod table;

#[allow(unused_imports)] // Not every test crate uses them.
pub use floats::TestFloat;
#[allow(unused_imports)]
pub use inputs::mixed_inputs;
use relu_simd::{Activations, Backend};

/// Expands `$element_tests!(backend, type)` for every backend and element
/// type, in a module per backend: the one list of backends the tests run
/// against.
#[allow(unused_macros)] // Not every test crate that includes `common` uses it.
macro_rules! every_backend_and_type {
    ($element_tests:ident) => {
        $crate::common::every_backend_and_type!(@backend $element_tests, scalar, Scalar);
        $crate::common::every_backend_and_type!(@backend $element_tests, portable, Portable);
        $crate::common::every_backend_and_type!(@backend $element_tests, avx2, Avx2);
        $crate::common::every_backend_and_type!(@backend $element_tests, avx512, Avx512);
        $crate::common::every_backend_and_type!(@backend $element_tests, neon, Neon);
        $crate::common::every_backend_and_type!(@backend $element_tests, simd128, Simd128);
    };
    (@backend $element_tests:ident, $module:ident, $backend:ident) => {
        mod $module {
            $element_tests!(relu_simd::Backend::$backend, f32);
            $element_tests!(relu_simd::Backend::$backend, f64);
            $element_tests!(relu_simd::Backend::$backend, f16);
            $element_tests!(relu_simd::Backend::$backend, bf16);
        }
    };
}
#[allow(unused_imports)] // As above.
pub(crate) use every_backend_and_type;

/// The backends that `RELU_SIMD_REQUIRE` (comma list) says must run here.
pub fn required_backends() -> Vec<Backend> {
    let list = std::env::var("RELU_SIMD_REQUIRE").unwrap_or_default();
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            name.parse()
                .unwrap_or_else(|_| panic!("RELU_SIMD_REQUIRE names {name:?}, not a backend"))
        })
        .collect()
}

/// The handle of `backend`, or `None` (after saying so) when this CPU lacks it.
/// A backend that `RELU_SIMD_REQUIRE` names must be supported: its tests fail
/// rather than skip.
pub fn handle(backend: Backend) -> Option<Activations> {
    let relu = Activations::new(backend);
    if relu.is_none() {
        assert!(
            !required_backends().contains(&backend),
            "RELU_SIMD_REQUIRE names {backend}, but this CPU does not support it"
        );
        eprintln!("skipped: this CPU does not support {backend}");
    }
    relu
}
