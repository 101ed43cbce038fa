/* The tests of one element type, included once per type by contract.c with
 * these macros defined:
 *   S          the suffix (f32, f64, f16, bf16)
 *   T, W, TB   the element type, its wide type, its bits type
 *   T_WIDE(x)  x as W, exactly
 *   T_ROUND(w) w (not NaN) rounded to T, to nearest, ties to even
 *   T_CANON    the canonical NaN's bits;  W_NAN  the canonical NaN of W
 *   T_FROM_DOUBLE(d)  a double rounded to T
 *   T_SPECIALS the special values' bits, as an initializer
 * The expected values are written here from the contract (README.md and
 * the docs of src/api/table.rs), independently of the Rust crate. */

#define F(name) CAT(S, CAT(_, name))
#define API(op) CAT(relu_simd_, CAT(op, CAT(_, S)))
#define K (64 / sizeof(T)) /* every misalignment within 64 bytes */
#define GUARD 32
#define MAXN 130
#define CAP (GUARD + 64 + MAXN + GUARD)
#define NCH 48

static T F(of_bits)(TB b) {
    T x;
    memcpy(&x, &b, sizeof x);
    return x;
}
static TB F(to_bits)(T x) {
    TB b;
    memcpy(&b, &x, sizeof b);
    return b;
}
static int F(isnan)(T x) { return T_WIDE(x) != T_WIDE(x); }
static int F(negative)(T x) { return (int)(F(to_bits)(x) >> (8 * sizeof(TB) - 1)); }
static T F(zero)(void) { return F(of_bits)(0); }
static int F(positive_or_nan)(T x) { return T_WIDE(x) > 0 || F(isnan)(x); }
/* A computed value: NaN becomes the canonical NaN, else rounded once. */
static T F(round)(W w) { return w != w ? F(of_bits)(T_CANON) : T_ROUND(w); }
static W F(canonical)(W w) { return w != w ? W_NAN : w; }
/* The order of clamp: -0.0 < +0.0. */
static int F(less)(T a, T b) {
    W x = T_WIDE(a), y = T_WIDE(b);
    return x < y || (x == y && F(negative)(a) && !F(negative)(b));
}

static T F(relu)(T x) { return F(positive_or_nan)(x) ? x : F(zero)(); }
static T F(relu_backward)(T x, T dy) { return F(positive_or_nan)(x) ? dy : F(zero)(); }
static T F(leaky)(T x, W alpha) {
    return F(positive_or_nan)(x) ? x : F(round)(alpha * T_WIDE(x));
}
static T F(leaky_backward)(T x, T dy, W alpha) {
    return T_WIDE(x) > 0 ? dy : F(round)(alpha * T_WIDE(dy));
}
static T F(clamp)(T x, T lo, T hi) {
    if (F(isnan)(x)) return x;
    if (F(less)(x, lo)) return lo;
    if (F(less)(hi, x)) return hi;
    return x;
}
static T F(clamp_backward)(T x, T dy, T lo, T hi) {
    return F(isnan)(x) || (F(less)(lo, x) && F(less)(x, hi)) ? dy : F(zero)();
}
static T F(bias_relu)(T x, T b) { return F(relu)(F(round)(T_WIDE(x) + T_WIDE(b))); }

static const TB F(specials)[] = T_SPECIALS;
#define NSPECIAL (sizeof(F(specials)) / sizeof(F(specials)[0]))

/* A third special values, a third random bit patterns, a third moderate
 * values in [-8, 8]. */
static T F(value)(void) {
    uint64_t r = rnd();
    switch (r % 3) {
    case 0: return F(of_bits)(F(specials)[(r >> 8) % NSPECIAL]);
    case 1: return F(of_bits)((TB)rnd());
    default: return T_FROM_DOUBLE(((double)((r >> 11) % 2000001u) - 1000000.0) / 125000.0);
    }
}

/* 64-byte aligned, so that `out + GUARD` can also hold a size_t or a W. */
static _Alignas(64) T F(src)[CAP], F(dy)[CAP], F(out)[CAP], F(want)[CAP], F(chan)[CAP];
static W F(sums)[NCH + GUARD], F(want_sums)[NCH], F(init_sums)[NCH];

