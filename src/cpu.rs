//! The CPU models whose measurements set the crate's per-CPU choices (how
//! long outputs are stored, `kernel/memory.rs`; from what size the parallel
//! forms split, `api/par.rs`), told apart by `cpuid`. Only x86_64 models are
//! told apart; elsewhere, and under Miri, every CPU is [`Model::Other`].

/// Which of the measured models this CPU is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(all(target_arch = "x86_64", not(miri))), allow(dead_code))]
pub(crate) enum Model {
    /// AMD family 19h without AVX-512: Zen 3 (measured on an AMD EPYC VM,
    /// family 25 model 1; Zen 4, also family 19h, has AVX-512).
    Zen3,
    /// Intel with AVX512-FP16: Sapphire Rapids and later (measured on a Xeon
    /// VM, family 6 model 207; Cascade Lake lacks AVX512-FP16).
    SapphireRapids,
    /// Every other CPU, Cascade Lake and Zen 4 included: the defaults.
    Other,
}

/// This CPU's [`Model`], identified once: `cpuid`, which a virtual machine
/// may trap (tens of microseconds), runs at the first call only.
pub(crate) fn model() -> Model {
    use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
    const UNKNOWN: u8 = u8::MAX;
    static MODEL: AtomicU8 = AtomicU8::new(UNKNOWN);
    const MODELS: [Model; 3] = [Model::Zen3, Model::SapphireRapids, Model::Other];
    if let Some(&m) = MODELS.get(usize::from(MODEL.load(Relaxed))) {
        return m;
    }
    // Racing threads store the same answer.
    let m = identify();
    MODEL.store(m as u8, Relaxed);
    m
}

/// Identifies this CPU's [`Model`] by `cpuid`.
fn identify() -> Model {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        use core::arch::x86_64::{__cpuid, __cpuid_count};
        // SAFETY: `cpuid` exists on every x86_64 CPU and only reads
        // identification registers (a safe function on recent Rust).
        #[allow(unused_unsafe)]
        let (vendor, signature, features) =
            unsafe { (__cpuid(0), __cpuid(1).eax, __cpuid_count(7, 0)) };
        let vendor = (vendor.ebx, vendor.edx, vendor.ecx);
        let amd = vendor == (0x6874_7541, 0x6974_6e65, 0x444d_4163); // AuthenticAMD
        let intel = vendor == (0x756e_6547, 0x4965_6e69, 0x6c65_746e); // GenuineIntel
        // The family is the base family (bits 8-11) plus, for base family
        // 0xF, the extended family (bits 20-27).
        let family = (signature >> 8 & 0xF) + (signature >> 20 & 0xFF);
        let avx512f = features.ebx & 1 << 16 != 0;
        let avx512fp16 = features.edx & 1 << 23 != 0;
        if amd && family == 0x19 && !avx512f {
            return Model::Zen3;
        }
        if intel && avx512fp16 {
            return Model::SapphireRapids;
        }
    }
    Model::Other
}

/// Whether this thread's floating-point environment compares subnormal
/// inputs as themselves, so that a float compare is exact on every bit
/// pattern ([`Lanes::above_zero_or_nan`](crate::kernel::Lanes::above_zero_or_nan)):
/// on x86_64, MXCSR's denormals-are-zero bit (6) is clear. Engines set it
/// (with flush-to-zero, which no compare reads) on their threads, and the
/// kernels' answers must not change, so each call reads it: `stmxcsr` and a
/// load, a few cycles. `false` elsewhere and under Miri (which has no inline
/// assembly): the kernels then compare the bits as integers.
#[inline(always)]
pub(crate) fn subnormals_kept() -> bool {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        let mut mxcsr = 0u32;
        // SAFETY: `stmxcsr` (SSE, on every x86_64 CPU) writes the 4 bytes of
        // `mxcsr` and nothing else.
        unsafe {
            core::arch::asm!(
                "stmxcsr [{}]",
                in(reg) &raw mut mxcsr,
                options(nostack, preserves_flags)
            );
        }
        mxcsr & 1 << 6 == 0
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    false
}
