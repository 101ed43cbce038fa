//! Detection of the active backend, the `RELU_SIMD_BACKEND` override, and the
//! cache that makes every later call one relaxed load.

use crate::Backend;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// The active backend's index in [`Backend::ALL`], or [`UNDETECTED`].
static ACTIVE: AtomicU8 = AtomicU8::new(UNDETECTED);
const UNDETECTED: u8 = u8::MAX;

/// The cached active backend, detected on first use.
///
/// Threads that race on the first call each detect and store the same value,
/// so no lock is needed.
#[inline]
pub(crate) fn active() -> Backend {
    match Backend::ALL.get(usize::from(ACTIVE.load(Relaxed))) {
        Some(&backend) => backend,
        None => detect_and_cache(),
    }
}

#[cold]
fn detect_and_cache() -> Backend {
    let backend = detect();
    let index = Backend::ALL.iter().position(|&b| b == backend);
    ACTIVE.store(index.map_or(UNDETECTED, |i| i as u8), Relaxed);
    backend
}

fn detect() -> Backend {
    #[cfg(feature = "std")]
    if let Some(name) = std::env::var_os("RELU_SIMD_BACKEND") {
        match from_override(&name.to_string_lossy()) {
            Ok(Some(backend)) => return backend,
            Ok(None) => {}
            Err(message) => panic!("{message}"),
        }
    }
    best_supported()
}

/// The best backend this CPU supports.
pub(crate) fn best_supported() -> Backend {
    Backend::PREFERENCE
        .into_iter()
        .find(|b| b.is_supported())
        .unwrap_or(Backend::Scalar)
}

/// Reads a `RELU_SIMD_BACKEND` value: `Ok(None)` when empty (no override), the
/// backend when it is known and supported, else the panic message, which
/// lists what this CPU supports.
#[cfg(feature = "std")]
pub(crate) fn from_override(value: &str) -> Result<Option<Backend>, std::string::String> {
    use std::string::ToString;
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let supported: std::vec::Vec<_> = Backend::PREFERENCE
        .into_iter()
        .filter(|b| b.is_supported())
        .map(|b| b.to_string())
        .collect();
    let supported = supported.join(", ");
    match value.parse::<Backend>() {
        Ok(backend) if backend.is_supported() => Ok(Some(backend)),
        Ok(backend) => Err(std::format!(
            "RELU_SIMD_BACKEND={value}: this CPU does not support {backend}; supported here: {supported}"
        )),
        Err(_) => Err(std::format!(
            "RELU_SIMD_BACKEND={value:?} is not a backend name; supported here: {supported}"
        )),
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn override_accepts_supported_backends_and_empty() {
        assert_eq!(from_override(""), Ok(None));
        assert_eq!(from_override(" scalar "), Ok(Some(Backend::Scalar)));
        assert_eq!(from_override("portable"), Ok(Some(Backend::Portable)));
    }

    #[test]
    fn override_rejects_unknown_names_listing_supported_ones() {
        let message = from_override("avx9").unwrap_err();
        assert!(
            message.contains("\"avx9\" is not a backend name"),
            "{message}"
        );
        assert!(message.contains("portable, scalar"), "{message}");
    }

    #[test]
    fn override_rejects_unsupported_backends() {
        for backend in Backend::ALL.into_iter().filter(|b| !b.is_supported()) {
            let message = from_override(backend.name()).unwrap_err();
            assert!(message.contains("does not support"), "{message}");
            assert!(message.contains("scalar"), "{message}");
        }
    }

    #[test]
    fn detection_picks_the_best_supported_backend() {
        let best = best_supported();
        assert!(best.is_supported());
        let better: std::vec::Vec<_> = Backend::PREFERENCE
            .into_iter()
            .take_while(|&b| b != best)
            .collect();
        assert!(
            better.iter().all(|b| !b.is_supported()),
            "{better:?} beat {best}"
        );
    }
}
