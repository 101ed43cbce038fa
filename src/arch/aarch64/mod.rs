//! aarch64 backends. NEON is part of the aarch64 baseline, so it is chosen at
//! compile time.

pub(crate) mod neon;