static void F(prep)(void) { memset(F(out), 0xA5, sizeof F(out)); }
/* The output is what was expected, and nothing around it was written. */
static int F(written)(size_t start, size_t n) {
    const unsigned char *p = (const unsigned char *)F(out);
    for (size_t i = 0; i < sizeof F(out); i++)
        if ((i < start * sizeof(T) || i >= (start + n) * sizeof(T)) && p[i] != 0xA5) return 0;
    return n == 0 || memcmp(F(out) + start, F(want), n * sizeof(T)) == 0;
}
static void F(prep_sums)(size_t ch) {
    memset(F(sums), 0xA5, sizeof F(sums));
    memcpy(F(sums), F(init_sums), ch * sizeof(W));
}
static int F(sums_ok)(size_t ch) {
    const unsigned char *p = (const unsigned char *)(F(sums) + ch);
    for (size_t i = 0; i < (NCH + GUARD - ch) * sizeof(W); i++)
        if (p[i] != 0xA5) return 0;
    return ch == 0 || memcmp(F(sums), F(want_sums), ch * sizeof(W)) == 0;
}

#define ARGS1(a) , a
#define ARGS2(a, b) , a, b

/* A forward operation: out of place, in place, and out of place with
 * dst == src. `EXPECT` is the expected element `i`. */
