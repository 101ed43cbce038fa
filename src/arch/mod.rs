//! One module per instruction set. Each implements the register traits of
//! [`kernel::isa`](crate::kernel::isa) for its register type, which it names
//! `Register`; [`dispatch`](crate::dispatch) compiles the kernels for it.

pub(crate) mod portable;

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;

#[cfg(target_arch = "aarch64")]
pub(crate) mod aarch64;

#[cfg(target_arch = "wasm32")]
pub(crate) mod wasm32;

/// Implements [`Float`](crate::kernel::Float) for `$float` lanes of the
/// register `$reg` with the ISA's intrinsics: `$to`/`$from` reinterpret the
/// register as float lanes and back (no instruction), `$splat`, `$add`,
/// `$sub`, `$mul` are the IEEE operations of that lane type. Used inside each
/// ISA's module, so the intrinsics' target features are the kernels'.
/// (`simd128`'s intrinsics are safe functions: it writes its own.)
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
macro_rules! float_lanes {
    ($reg:ty, $float:ty, $to:ident, $from:ident, $splat:ident, $add:ident, $sub:ident, $mul:ident) => {
        impl $crate::kernel::Float<$float> for $reg {
            // SAFETY (every block below): the caller guarantees the ISA of
            // this module; the casts only reinterpret bits.

            #[inline(always)]
            unsafe fn fsplat(x: $float) -> Self {
                // SAFETY: see above.
                unsafe { $from($splat(x)) }
            }

            #[inline(always)]
            unsafe fn fadd(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $from($add($to(self), $to(other))) }
            }

            #[inline(always)]
            unsafe fn fsub(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $from($sub($to(self), $to(other))) }
            }

            #[inline(always)]
            unsafe fn fmul(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $from($mul($to(self), $to(other))) }
            }
        }
    };
}
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) use float_lanes;
