//! The SIMD kernels, written once over the register traits that each ISA
//! backend implements (`isa.rs`).
//!
//! A backend only says how to load, store, compare, mask and do arithmetic on
//! one register. Everything else is here, once for every backend: how element
//! types are laid out in registers (`stream.rs`, `convert.rs`), the steps and
//! the per-register operations (`steps.rs`, `ops.rs`), the loops (`map.rs`
//! element-wise, reading their inputs as `inputs.rs` says, `rows.rs` row by
//! row with per-channel sums), how their
//! stores to long outputs reach memory (`memory.rs`) and the shapes of
//! kernel built from them (`shapes.rs`).

pub(crate) mod convert;
pub(crate) mod inputs;
pub(crate) mod isa;
pub(crate) mod map;
pub(crate) mod memory;
pub(crate) mod ops;
pub(crate) mod rows;
pub(crate) mod shapes;
pub(crate) mod steps;
pub(crate) mod stream;

pub(crate) use isa::{Float, HalfFloat, Lanes, Register, Vector};
pub(crate) use stream::{Layout, Plain};
