/* The contract of the C API, checked from C for every operation, form and
 * element type on the backend that RELU_SIMD_BACKEND names (.ci/capi.sh runs
 * it once per backend this CPU has: the backend is chosen once per process).
 *
 *   contract            the whole contract; the backend must be the one named
 *                       by RELU_SIMD_BACKEND, if set
 *   contract --invalid  RELU_SIMD_BACKEND is invalid: every function must
 *                       return RELU_SIMD_ERR_BACKEND and write nothing
 *
 * Prints "N passed, M failed" and exits non-zero on any failure. */
#include "common.h"

#define S f32
#define T float
#define W float
#define TB uint32_t
#define T_WIDE(x) (x)
#define T_ROUND(w) (w)
#define T_CANON 0x7fc00000u
#define W_NAN f32_from_bits(0x7fc00000u)
#define T_FROM_DOUBLE(d) ((float)(d))
#define T_SPECIALS                                                                  \
    {0x7fc00000u, 0xffc00000u, 0x7fc00001u, 0x7fa00000u, 0xff800001u, 0x7fffffffu,   \
     0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x00000001u, 0x80000001u,   \
     0x007fffffu, 0x807fffffu, 0x00800000u, 0x3f800000u, 0xbf800000u, 0x40c00000u,   \
     0x7f7fffffu, 0xff7fffffu, 0x40c00001u, 0x40bfffffu}
#include "type_tests.h"

#define S f64
#define T double
#define W double
#define TB uint64_t
#define T_WIDE(x) (x)
#define T_ROUND(w) (w)
#define T_CANON 0x7ff8000000000000u
#define W_NAN f64_from_bits(0x7ff8000000000000u)
#define T_FROM_DOUBLE(d) ((double)(d))
#define T_SPECIALS                                                                    \
    {0x7ff8000000000000u, 0xfff8000000000000u, 0x7ff8000000000001u, 0x7ff4000000000000u, \
     0xfff0000000000001u, 0x7fffffffffffffffu, 0x0u, 0x8000000000000000u,                \
     0x7ff0000000000000u, 0xfff0000000000000u, 0x1u, 0x8000000000000001u,                 \
     0x000fffffffffffffu, 0x800fffffffffffffu, 0x0010000000000000u, 0x3ff0000000000000u, \
     0xbff0000000000000u, 0x4018000000000000u, 0x7fefffffffffffffu, 0xffefffffffffffffu, \
     0x4018000000000001u, 0x4017ffffffffffffu}
#include "type_tests.h"

#define S f16
#define T uint16_t
#define W float
#define TB uint16_t
#define T_WIDE(x) f16_to_f32(x)
#define T_ROUND(w) f32_to_f16(w)
#define T_CANON 0x7e00u
#define W_NAN f32_from_bits(0x7fc00000u)
#define T_FROM_DOUBLE(d) f32_to_f16((float)(d))
#define T_SPECIALS                                                                          \
    {0x7e00u, 0xfe00u, 0x7e01u, 0x7d00u, 0xfc01u, 0x7fffu, 0x0000u, 0x8000u, 0x7c00u, 0xfc00u, \
     0x0001u, 0x8001u, 0x03ffu, 0x83ffu, 0x0400u, 0x3c00u, 0xbc00u, 0x4600u, 0x7bffu, 0xfbffu, \
     0x4601u, 0x45ffu}
#include "type_tests.h"

#define S bf16
#define T uint16_t
#define W float
#define TB uint16_t
#define T_WIDE(x) bf16_to_f32(x)
#define T_ROUND(w) f32_to_bf16(w)
#define T_CANON 0x7fc0u
#define W_NAN f32_from_bits(0x7fc00000u)
#define T_FROM_DOUBLE(d) f32_to_bf16((float)(d))
#define T_SPECIALS                                                                          \
    {0x7fc0u, 0xffc0u, 0x7fc1u, 0x7fa0u, 0xff81u, 0x7fffu, 0x0000u, 0x8000u, 0x7f80u, 0xff80u, \
     0x0001u, 0x8001u, 0x007fu, 0x807fu, 0x0080u, 0x3f80u, 0xbf80u, 0x40c0u, 0x7f7fu, 0xff7fu, \
     0x40c1u, 0x40bfu}
#include "type_tests.h"

/* The conversions the expected values rest on, against values known by
 * hand (a wrong conversion would make the expectations wrong). */
