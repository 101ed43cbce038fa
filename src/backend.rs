//! The [`Backend`] enum: which kernel implementation runs.

use core::fmt;
use core::str::FromStr;

/// A kernel implementation. Every backend returns the same bits for every
/// input; they differ only in speed and in which CPUs can run them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The reference: one element at a time, written from the definition.
    Scalar,
    /// `wide` vectors for the compile target's baseline (SSE2 on x86-64, NEON
    /// on aarch64, simd128 on wasm32 when enabled). Runs everywhere.
    Portable,
    /// x86-64 AVX2 intrinsics (256-bit), chosen at run time.
    Avx2,
    /// x86-64 AVX-512F + AVX-512BW intrinsics (512-bit, masked tails),
    /// chosen at run time; also requires POPCNT (every AVX-512 CPU has it).
    Avx512,
    /// aarch64 NEON intrinsics (128-bit).
    Neon,
    /// WebAssembly `simd128` intrinsics (128-bit), chosen at compile time:
    /// supported when the crate is built with `-C target-feature=+simd128`.
    Simd128,
}

impl Backend {
    /// Every backend, in declaration order.
    pub const ALL: [Backend; 6] = [
        Backend::Scalar,
        Backend::Portable,
        Backend::Avx2,
        Backend::Avx512,
        Backend::Neon,
        Backend::Simd128,
    ];

    /// Best first: the order in which detection tries them.
    pub(crate) const PREFERENCE: [Backend; 6] = [
        Backend::Avx512,
        Backend::Avx2,
        Backend::Neon,
        Backend::Simd128,
        Backend::Portable,
        Backend::Scalar,
    ];

    /// The backend that the free functions ([`relu_inplace`](crate::relu_inplace)
    /// and the others) use: the best one this CPU supports, or the one named by
    /// the `RELU_SIMD_BACKEND` environment variable (with the `std` feature).
    /// Detected on first use, then cached.
    ///
    /// # Panics
    ///
    /// On first use, if `RELU_SIMD_BACKEND` names an unknown backend or one
    /// this CPU does not support. The message lists the supported ones.
    ///
    /// ```
    /// let backend = relu_simd::Backend::active();
    /// assert!(backend.is_supported());
    /// println!("relu-simd runs {backend}");
    /// ```
    #[inline]
    pub fn active() -> Backend {
        crate::dispatch::active()
    }

    /// Whether this CPU can run the backend. `Scalar` and `Portable` always can.
    ///
    /// ```
    /// use relu_simd::Backend;
    /// assert!(Backend::Scalar.is_supported());
    /// let available: Vec<Backend> = Backend::ALL.into_iter().filter(|b| b.is_supported()).collect();
    /// assert!(available.contains(&Backend::active()));
    /// ```
    pub fn is_supported(self) -> bool {
        match self {
            Backend::Scalar | Backend::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => crate::arch::x86_64::has_avx2(),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => crate::arch::x86_64::has_avx512(),
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Backend::Neon => true,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Backend::Simd128 => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The lower-case name used by [`Display`](fmt::Display), [`FromStr`] and
    /// `RELU_SIMD_BACKEND`: `scalar`, `portable`, `avx2`, `avx512`, `neon`, `simd128`.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Portable => "portable",
            Backend::Avx2 => "avx2",
            Backend::Avx512 => "avx512",
            Backend::Neon => "neon",
            Backend::Simd128 => "simd128",
        }
    }
}

// The kernel tables and the detection cache index by `Backend as usize`.
const _: () = {
    let mut i = 0;
    while i < Backend::ALL.len() {
        assert!(Backend::ALL[i] as usize == i);
        i += 1;
    }
};

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a [`Backend`] from a string that names none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseBackendError;

impl fmt::Display for ParseBackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a backend name (expected scalar, portable, avx2, avx512, neon or simd128)")
    }
}

impl core::error::Error for ParseBackendError {}

impl FromStr for Backend {
    type Err = ParseBackendError;

    /// Parses a [`Backend::name`] (exact, lower case).
    ///
    /// ```
    /// use relu_simd::Backend;
    /// assert_eq!("avx2".parse(), Ok(Backend::Avx2));
    /// assert!("AVX2".parse::<Backend>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or(ParseBackendError)
    }
}
