//! AVX-512 backend (F + BW, and POPCNT for mask counts): 512-bit
//! registers, compares into mask registers, zero-masking moves and mask
//! blends; float arithmetic is `vaddps`/`vmulps` (and `pd`), rounding to
//! nearest even like the scalar reference. Exact for the reasons in
//! `kernel/steps.rs`.
//!
//! A slice shorter than one register is one masked load and one masked store
//! (byte masks, AVX-512BW); masked-off bytes are neither read nor written, so
//! they cannot fault.

use crate::arch::float_lanes;
use crate::kernel::isa::{Classes, Pick};
use crate::kernel::{HalfFloat, Lanes, Vector};
use core::arch::x86_64::*;

impl Vector for __m512i {
    const BYTES: usize = 64;
    const MASKED_STORES: bool = true;
    const MASKED_LOADS: bool = true;

    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller guarantees AVX-512F and 64 readable bytes at `p`.
        unsafe { _mm512_loadu_si512(p.cast()) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut u8) {
        // SAFETY: the caller guarantees AVX-512F and 64 writable bytes at `p`.
        unsafe { _mm512_storeu_si512(p.cast(), self) }
    }

    #[inline(always)]
    unsafe fn store_stream(self, p: *mut u8) {
        // SAFETY: the caller guarantees AVX-512F and 64 writable bytes at
        // `p`, aligned to 64 as `vmovntdq` needs.
        unsafe { _mm512_stream_si512(p.cast(), self) }
    }

    #[inline(always)]
    unsafe fn separate_load(self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { opaque(self) }
    }

    #[inline(always)]
    unsafe fn load_partial(p: *const u8, bytes: usize) -> Self {
        // SAFETY: the caller guarantees AVX-512BW and `bytes < 64` readable
        // bytes at `p`; the mask selects exactly those.
        unsafe { _mm512_maskz_loadu_epi8(byte_mask(bytes), p.cast()) }
    }

    #[inline(always)]
    unsafe fn store_partial(self, p: *mut u8, bytes: usize) {
        // SAFETY: the caller guarantees AVX-512BW and `bytes < 64` writable
        // bytes at `p`; the mask selects exactly those.
        unsafe { _mm512_mask_storeu_epi8(p.cast(), byte_mask(bytes), self) }
    }

    #[inline(always)]
    unsafe fn load_halves(p: *const u8) -> Self {
        // SAFETY: the caller guarantees AVX-512F and 32 readable bytes at `p`.
        unsafe { _mm512_cvtepi16_epi32(_mm256_loadu_si256(p.cast())) }
    }

    #[inline(always)]
    unsafe fn store_halves(self, p: *mut u8) {
        // SAFETY: the caller guarantees AVX-512F and 32 writable bytes at `p`;
        // `vpmovdw` keeps the low 16 bits of each lane.
        unsafe { _mm256_storeu_si256(p.cast(), _mm512_cvtepi32_epi16(self)) }
    }

    #[inline(always)]
    unsafe fn and(self, other: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_and_si512(self, other) }
    }

    #[inline(always)]
    unsafe fn or(self, other: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_or_si512(self, other) }
    }

    #[inline(always)]
    unsafe fn xor(self, other: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_xor_si512(self, other) }
    }
}

/// `v`, through an empty `asm!` block that the compiler must assume reads
/// and rewrites the register: it cannot merge the load that produced `v`
/// into an instruction after it. No instruction is emitted (an
/// `#[inline]` function rather than `#[inline(always)]`, which target
/// features exclude; it inlines into the AVX-512 kernels, which have the
/// feature). Miri, which runs no `asm!`, gets `v`.
///
/// # Safety
/// The CPU has AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn opaque(v: __m512i) -> __m512i {
    #[cfg(not(miri))]
    {
        let mut v = v;
        // SAFETY: the block is empty: it emits nothing, touches no memory,
        // stack or flags, and leaves the register as it was.
        unsafe {
            core::arch::asm!("/* {0} */", inout(zmm_reg) v, options(pure, nomem, nostack, preserves_flags));
        }
        v
    }
    #[cfg(miri)]
    v
}

/// The mask of the first `bytes < 64` bytes.
#[inline(always)]
fn byte_mask(bytes: usize) -> __mmask64 {
    debug_assert!(bytes < 64);
    (1u64 << bytes) - 1
}

