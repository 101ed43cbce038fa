/* relu_simd_relu_inplace_f32 against the plain C loop
 * `x[i] = x[i] > 0 ? x[i] : 0`, at 16, 8,192 and 2,000,000 floats, the two
 * timed in turn (interleaved) in one run; and how many of the C tests'
 * special values the plain loop gets wrong. From 2 KiB, each call runs on a
 * fresh copy of the input and the copy's time is subtracted: re-run on its
 * own output, a kernel that stores only the lanes it clears (AVX-512 on some
 * CPUs, from 2 KiB) would find none. At 16 floats the figure is the call's
 * cost on the same buffer (the kernels store whole registers there, and a
 * copy before each call would hide a short loop's work).
 *
 *   cargo build --release -p relu-simd-capi
 *   gcc -std=c11 -O3 -march=native -Icapi/include capi/examples/relu_timing.c \
 *       target/release/librelu_simd.a -lpthread -ldl -lm -o relu_timing
 *   ./relu_timing
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relu_simd.h"

/* The loop a C engine writes; compiled with -O3 -march=native it is
 * vectorised (a max against zero). Out of line, as a library call is. */
__attribute__((noinline)) static void plain_relu(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0;
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void fill(float *x, size_t n) {
    uint64_t s = 0x243F6A8885A308D3u;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        x[i] = (float)((double)(s >> 40) / (double)(1u << 24) * 2.0 - 1.0);
    }
}

int main(void) {
    /* The f32 special values of capi/tests/contract.c. */
    static const uint32_t specials[] = {
        0x7fc00000u, 0xffc00000u, 0x7fc00001u, 0x7fa00000u, 0xff800001u, 0x7fffffffu,
        0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x00000001u, 0x80000001u,
        0x007fffffu, 0x807fffffu, 0x00800000u, 0x3f800000u, 0xbf800000u, 0x40c00000u,
        0x7f7fffffu, 0xff7fffffu, 0x40c00001u, 0x40bfffffu};
    enum { NS = sizeof specials / sizeof specials[0] };
    float a[NS], b[NS];
    memcpy(a, specials, sizeof a);
    memcpy(b, specials, sizeof b);
    plain_relu(a, NS);
    if (relu_simd_relu_inplace_f32(b, NS) != RELU_SIMD_OK) return 1;
    int wrong = 0;
    for (int i = 0; i < NS; i++) wrong += memcmp(&a[i], &b[i], sizeof(float)) != 0;
    printf("backend %s; the plain loop gets %d of the %d special values wrong (NaN -> 0)\n",
           relu_simd_backend(), wrong, NS);

    static const size_t sizes[] = {16, 8192, 2000000};
    static const long calls[] = {1000000, 20000, 40};
    enum { SIZES = 3, ROUNDS = 15 };
    float *src[SIZES], *buf[SIZES];
    double best[SIZES][3]; /* relu_simd, the plain loop, the copy alone */
    for (int s = 0; s < SIZES; s++) {
        size_t bytes = (sizes[s] * sizeof(float) + 63) / 64 * 64;
        src[s] = aligned_alloc(64, bytes);
        buf[s] = aligned_alloc(64, bytes);
        if (!src[s] || !buf[s]) return 1;
        fill(src[s], sizes[s]);
        best[s][0] = best[s][1] = best[s][2] = 1e300;
    }
    /* Each round times every size with the three in turn (the copy alone only
     * where there is one); the best round counts. */
    for (int r = 0; r < ROUNDS; r++) {
        for (int s = 0; s < SIZES; s++) {
            int fresh = sizes[s] * sizeof(float) >= 2048;
            memcpy(buf[s], src[s], sizes[s] * sizeof(float));
            for (int which = 0; which < 2 + fresh; which++) {
                double t0 = now_ns();
                for (long k = 0; k < calls[s]; k++) {
                    if (fresh) memcpy(buf[s], src[s], sizes[s] * sizeof(float));
                    __asm__ volatile("" : : "r"(buf[s]) : "memory");
                    if (which == 0)
                        relu_simd_relu_inplace_f32(buf[s], sizes[s]);
                    else if (which == 1)
                        plain_relu(buf[s], sizes[s]);
                    __asm__ volatile("" : : "r"(buf[s]) : "memory");
                }
                double per_call = (now_ns() - t0) / (double)calls[s];
                if (per_call < best[s][which]) best[s][which] = per_call;
            }
        }
    }
    printf("%10s %22s %18s %8s\n", "floats", "relu_simd (ns/call)", "plain (ns/call)", "ratio");
    for (int s = 0; s < SIZES; s++) {
        double copy = sizes[s] * sizeof(float) >= 2048 ? best[s][2] : 0;
        double ours = best[s][0] - copy, plain = best[s][1] - copy;
        printf("%10zu %22.1f %18.1f %7.2fx\n", sizes[s], ours, plain, plain / ours);
        free(src[s]);
        free(buf[s]);
    }
    printf("from 2 KiB, ns/call less the copy of the input before each call; ratio: the\n"
           "plain loop's time over relu_simd's (above 1: relu_simd is faster)\n");
    return 0;
}