static void conversions(void) {
    CHECK(f32_to_f16(1.0f) == 0x3c00u && f32_to_f16(-2.0f) == 0xc000u, "f16 1, -2");
    CHECK(f32_to_f16(65504.0f) == 0x7bffu && f32_to_f16(65520.0f) == 0x7c00u, "f16 max, overflow");
    CHECK(f32_to_f16(65519.0f) == 0x7bffu, "f16 65519 rounds down");
    CHECK(f32_to_f16(ldexpf(1.0f, -24)) == 0x0001u && f32_to_f16(ldexpf(1.0f, -25)) == 0u,
          "f16 smallest subnormal; half of it ties to 0");
    CHECK(f32_to_f16(ldexpf(3.0f, -25)) == 0x0002u, "f16 1.5 ulp ties to even 2");
    CHECK(f32_to_f16(1.0f + ldexpf(1.0f, -11)) == 0x3c00u, "f16 1 + half ulp ties to even");
    CHECK(f32_to_f16(1.0f + ldexpf(3.0f, -11)) == 0x3c02u, "f16 1 + 1.5 ulp ties to even");
    CHECK(f16_to_f32(0x0001u) == ldexpf(1.0f, -24) && f16_to_f32(0x7bffu) == 65504.0f, "f16 to f32");
    CHECK(f32_to_bf16(1.0f) == 0x3f80u && f32_to_bf16(f32_from_bits(0x3f808000u)) == 0x3f80u &&
              f32_to_bf16(f32_from_bits(0x3f818000u)) == 0x3f82u,
          "bf16 ties to even");
    CHECK(f32_to_bf16(f32_from_bits(0x7f7fffffu)) == 0x7f80u, "bf16 overflow to infinity");
}

static void statuses(void) {
    const int codes[] = {RELU_SIMD_OK,         RELU_SIMD_ERR_NULL,    RELU_SIMD_ERR_CHANNELS,
                         RELU_SIMD_ERR_BOUNDS, RELU_SIMD_ERR_OVERLAP, RELU_SIMD_ERR_BACKEND,
                         RELU_SIMD_ERR_INTERNAL};
    const char *unknown = relu_simd_status_str(-1);
    CHECK(unknown != NULL && strcmp(unknown, "unknown status") == 0, "status_str(-1)");
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = relu_simd_status_str(codes[i]);
        CHECK(s != NULL && strcmp(s, unknown) != 0, "status_str(%d)", codes[i]);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(s, relu_simd_status_str(codes[j])) != 0, "status_str %zu == %zu", i, j);
    }
}

/* RELU_SIMD_BACKEND is invalid: every function fails, and writes nothing. */
static void invalid_backend(void) {
    float x[4] = {-1.0f, 2.0f, -3.0f, 4.0f}, y[4] = {9, 9, 9, 9}, sums[2] = {5, 5};
    uint16_t h[4] = {0xbc00u, 0x3c00u, 0xbc00u, 0x3c00u};
    size_t count = 7;
    CHECK(relu_simd_backend() == NULL, "relu_simd_backend() is NULL");
    CHECK(relu_simd_relu_f32(x, y, 4) == RELU_SIMD_ERR_BACKEND, "relu_f32");
    CHECK(relu_simd_relu_inplace_f32(x, 4) == RELU_SIMD_ERR_BACKEND, "relu_inplace_f32");
    CHECK(relu_simd_relu_inplace_bf16(h, 4) == RELU_SIMD_ERR_BACKEND, "relu_inplace_bf16");
    CHECK(relu_simd_relu_count_inactive_inplace_f16(h, 4, &count) == RELU_SIMD_ERR_BACKEND,
          "count f16");
    CHECK(relu_simd_bias_relu_backward_f32(x, x, y, 4, sums, 2) == RELU_SIMD_ERR_BACKEND,
          "bias_relu_backward_f32");
    CHECK(relu_simd_relu_f32(NULL, NULL, 4) == RELU_SIMD_ERR_BACKEND, "the backend is checked first");
    CHECK(x[0] == -1.0f && x[2] == -3.0f && y[0] == 9 && y[3] == 9 && sums[0] == 5 && count == 7 &&
              h[0] == 0xbc00u,
          "nothing written");
}

int main(int argc, char **argv) {
    const char *wanted = getenv("RELU_SIMD_BACKEND");
    if (argc > 1 && strcmp(argv[1], "--invalid") == 0) {
        invalid_backend();
        printf("contract, invalid RELU_SIMD_BACKEND=%s: %lu passed, %lu failed\n",
               wanted ? wanted : "(unset)", passed, failed);
        return failed != 0;
    }
    const char *backend = relu_simd_backend();
    CHECK(backend != NULL, "relu_simd_backend() is NULL");
    if (backend == NULL) return 1;
    if (wanted != NULL && *wanted != '\0')
        CHECK(strcmp(backend, wanted) == 0, "backend %s, RELU_SIMD_BACKEND=%s", backend, wanted);
    conversions();
    statuses();
    f32_errors();
    f64_errors();
    f16_errors();
    bf16_errors();
    f32_run();
    f64_run();
    f16_run();
    bf16_run();
    printf("contract, backend %s: %lu passed, %lu failed\n", backend, passed, failed);
    return failed != 0;
}