#define FORWARD(op, EXPECT, P)                                                              \
    do {                                                                                    \
        for (size_t i = 0; i < n; i++) F(want)[i] = (EXPECT);                               \
        F(prep)();                                                                          \
        rc = API(op)(x, o, n P);                                                            \
        CHECK(rc == RELU_SIMD_OK && F(written)(oo, n), #op " n=%zu off=%zu", n, off);      \
        F(prep)();                                                                          \
        memcpy(o, x, n * sizeof(T));                                                        \
        rc = API(CAT(op, _inplace))(o, n P);                                                \
        CHECK(rc == RELU_SIMD_OK && F(written)(oo, n), #op "_inplace n=%zu off=%zu", n, off); \
        F(prep)();                                                                          \
        memcpy(o, x, n * sizeof(T));                                                        \
        rc = API(op)(o, o, n P);                                                            \
        CHECK(rc == RELU_SIMD_OK && F(written)(oo, n), #op " dst==src n=%zu off=%zu", n, off); \
    } while (0)

/* A gradient: out of place, in place (dy becomes dx), and dx == dy. */
#define BACKWARD(op, EXPECT, P)                                                             \
    do {                                                                                    \
        for (size_t i = 0; i < n; i++) F(want)[i] = (EXPECT);                               \
        F(prep)();                                                                          \
        rc = API(op)(x, d, o, n P);                                                         \
        CHECK(rc == RELU_SIMD_OK && F(written)(oo, n), #op " n=%zu off=%zu", n, off);      \
        F(prep)();                                                                          \
        memcpy(o, d, n * sizeof(T));                                                        \
        rc = API(CAT(op, _inplace))(x, o, n P);                                             \
        CHECK(rc == RELU_SIMD_OK && F(written)(oo, n), #op "_inplace n=%zu off=%zu", n, off); \
        F(prep)();                                                                          \
        memcpy(o, d, n * sizeof(T));                                                        \
        rc = API(op)(x, o, o, n P);                                                         \
        CHECK(rc == RELU_SIMD_OK && F(written)(oo, n), #op " dx==dy n=%zu off=%zu", n, off); \
    } while (0)

/* The same with per-channel sums, reset before each call and checked. */
#define BACKWARD_SUMS(op, EXPECT, P)                                                        \
    do {                                                                                    \
        for (size_t i = 0; i < n; i++) F(want)[i] = (EXPECT);                               \
        F(prep)();                                                                          \
        F(prep_sums)(ch);                                                                   \
        rc = API(op)(x, d, o, n P);                                                         \
        CHECK(rc == RELU_SIMD_OK && F(written)(oo, n) && F(sums_ok)(ch),                    \
              #op " n=%zu off=%zu ch=%zu", n, off, ch);                                     \
        F(prep)();                                                                          \
        F(prep_sums)(ch);                                                                   \
        memcpy(o, d, n * sizeof(T));                                                        \
        rc = API(CAT(op, _inplace))(x, o, n P);                                             \
        CHECK(rc == RELU_SIMD_OK && F(written)(oo, n) && F(sums_ok)(ch),                    \
              #op "_inplace n=%zu off=%zu ch=%zu", n, off, ch);                             \
    } while (0)

static const double F(alphas)[] = {0.01, 0.5, -2.0, 1e-3, 3.0, 0.0, -0.0, NAN, INFINITY, 1e30, 0.1};
static const double F(bounds)[] = {-INFINITY, -6.0, -1.0, -0.0, 0.0, 0.5, 1.0, 6.0, INFINITY};

/* Every operation, form, length 0..MAXN and misalignment of src, dy and
 * the output within 64 bytes, with guard elements around the output. */
static void F(run)(void) {
    unsigned long it = 0;
    int rc;
    for (size_t n = 0; n <= MAXN; n++) {
        for (size_t off = 0; off < K; off++, it++) {
            size_t so = GUARD + off, oo = GUARD + (off * 5 + 1) % K, yo = GUARD + (off * 3 + 2) % K;
            T *x = F(src) + so, *d = F(dy) + yo, *o = F(out) + oo;
            for (size_t i = 0; i < n; i++) {
                x[i] = F(value)();
                d[i] = F(value)();
            }
            W alpha = (W)F(alphas)[it % (sizeof F(alphas) / sizeof F(alphas)[0])];
            size_t nb = sizeof F(bounds) / sizeof F(bounds)[0];
            T lo = T_FROM_DOUBLE(F(bounds)[rnd() % nb]), hi = T_FROM_DOUBLE(F(bounds)[rnd() % nb]);
            if (F(less)(hi, lo)) {
                T t = lo;
                lo = hi;
                hi = t;
            }
            /* channels: a divisor of n (any count, 0 included, when n == 0) */
            size_t ch = n == 0 ? it % 3 : 1;
            for (size_t c = 1 + it % 7; n > 0 && c <= NCH && c <= n; c++)
                if (n % c == 0) {
                    ch = c;
                    break;
                }
            T *chan = F(chan) + GUARD + off;
            for (size_t c = 0; c < ch; c++) {
                chan[c] = F(value)();
                F(init_sums)[c] = (W)((double)(rnd() % 17) - 8.0) / 4;
            }

            FORWARD(relu, F(relu)(x[i]), );
            FORWARD(leaky_relu, F(leaky)(x[i], alpha), ARGS1(alpha));
            FORWARD(prelu, F(leaky)(x[i], T_WIDE(chan[i % ch])), ARGS2(chan, ch));
            FORWARD(clamp, F(clamp)(x[i], lo, hi), ARGS2(lo, hi));
            FORWARD(relu6, F(clamp)(x[i], F(zero)(), T_FROM_DOUBLE(6.0)), );
            FORWARD(bias_relu, F(bias_relu)(x[i], chan[i % ch]), ARGS2(chan, ch));

            BACKWARD(relu_backward, F(relu_backward)(x[i], d[i]), );
            BACKWARD(leaky_relu_backward, F(leaky_backward)(x[i], d[i], alpha), ARGS1(alpha));
            BACKWARD(clamp_backward, F(clamp_backward)(x[i], d[i], lo, hi), ARGS2(lo, hi));
            BACKWARD(relu6_backward,
                     F(clamp_backward)(x[i], d[i], F(zero)(), T_FROM_DOUBLE(6.0)), );

            /* prelu_backward: dslopes[c] += x * dy where x > 0 is false, in
             * index order, in W; a NaN sum is the canonical NaN. */
            memcpy(F(want_sums), F(init_sums), ch * sizeof(W));
            for (size_t i = 0; i < n; i++)
                if (!(T_WIDE(x[i]) > 0))
                    F(want_sums)[i % ch] = F(want_sums)[i % ch] + T_WIDE(x[i]) * T_WIDE(d[i]);
            for (size_t c = 0; c < ch; c++) F(want_sums)[c] = F(canonical)(F(want_sums)[c]);
            BACKWARD_SUMS(prelu_backward, F(leaky_backward)(x[i], d[i], T_WIDE(chan[i % ch])),
                          ARGS2(chan, ch) ARGS1(F(sums)));

            /* bias_relu_backward: dx = relu_backward(y, dy), dbias[c] += dx. */
            memcpy(F(want_sums), F(init_sums), ch * sizeof(W));
            for (size_t i = 0; i < n; i++)
                F(want_sums)[i % ch] = F(want_sums)[i % ch] + T_WIDE(F(relu_backward)(x[i], d[i]));
            for (size_t c = 0; c < ch; c++) F(want_sums)[c] = F(canonical)(F(want_sums)[c]);
            BACKWARD_SUMS(bias_relu_backward, F(relu_backward)(x[i], d[i]), ARGS2(F(sums), ch));

            /* The count of +0.0 outputs (all bits zero). */
            size_t zeros = 0, count = 12345;
            for (size_t i = 0; i < n; i++) {
                F(want)[i] = F(relu)(x[i]);
                zeros += F(to_bits)(F(want)[i]) == 0;
            }
            F(prep)();
            rc = API(relu_count_inactive)(x, o, n, &count);
            CHECK(rc == RELU_SIMD_OK && F(written)(oo, n) && count == zeros,
                  "relu_count_inactive n=%zu off=%zu count=%zu want %zu", n, off, count, zeros);
            F(prep)();
            memcpy(o, x, n * sizeof(T));
            count = 12345;
            rc = API(relu_count_inactive_inplace)(o, n, &count);
            CHECK(rc == RELU_SIMD_OK && F(written)(oo, n) && count == zeros,
                  "relu_count_inactive_inplace n=%zu off=%zu", n, off);
        }
    }
}

/* Every error status, with the output left as it was. */
static void F(errors)(void) {
    T *x = F(src) + GUARD, *d = F(dy) + GUARD, *o = F(out) + GUARD, *chan = F(chan) + GUARD;
    size_t n = 12, count = 777;
    for (size_t i = 0; i < n; i++) {
        x[i] = T_FROM_DOUBLE(-1.0);
        d[i] = T_FROM_DOUBLE(2.0);
        chan[i] = T_FROM_DOUBLE(0.5);
    }
    T one = T_FROM_DOUBLE(1.0), zero = F(zero)(), neg_zero = T_FROM_DOUBLE(-0.0);
    T nan = F(of_bits)(T_CANON);
    W alpha = (W)0.5;
#define UNTOUCHED(status, call)                                                             \
    do {                                                                                    \
        F(prep)();                                                                          \
        F(prep_sums)(0);                                                                    \
        count = 777;                                                                        \
        rc = (call);                                                                        \
        CHECK(rc == (status) && F(written)(0, 0) && F(sums_ok)(0) && count == 777,          \
              "%s: got %d, want %d (or output written)", #call, rc, (status));              \
    } while (0)
    int rc;
    /* NULL with n > 0 */
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(relu)(NULL, o, n));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(relu)(x, NULL, n));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(relu_inplace)(NULL, n));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(relu_backward)(NULL, d, o, n));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(relu_backward)(x, NULL, o, n));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(relu_backward_inplace)(x, NULL, n));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(relu_count_inactive)(x, o, n, NULL));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(relu_count_inactive_inplace)(o, 0, NULL));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(prelu)(x, o, n, NULL, 3));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(prelu_backward)(x, d, o, n, chan, 3, NULL));
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(bias_relu_backward)(x, d, o, n, NULL, 3));
    /* NULL with length 0 is fine */
    CHECK(API(relu)(NULL, NULL, 0) == RELU_SIMD_OK, "relu(NULL, NULL, 0)");
    CHECK(API(prelu_inplace)(NULL, 0, NULL, 0) == RELU_SIMD_OK, "prelu_inplace(NULL, 0, NULL, 0)");
    CHECK(API(relu_backward_inplace)(NULL, NULL, 0) == RELU_SIMD_OK, "relu_backward_inplace 0");
    /* channels */
    UNTOUCHED(RELU_SIMD_ERR_CHANNELS, API(prelu)(x, o, n, chan, 5));
    UNTOUCHED(RELU_SIMD_ERR_CHANNELS, API(prelu)(x, o, n, chan, 0));
    UNTOUCHED(RELU_SIMD_ERR_CHANNELS, API(bias_relu_inplace)(o, n, chan, 7));
    UNTOUCHED(RELU_SIMD_ERR_CHANNELS, API(prelu_backward)(x, d, o, n, chan, 5, F(sums)));
    UNTOUCHED(RELU_SIMD_ERR_CHANNELS, API(bias_relu_backward)(x, d, o, n, F(sums), 0));
    CHECK(API(prelu)(x, o, 0, chan, 0) == RELU_SIMD_OK, "prelu with n == 0, channels == 0");
    /* bounds */
    UNTOUCHED(RELU_SIMD_ERR_BOUNDS, API(clamp)(x, o, n, nan, one));
    UNTOUCHED(RELU_SIMD_ERR_BOUNDS, API(clamp)(x, o, n, zero, nan));
    UNTOUCHED(RELU_SIMD_ERR_BOUNDS, API(clamp)(x, o, n, one, zero));
    UNTOUCHED(RELU_SIMD_ERR_BOUNDS, API(clamp)(x, o, n, zero, neg_zero));
    UNTOUCHED(RELU_SIMD_ERR_BOUNDS, API(clamp_inplace)(o, n, one, neg_zero));
    UNTOUCHED(RELU_SIMD_ERR_BOUNDS, API(clamp_backward)(x, d, o, n, nan, nan));
    UNTOUCHED(RELU_SIMD_ERR_BOUNDS, API(clamp_backward_inplace)(x, o, n, one, zero));
    F(prep)();
    CHECK(API(clamp)(x, o, n, neg_zero, zero) == RELU_SIMD_OK, "clamp to [-0.0, +0.0]");
    /* overlaps: an output overlapping an input or another output */
    memcpy(o, x, n * sizeof(T));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu)(o + 1, o, n));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu)(o, o + 3, n - 3));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu_count_inactive)(o + 1, o, n - 1, &count));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(leaky_relu)(o, o + 1, n - 1, alpha));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(prelu)(x, o, n, o + n - 1, 1));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(prelu_inplace)(o, n, o + 2, 2));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(bias_relu_inplace)(o, n, o, 1));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu_backward)(o, d, o, n));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu_backward)(x, o + 1, o, n - 1));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu_backward_inplace)(o, o, n));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu_backward_inplace)(o + 1, o, n - 1));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(prelu_backward)(x, d, o, n, chan, 3, (W *)(void *)o));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP,
              API(prelu_backward)(x, d, o, n, chan, 3, (W *)(void *)(chan + 1)));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(bias_relu_backward)(x, d, o, n, (W *)(void *)x, 2));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(bias_relu_backward_inplace)(x, o, n, (W *)(void *)o, 2));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu_count_inactive)(x, o, n, (size_t *)(void *)o));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu_count_inactive)(x, o, n, (size_t *)(void *)x));
    UNTOUCHED(RELU_SIMD_ERR_OVERLAP, API(relu_count_inactive_inplace)(o, n, (size_t *)(void *)o));
    /* inputs may overlap each other */
    F(prep)();
    CHECK(API(relu_backward)(x, x, o, n) == RELU_SIMD_OK, "relu_backward with x == dy");
    /* the checks' order: NULL before channels before overlap */
    UNTOUCHED(RELU_SIMD_ERR_NULL, API(prelu)(NULL, o, n, chan, 5));
    UNTOUCHED(RELU_SIMD_ERR_CHANNELS, API(prelu_inplace)(o, n, o, 5));
#undef UNTOUCHED
}

#undef F
#undef API
#undef K
#undef GUARD
#undef MAXN
#undef CAP
#undef NCH
#undef NSPECIAL
#undef ARGS1
#undef ARGS2
#undef FORWARD
#undef BACKWARD
#undef BACKWARD_SUMS
#undef S
#undef T
#undef W
#undef TB
#undef T_WIDE
#undef T_ROUND
#undef T_CANON
#undef W_NAN
#undef T_FROM_DOUBLE
#undef T_SPECIALS
