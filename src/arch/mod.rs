//! One module per instruction set. Each implements [`Vector`](crate::kernel::Vector)
//! and [`Lanes`](crate::kernel::Lanes) for its register type and instantiates the
//! shared kernels with [`backend_kernels!`](crate::kernel::backend_kernels).

pub(crate) mod portable;

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;

#[cfg(target_arch = "aarch64")]
pub(crate) mod aarch64;
