//! wasm32 backends. WebAssembly has no run-time feature detection: a module
//! that uses an instruction its engine lacks fails to load, so SIMD is chosen
//! at compile time (`-C target-feature=+simd128`).

#[cfg(target_feature = "simd128")]
pub(crate) mod simd128;
