//! The CPU models whose measurements set the crate's per-CPU choices (how
//! long outputs are stored, `kernel/memory.rs`; from what size the parallel
//! forms split, `api/par.rs`; how a class pick takes its lanes,
//! [`class_picks_in_place`]), told apart by `cpuid`. Only x86_64 models are
//! told apart; elsewhere, and under Miri, every CPU is [`Model::Other`].

/// Which of the measured models this CPU is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(all(target_arch = "x86_64", not(miri))), allow(dead_code))]
pub(crate) enum Model {
    /// AMD family 19h without AVX-512: Zen 3 (measured on an AMD EPYC VM,
    /// family 25 model 1; Zen 4, also family 19h, has AVX-512).
    Zen3,
    /// AMD family 1Ah: Zen 5 (measured on an AMD EPYC VM, family 26 model 2,
    /// with AVX-512 and a 32 MiB L3; other CPUs of the family, such as the
    /// client parts whose AVX-512 runs on 256-bit units, take its rules
    /// unmeasured).
    Zen5,
    /// Intel with AVX512-FP16: Sapphire Rapids and later (measured on a Xeon
    /// VM, family 6 model 207; Cascade Lake lacks AVX512-FP16).
    SapphireRapids,
    /// Every other CPU, Cascade Lake and Zen 4 included: the defaults.
    Other,
}

/// This CPU's [`Model`], identified once: `cpuid`, which a virtual machine
/// may trap (tens of microseconds), runs at the first call only.
#[inline]
pub(crate) fn model() -> Model {
    use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
    const UNKNOWN: u8 = u8::MAX;
    static MODEL: AtomicU8 = AtomicU8::new(UNKNOWN);
    const MODELS: [Model; 4] = [
        Model::Zen3,
        Model::Zen5,
        Model::SapphireRapids,
        Model::Other,
    ];
    if let Some(&m) = MODELS.get(usize::from(MODEL.load(Relaxed))) {
        return m;
    }
    // Racing threads store the same answer.
    let m = identify();
    MODEL.store(m as u8, Relaxed);
    m
}

/// Identifies this CPU's [`Model`] by `cpuid`.
#[cold]
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
        if amd && family == 0x1A {
            return Model::Zen5;
        }
        if intel && avx512fp16 {
            return Model::SapphireRapids;
        }
    }
    Model::Other
}

/// Whether a class pick (AVX-512's `vfixupimm`) should take its lanes from
/// its own source rather than from a third register, where an operation
/// can be written either way (`Arith::relu_narrow`): on AMD Zen 5. On the
/// Zen 5 VM (2026-12-07), a loop of loads, `vfixupimmps` and stores over
/// 8-16 KiB in L1 took 1.43-1.49x the time of the same loop with the
/// destination the source; bias + ReLU's add and pick 1.31-1.40x, with
/// the pick in place and an AND 1.01-1.03x. Elsewhere the third register
/// costs at most a register move, and the AND is one instruction more for the same
/// ALU ports as the pick: not taken there (unmeasured).
#[inline]
pub(crate) fn class_picks_in_place() -> bool {
    model() == Model::Zen5
}

/// Whether this thread's floating-point environment compares subnormal
/// inputs as themselves, so that a float compare is exact on every bit
/// pattern ([`Lanes::above_zero_or_nan`](crate::kernel::Lanes::above_zero_or_nan)):
/// on x86_64, whether MXCSR's denormals-are-zero bit (6) is clear. Engines
/// set it (with flush-to-zero, which no compare reads) on their threads, and
/// the kernels' answers must not change, so each call asks: one `ucomiss`
/// of the least positive subnormal against zero, which reads it as zero
/// exactly when the bit is set. Reading MXCSR itself (`stmxcsr`) cost
/// 4-5 ns per call on an AMD Zen 5 VM (family 26: 5.2-5.4 ns against
/// 1.0 ns for an empty call), the compare a few cycles. The compare sets
/// MXCSR's sticky denormal-operand flag (where denormals-are-zero is clear),
/// as the kernels' float compares do on subnormal data; the exceptions are
/// masked in every Rust program. `false` elsewhere
/// and under Miri (which has no inline assembly): the kernels then compare
/// the bits as integers.
#[inline(always)]
pub(crate) fn subnormals_kept() -> bool {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse", not(miri)))]
    {
        let above: u8;
        // SAFETY: `ucomiss` and `seta` (SSE, on every x86_64 CPU) read two
        // registers and write the flags and one byte register; no memory.
        // Assembly, not a Rust compare, so that the compiler, which assumes
        // the default environment, cannot answer it without the CPU.
        unsafe {
            core::arch::asm!(
                "ucomiss {tiny}, {zero}",
                "seta {above}",
                tiny = in(xmm_reg) f32::from_bits(1),
                zero = in(xmm_reg) 0.0f32,
                above = out(reg_byte) above,
                options(nomem, nostack)
            );
        }
        above != 0
    }
    // Targets whose baseline lacks SSE registers (`x86_64-unknown-none`,
    // soft float) cannot name them in assembly: there MXCSR is read.
    #[cfg(all(target_arch = "x86_64", not(target_feature = "sse"), not(miri)))]
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
