//! x86-64 backends, chosen at run time by `cpufeatures`.

pub(crate) mod avx2;
pub(crate) mod avx512;

cpufeatures::new!(cpuid_avx2, "avx2");
cpufeatures::new!(cpuid_avx512, "avx512f", "avx512bw");

/// Whether the CPU (and OS) support AVX2.
pub(crate) fn has_avx2() -> bool {
    cpuid_avx2::get()
}

/// Whether the CPU (and OS) support AVX-512F and AVX-512BW (byte masks and
/// 16-bit lanes).
pub(crate) fn has_avx512() -> bool {
    cpuid_avx512::get()
}
