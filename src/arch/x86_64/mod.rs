//! x86-64 backends, chosen at run time by `cpufeatures`.

pub(crate) mod avx2;
pub(crate) mod avx512;

/// [`Lanes::float_max`](crate::kernel::Lanes::float_max) and `float_min` in
/// a `Lanes` impl of an x86 register: `$max`/`$min` are `maxps`/`minps` (or
/// `pd`) of its width, `$to`/`$from` reinterpret it as float lanes and back.
macro_rules! float_max_min {
    ($to:ident, $from:ident, $max:ident, $min:ident) => {
        #[inline(always)]
        unsafe fn float_max(self, bound: Self) -> Option<Self> {
            // SAFETY: the caller guarantees the ISA. `self` is the second
            // operand, which `maxps` returns, unchanged, where either is NaN
            // or both are zeros.
            unsafe { Some($from($max($to(bound), $to(self)))) }
        }

        #[inline(always)]
        unsafe fn float_min(self, bound: Self) -> Option<Self> {
            // SAFETY: as in `float_max`.
            unsafe { Some($from($min($to(bound), $to(self)))) }
        }
    };
}
pub(crate) use float_max_min;

cpufeatures::new!(cpuid_avx2, "avx2");
cpufeatures::new!(cpuid_avx512, "avx512f", "avx512bw", "popcnt");

/// Whether the CPU (and OS) support AVX2.
pub(crate) fn has_avx2() -> bool {
    cpuid_avx2::get()
}

/// Whether the CPU (and OS) support AVX-512F and AVX-512BW (byte masks and
/// 16-bit lanes), and POPCNT (which every AVX-512 CPU has: the zero count
/// counts mask registers with it).
pub(crate) fn has_avx512() -> bool {
    cpuid_avx512::get()
}