/// The sum of 32 lanes of 16 bits read as unsigned integers: each pair
/// added into its 32-bit lane, then the 16 lanes (at most `32 * 65,535`, no
/// overflow). Three instructions and a reduction, where the default (a
/// store and a sum of the lanes as `u64`, which the compiler made a
/// widening of the lanes to 64 bits) took about twice as many on the
/// count's last steps.
///
/// # Safety
/// The CPU has AVX-512F.
#[inline(always)]
unsafe fn sum_u16(counts: __m512i) -> usize {
    // SAFETY: the caller guarantees AVX-512F.
    unsafe {
        let low = _mm512_and_si512(counts, _mm512_set1_epi32(0xFFFF));
        let pairs = _mm512_add_epi32(low, _mm512_srli_epi32::<16>(counts));
        _mm512_reduce_add_epi32(pairs) as u32 as usize
    }
}

/// Implements [`Lanes`] for lanes of type `$int` with the AVX-512 intrinsics of
/// that width and its mask type.
macro_rules! lanes {
    (
        $int:ty, $mask:ty, $splat:ident, $gt:ident, $eq:ident, $zero_unless:ident,
        $blend:ident, $max:ident, $min:ident, $add:ident, $count_up:ident, $step:literal,
        $sll:ident, $srl:ident, $mask_store:ident
        $(, sub_saturating = $subs:ident)?
        $(, sum = $sum:ident)?
        $(, float_compares = (
            $fcmp:ident, $to_float:ident, $from_float:ident, $float_zero:ident,
            $fmax:ident, $fmin:ident, $fixup:ident
        ))?
    ) => {
        impl Lanes<$int> for __m512i {
            type Mask = $mask;

            // SAFETY (every block below): the caller guarantees AVX-512F and
            // BW (the 16-bit forms), and POPCNT (`mask_count`).

            #[inline(always)]
            unsafe fn splat(x: $int) -> Self {
                // SAFETY: see above.
                unsafe { $splat(x as _) }
            }

            #[inline(always)]
            unsafe fn gt(self, other: Self) -> $mask {
                // SAFETY: see above.
                unsafe { $gt(self, other) }
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> $mask {
                // SAFETY: see above.
                unsafe { $eq(self, other) }
            }

            #[inline(always)]
            unsafe fn both(a: $mask, b: $mask) -> $mask {
                a & b
            }

            #[inline(always)]
            unsafe fn either(a: $mask, b: $mask) -> $mask {
                a | b
            }

            #[inline(always)]
            unsafe fn and_not(a: $mask, b: $mask) -> $mask {
                a & !b
            }

            #[inline(always)]
            unsafe fn zero_unless(mask: $mask, v: Self) -> Self {
                // SAFETY: see above.
                unsafe { $zero_unless(mask, v) }
            }

            #[inline(always)]
            unsafe fn select(mask: $mask, a: Self, b: Self) -> Self {
                // SAFETY: see above. The blend takes its second operand where
                // the mask is set.
                unsafe { $blend(mask, b, a) }
            }

            #[inline(always)]
            unsafe fn max(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $max(self, other) }
            }

            #[inline(always)]
            unsafe fn min(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $min(self, other) }
            }

            #[inline(always)]
            unsafe fn lanes_between(from: usize, to: usize) -> $mask {
                let width = size_of::<$int>();
                let below = |bytes: usize| (1u64 << (bytes / width)).wrapping_sub(1);
                (below(to) & !below(from)) as $mask
            }

            $(
                #[inline(always)]
                unsafe fn sub_saturating(self, other: Self) -> Option<Self> {
                    // SAFETY: see above.
                    unsafe { Some($subs(self, other)) }
                }
            )?

            $(
                #[inline(always)]
                unsafe fn sum(counts: Self) -> usize {
                    // SAFETY: see above.
                    unsafe { $sum(counts) }
                }
            )?

            $(
                #[inline(always)]
                unsafe fn above_zero_or_nan(self) -> Option<$mask> {
                    // SAFETY: see above. `NLE_UQ` is true where `x <= 0` is
                    // false (NaN included) and quiet on quiet NaNs.
                    unsafe { Some($fcmp::<_CMP_NLE_UQ>($to_float(self), $float_zero())) }
                }

                #[inline(always)]
                unsafe fn at_most_zero(self) -> Option<$mask> {
                    // SAFETY: see above. `LE_OQ` is false on NaN, and quiet
                    // on quiet NaNs.
                    unsafe { Some($fcmp::<_CMP_LE_OQ>($to_float(self), $float_zero())) }
                }

                super::float_max_min!($to_float, $from_float, $fmax, $fmin);

                #[inline(always)]
                unsafe fn by_class(self, x: Self, classes: Classes) -> Option<Self> {
                    // SAFETY: see above.
                    unsafe { Some($fixup(self, x, classes)) }
                }
            )?

            #[inline(always)]
            unsafe fn count_into(counts: Self, mask: $mask) -> Self {
                // SAFETY: see above. In the set lanes, `counts - (-1)`, or
                // for 16-bit lanes `counts + 1` saturating, no lane being at
                // its maximum (`Lanes::count_into`): one masked `vpaddusw`,
                // where the compiler turns a masked `vpsubw` into `vpmovm2w`
                // and `vpsubw`.
                unsafe { $count_up(counts, mask, counts, $splat($step)) }
            }

            #[inline(always)]
            unsafe fn mask_count(mask: $mask) -> Option<usize> {
                Some(mask.count_ones() as usize)
            }

            #[inline(always)]
            unsafe fn store_where(self, mask: $mask, p: *mut u8) {
                // SAFETY: see above; the caller guarantees `BYTES` writable
                // bytes at `p`, of which the masked store writes only the
                // lanes set (and faults on none of the others).
                unsafe { $mask_store(p.cast(), mask, self) }
            }

            #[inline(always)]
            unsafe fn add(self, other: Self) -> Self {
                // SAFETY: see above.
                unsafe { $add(self, other) }
            }

            #[inline(always)]
            unsafe fn shl(self, n: u32) -> Self {
                // SAFETY: see above.
                unsafe { $sll(self, _mm_cvtsi32_si128(n as i32)) }
            }

            #[inline(always)]
            unsafe fn shr(self, n: u32) -> Self {
                // SAFETY: see above.
                unsafe { $srl(self, _mm_cvtsi32_si128(n as i32)) }
            }
        }
    };
}

