//! Which kernel runs: every [`Kernel`] compiled for every backend's register
//! with its target features, the match from a [`Backend`] to those, the
//! detection of the active backend, the `RELU_SIMD_BACKEND` override, and the
//! cache that makes every later call one relaxed load.

use crate::Backend;
use crate::arch;
use crate::element::{Element, Kind};
use crate::kernel::{Layout, Register};
use crate::kernels::{Inputs, Kernel, Output, Params};
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Defines `$name::<T, K>`: kernel `K`'s SIMD form for the register `$reg`,
/// compiled with `$features` so that the ISA's intrinsics inline.
macro_rules! compiled {
    ($(#[$cfg:meta])* $name:ident, $reg:ty $(, $features:literal)?) => {
        /// Runs `K::simd` with this backend's register. Never inlined (with
        /// target features it cannot be), so that the dispatching `match`
        /// stays a few instructions at every call site.
        ///
        /// # Safety
        /// As [`Kernel::simd`].
        $(#[$cfg])*
        $(#[target_feature(enable = $features)])?
        #[inline(never)]
        unsafe fn $name<T: Layout, K: Kernel>(src: Inputs<T>, dst: Output<T>, p: &Params<T>) -> usize
        where
            $reg: Register<T>,
        {
            // SAFETY: forwarded from the caller.
            unsafe { K::simd::<T, $reg>(src, dst, p) }
        }
    };
}

compiled!(portable, arch::portable::Register);
compiled!(
    #[cfg(target_arch = "x86_64")]
    avx2,
    arch::x86_64::avx2::Register,
    "avx2"
);
compiled!(
    #[cfg(target_arch = "x86_64")]
    avx512,
    arch::x86_64::avx512::Register,
    "avx512f,avx512bw,popcnt"
);
compiled!(
    #[cfg(target_arch = "aarch64")]
    neon,
    arch::aarch64::neon::Register,
    "neon"
);
compiled!(
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd128,
    arch::wasm32::simd128::Register
);

/// Runs `K::scalar`; out of line, as the compiled kernels.
///
/// # Safety
/// As [`Kernel::scalar`].
#[inline(never)]
unsafe fn scalar<T: Layout, K: Kernel>(src: Inputs<T>, dst: Output<T>, p: &Params<T>) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { K::scalar::<T>(src, dst, p) }
}

/// Runs kernel `K` on `backend` for any element type: the match on
/// [`Format::KIND`](crate::element::Format::KIND) picks the instantiation for `T`'s own type (at compile
/// time: `KIND` is a constant), then the match on the backend its compiled
/// kernel, or the scalar reference.
///
/// # Safety
/// As [`Kernel::simd`], where the CPU supports `backend`.
#[inline(always)]
pub(crate) unsafe fn run<T: Element, K: Kernel>(
    backend: Backend,
    src: Inputs<T>,
    dst: Output<T>,
    p: &Params<T>,
) -> usize {
    macro_rules! as_type {
        ($t:ty) => {{
            let src = Inputs {
                x: src.x.cast::<$t>(),
                dy: src.dy.cast::<$t>(),
            };
            let dst = Output {
                out: dst.out.cast::<$t>(),
                len: dst.len,
            };
            // SAFETY: `T::KIND` names `T` itself (each of the four types has
            // its own, and `Format` is sealed), so `T` is `$t` and the casts
            // are the identity; the rest is forwarded from the caller, who
            // checked that the CPU supports `backend`.
            unsafe {
                let p = &*core::ptr::from_ref(p).cast::<Params<$t>>();
                match backend {
                    Backend::Portable => portable::<$t, K>(src, dst, p),
                    #[cfg(target_arch = "x86_64")]
                    Backend::Avx2 => avx2::<$t, K>(src, dst, p),
                    #[cfg(target_arch = "x86_64")]
                    Backend::Avx512 => avx512::<$t, K>(src, dst, p),
                    #[cfg(target_arch = "aarch64")]
                    Backend::Neon => neon::<$t, K>(src, dst, p),
                    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                    Backend::Simd128 => simd128::<$t, K>(src, dst, p),
                    // The reference; also for backends not built for this
                    // architecture, which are never supported, so never
                    // passed here.
                    _ => scalar::<$t, K>(src, dst, p),
                }
            }
        }};
    }
    match T::KIND {
        Kind::F32 => as_type!(f32),
        Kind::F64 => as_type!(f64),
        Kind::F16 => as_type!(half::f16),
        Kind::Bf16 => as_type!(half::bf16),
    }
}

/// The active backend (`Backend as u8`, its index in [`Backend::ALL`]), or
/// [`UNDETECTED`].
static ACTIVE: AtomicU8 = AtomicU8::new(UNDETECTED);
const UNDETECTED: u8 = u8::MAX;

/// The cached active backend, detected on first use.
#[inline]
pub(crate) fn active() -> Backend {
    cached(&ACTIVE, detect)
}

/// The backend stored in `cache`, or `detect()`'s answer, stored for later.
///
/// Threads that race on the first call may each detect (at most once per
/// racing thread); they all compute and store the same value, so a relaxed
/// atomic is enough and no lock is needed.
#[inline(always)]
fn cached(cache: &AtomicU8, detect: fn() -> Backend) -> Backend {
    match Backend::ALL.get(usize::from(cache.load(Relaxed))) {
        Some(&backend) => backend,
        None => detect_and_store(cache, detect),
    }
}

#[cold]
#[inline(never)]
fn detect_and_store(cache: &AtomicU8, detect: fn() -> Backend) -> Backend {
    let backend = detect();
    cache.store(backend as u8, Relaxed);
    backend
}

fn detect() -> Backend {
    crate::kernel::memory::decide();
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
    #[cfg_attr(target_family = "wasm", ignore = "no threads on wasm32-wasip1")]
    fn racing_first_calls_agree_and_detect_at_most_once_each() {
        use std::sync::Barrier;
        use std::sync::atomic::AtomicUsize;
        static CACHE: AtomicU8 = AtomicU8::new(UNDETECTED);
        static DETECTIONS: AtomicUsize = AtomicUsize::new(0);
        fn counting_detect() -> Backend {
            DETECTIONS.fetch_add(1, Relaxed);
            best_supported()
        }
        const THREADS: usize = 16;
        let barrier = Barrier::new(THREADS);
        let seen: std::vec::Vec<Backend> = std::thread::scope(|s| {
            let handles: std::vec::Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        let first = cached(&CACHE, counting_detect);
                        for _ in 0..100 {
                            assert_eq!(cached(&CACHE, counting_detect), first);
                        }
                        first
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(seen.iter().all(|&b| b == best_supported()), "{seen:?}");
        let detections = DETECTIONS.load(Relaxed);
        assert!(
            (1..=THREADS).contains(&detections),
            "{detections} detections"
        );
        cached(&CACHE, counting_detect);
        assert_eq!(
            DETECTIONS.load(Relaxed),
            detections,
            "detected again after caching"
        );
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
