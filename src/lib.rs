// The crate docs are the README: one copy of the contract, whose examples
// run as doc tests.
#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

#[cfg(feature = "std")]
extern crate std;

// The layers, each using only those before it: `element` (the float
// formats); `kernel` (the SIMD kernels, written once); `arch` (the ISAs) and
// `scalar` (the reference); `kernels` (one type per operation and direction);
// `backend` and `dispatch`; `api`.
mod api;
mod arch;
mod backend;
mod cpu;
mod dispatch;
mod element;
mod kernel;
mod kernels;
mod scalar;

pub use api::*;
pub use backend::{Backend, ParseBackendError};
pub use bytemuck;
pub use element::{Element, Wide, WideFloat};
pub use half;

/// The kernels' size thresholds, for the tests, which must reach both sides
/// of them; not part of the API.
#[doc(hidden)]
pub mod thresholds {
    /// Bytes from which the kernels start their loop at the first aligned
    /// output address.
    pub const ALIGN_FROM: usize = crate::kernel::map::ALIGN_FROM;
    /// Bytes from which the kernels prefetch an output that is none of
    /// their inputs on the CPUs without a rule of their own (some prefetch
    /// from less, some never).
    pub const PREFETCH_FROM: usize = crate::kernel::memory::PREFETCH_FROM;
    /// Bytes from which the kernels store an output that is none of their
    /// inputs with non-temporal stores on this CPU (`usize::MAX`: never).
    pub fn stream_from() -> usize {
        crate::kernel::memory::stream_from()
    }
    pub use crate::kernel::memory::{
        set_clears_in_place, set_prefetch_from, set_separate_loads_from, set_stream_ahead,
        set_stream_from,
    };
}