lanes!(
    i16,
    __mmask32,
    _mm512_set1_epi16,
    _mm512_cmpgt_epi16_mask,
    _mm512_cmpeq_epi16_mask,
    _mm512_maskz_mov_epi16,
    _mm512_mask_blend_epi16,
    _mm512_max_epi16,
    _mm512_min_epi16,
    _mm512_add_epi16,
    _mm512_mask_adds_epu16,
    1,
    _mm512_sll_epi16,
    _mm512_srl_epi16,
    _mm512_mask_storeu_epi16,
    sub_saturating = _mm512_subs_epu16,
    sum = sum_u16
);
lanes!(
    i32,
    __mmask16,
    _mm512_set1_epi32,
    _mm512_cmpgt_epi32_mask,
    _mm512_cmpeq_epi32_mask,
    _mm512_maskz_mov_epi32,
    _mm512_mask_blend_epi32,
    _mm512_max_epi32,
    _mm512_min_epi32,
    _mm512_add_epi32,
    _mm512_mask_sub_epi32,
    -1,
    _mm512_sll_epi32,
    _mm512_srl_epi32,
    _mm512_mask_storeu_epi32,
    float_compares = (
        _mm512_cmp_ps_mask,
        _mm512_castsi512_ps,
        _mm512_castps_si512,
        _mm512_setzero_ps,
        _mm512_max_ps,
        _mm512_min_ps,
        fixup_f32
    )
);
lanes!(
    i64,
    __mmask8,
    _mm512_set1_epi64,
    _mm512_cmpgt_epi64_mask,
    _mm512_cmpeq_epi64_mask,
    _mm512_maskz_mov_epi64,
    _mm512_mask_blend_epi64,
    _mm512_max_epi64,
    _mm512_min_epi64,
    _mm512_add_epi64,
    _mm512_mask_sub_epi64,
    -1,
    _mm512_sll_epi64,
    _mm512_srl_epi64,
    _mm512_mask_storeu_epi64,
    float_compares = (
        _mm512_cmp_pd_mask,
        _mm512_castsi512_pd,
        _mm512_castpd_si512,
        _mm512_setzero_pd,
        _mm512_max_pd,
        _mm512_min_pd,
        fixup_f64
    )
);

