/* The harness of the C tests, and the element types written independently
 * of the Rust crate: bit casts, and the conversions binary16 and bfloat16
 * <-> float with round-to-nearest-even, from the IEEE 754 definitions. */
#ifndef RELU_SIMD_TEST_COMMON_H
#define RELU_SIMD_TEST_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relu_simd.h"

static unsigned long passed, failed;

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (cond) {                                                           \
            passed++;                                                         \
        } else {                                                              \
            failed++;                                                         \
            if (failed <= 20) {                                               \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);          \
                fprintf(stderr, __VA_ARGS__);                                 \
                fputc('\n', stderr);                                          \
            }                                                                 \
        }                                                                     \
    } while (0)

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

/* xorshift64*: the same inputs on every run and machine. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}
static float f32_from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static double f64_from_bits(uint64_t u) {
    double f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* binary16 -> float, exact (NaN payloads shifted into place). */
static float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0x1f) return f32_from_bits(sign | 0x7f800000u | (m << 13));
    if (e == 0) {
        float v = ldexpf((float)m, -24); /* exact: m < 2^10 */
        return sign ? -v : v;
    }
    return f32_from_bits(sign | ((e + 112u) << 23) | (m << 13));
}

/* float -> binary16, round to nearest, ties to even; not for NaN. */
static uint16_t f32_to_f16(float f) {
    uint32_t x = f32_bits(f), a = x & 0x7fffffffu;
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    if (a >= 0x477ff000u) return sign | 0x7c00u; /* >= 65520: infinity */
    if (a < 0x38800000u) {                       /* below 2^-14: subnormal */
        if (a < 0x33000000u) return sign;        /* below 2^-25: zero */
        uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126u - e; /* m * 2^(e-150) in units of 2^-24 */
        uint32_t q = m >> shift, r = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
        if (r > half || (r == half && (q & 1u))) q++;
        return (uint16_t)(sign | q);
    }
    uint32_t q = (a - 0x38000000u) >> 13, r = a & 0x1fffu;
    if (r > 0x1000u || (r == 0x1000u && (q & 1u))) q++;
    return (uint16_t)(sign | q);
}

static float bf16_to_f32(uint16_t h) { return f32_from_bits((uint32_t)h << 16); }

/* float -> bfloat16, round to nearest, ties to even; not for NaN. */
static uint16_t f32_to_bf16(float f) {
    uint32_t x = f32_bits(f);
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

#endif