float_lanes!(
    __m512i,
    f32,
    _mm512_castsi512_ps,
    _mm512_castps_si512,
    _mm512_set1_ps,
    _mm512_add_ps,
    _mm512_sub_ps,
    _mm512_mul_ps
);
float_lanes!(
    __m512i,
    f64,
    _mm512_castsi512_pd,
    _mm512_castpd_si512,
    _mm512_set1_pd,
    _mm512_add_pd,
    _mm512_sub_pd,
    _mm512_mul_pd
);

/// `vfixupimm`'s table for `classes`: a 4-bit token for each class it tells
/// apart (quiet NaN, signalling NaN, zero, `+1.0`, `-inf`, `+inf`, negative,
/// positive, in that order from the low bits), where 0 keeps the
/// destination's lane (`self`), 1 gives the source's (`x`: its bits as they
/// are while denormals-are-zero is clear), 3 the quiet NaN with the sign
/// bit set and no payload ("QNaN indefinite") and 8 `+0.0`.
#[inline(always)]
fn fixup_table(c: Classes) -> u32 {
    let token = |p: Pick| match p {
        Pick::Own => 0,
        Pick::X => 1,
        Pick::NegativeNan => 3,
        Pick::Zero => 8,
    };
    let (nan, low, high) = (token(c.nan), token(c.at_most_zero), token(c.above_zero));
    let by_class = [nan, nan, low, high, low, high, low, high];
    by_class.iter().rev().fold(0, |t, &k| t << 4 | k)
}

/// [`Lanes::by_class`] on f32 lanes, by
/// `vfixupimmps`, reporting no exception (immediate 0).
#[inline(always)]
unsafe fn fixup_f32(own: __m512i, x: __m512i, classes: Classes) -> __m512i {
    // SAFETY: the caller guarantees AVX-512F. The table is in the low 32
    // bits of each lane.
    unsafe {
        let table = _mm512_set1_epi32(fixup_table(classes) as i32);
        let (own, x) = (_mm512_castsi512_ps(own), _mm512_castsi512_ps(x));
        _mm512_castps_si512(_mm512_fixupimm_ps::<0>(own, x, table))
    }
}

/// [`Lanes::by_class`] on f64 lanes, by
/// `vfixupimmpd`, as [`fixup_f32`].
#[inline(always)]
unsafe fn fixup_f64(own: __m512i, x: __m512i, classes: Classes) -> __m512i {
    // SAFETY: as in `fixup_f32`.
    unsafe {
        let table = _mm512_set1_epi64(i64::from(fixup_table(classes)));
        let (own, x) = (_mm512_castsi512_pd(own), _mm512_castsi512_pd(x));
        _mm512_castpd_si512(_mm512_fixupimm_pd::<0>(own, x, table))
    }
}

/// The register of this backend.
pub(crate) type Register = __m512i;

/// f16 conversions by `vcvtph2ps`/`vcvtps2ph` (AVX-512F). Widening is exact
/// for every f16, subnormals included (in the default floating-point
/// environment, as the tests check every pattern; `vcvtps2ph` also ignores
/// flush-to-zero, and the f32 subnormals that denormals-are-zero would flush
/// narrow to a zero of their sign anyway). A NaN stays a NaN of
/// its sign (a signalling one comes out quiet, a change the kernels never
/// store: they store the input's own bits for an input NaN and the canonical
/// NaN for a computed one). Narrowing rounds to nearest even by its immediate,
/// not by the rounding mode, and gives `0x7e00` / `0xfe00` for the canonical
/// NaNs, as the integer code does.
impl HalfFloat for __m512i {
    #[inline(always)]
    unsafe fn f16_to_f32(self) -> Self {
        // SAFETY: the caller guarantees AVX-512F. `vpmovdw` keeps the low 16
        // bits of each lane: the f16 bits.
        unsafe { _mm512_castps_si512(_mm512_cvtph_ps(_mm512_cvtepi32_epi16(self))) }
    }

    #[inline(always)]
    unsafe fn f32_to_f16(self) -> Self {
        // SAFETY: the caller guarantees AVX-512F. The f16 results are
        // zero-extended back into 32-bit lanes.
        unsafe {
            let h = _mm512_cvtps_ph::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
                _mm512_castsi512_ps(self),
            );
            _mm512_cvtepu16_epi32(h)
        }
    }
}
