// Element-wise row kernels of the datapath's noisy copies (see include/CIntKernels.h), compiled for each instruction
// set so the compiler vectorises them with the widest lanes this machine has (the package's baseline is SSE2: no
// 64-bit integer max, 4 float lanes).
#include "CIntKernels.h"

#if defined(__x86_64__)
#define LRSIM_X86 1
#endif

#define INLINE static inline __attribute__((always_inline))

INLINE void sign_bytes_body(const float *x, long n, uint8_t flip, uint8_t *out) {
    for (long i = 0; i < n; i++) out[i] = (uint8_t)((x[i] < 0.0f ? 1 : 0) ^ flip);
}

INLINE void relu64_body(int64_t *x, long n) {
    for (long i = 0; i < n; i++) x[i] = x[i] < 0 ? 0 : x[i];
}

INLINE void sign_accumulate_body(const uint8_t *signs, long n, int32_t plus, int32_t minus, int32_t *acc) {
    for (long i = 0; i < n; i++) acc[i] = (int32_t)((uint32_t)acc[i] + (uint32_t)(signs[i] == 0 ? plus : minus));
}

// One value's rounding and overflow in int64 lanes: the `FastDotPlan` lane operations (shifts by 0...63).
// The constants are taken by value: selecting between fields read through a pointer made clang gather them.
INLINE int64_t requantize64(int64_t v, const lrsim_int64_rounding r, const int kind, const int clip) {
    int64_t q;
    switch (kind) {
    case LRSIM_ROUND_FLOOR: q = v >> r.shift; break;
    case LRSIM_ROUND_SIGN_BIAS:
        q = (int64_t)((uint64_t)v + (uint64_t)r.bias + (uint64_t)(r.sign_bias & (v >> 63))) >> r.shift;
        break;
    case LRSIM_ROUND_PARITY:
        q = (int64_t)((uint64_t)v + (uint64_t)r.bias + (uint64_t)(((v >> r.shift) & 1) ^ r.sign_bias)) >> r.shift;
        break;
    default: q = (int64_t)((uint64_t)v << r.shift); break;                   // SHIFT_LEFT
    }
    switch (clip) {
    case LRSIM_CLIP_SIGN_EXTEND: return (int64_t)((uint64_t)q << r.up) >> r.up;
    case LRSIM_CLIP_ZERO_EXTEND: return (int64_t)(((uint64_t)q << r.up) >> r.up);
    case LRSIM_CLIP_CLAMP: {
        const int64_t lo = r.lo, hi = r.hi;
        const int64_t c = q < lo ? lo : q;
        return c > hi ? hi : c;
    }
    case LRSIM_CLIP_ZERO: return (q < r.lo) | (q > r.hi) ? 0 : q;
    default: return q;
    }
}

INLINE void requantize_sum64_body(const int64_t *a, int64_t shift_a, const int64_t *b, int64_t scale, int64_t shift_b,
                                  long n, int64_t *out, const lrsim_int64_rounding *rp, const int kind, const int clip) {
    const lrsim_int64_rounding r = *rp;
    if (b) {
        for (long i = 0; i < n; i++) {
            const uint64_t v = ((uint64_t)a[i] << shift_a) + (((uint64_t)scale * (uint64_t)b[i]) << shift_b);
            out[i] = requantize64((int64_t)v, r, kind, clip);
        }
    } else {
        for (long i = 0; i < n; i++) out[i] = requantize64(a[i], r, kind, clip);
    }
}

#define REQUANTIZE_CLIPS(KIND, ...)                                                                 \
    switch (r->clip) {                                                                              \
    case LRSIM_CLIP_SIGN_EXTEND: requantize_sum64_body(__VA_ARGS__, KIND, LRSIM_CLIP_SIGN_EXTEND); break; \
    case LRSIM_CLIP_ZERO_EXTEND: requantize_sum64_body(__VA_ARGS__, KIND, LRSIM_CLIP_ZERO_EXTEND); break; \
    case LRSIM_CLIP_CLAMP: requantize_sum64_body(__VA_ARGS__, KIND, LRSIM_CLIP_CLAMP); break;        \
    case LRSIM_CLIP_ZERO: requantize_sum64_body(__VA_ARGS__, KIND, LRSIM_CLIP_ZERO); break;          \
    default: requantize_sum64_body(__VA_ARGS__, KIND, LRSIM_CLIP_NONE); break;                      \
    }
#define REQUANTIZE_DISPATCH(...)                                                                    \
    switch (r->kind) {                                                                              \
    case LRSIM_ROUND_FLOOR: REQUANTIZE_CLIPS(LRSIM_ROUND_FLOOR, __VA_ARGS__) break;                 \
    case LRSIM_ROUND_SIGN_BIAS: REQUANTIZE_CLIPS(LRSIM_ROUND_SIGN_BIAS, __VA_ARGS__) break;         \
    case LRSIM_ROUND_PARITY: REQUANTIZE_CLIPS(LRSIM_ROUND_PARITY, __VA_ARGS__) break;               \
    default: REQUANTIZE_CLIPS(LRSIM_ROUND_SHIFT_LEFT, __VA_ARGS__) break;                           \
    }

static void requantize_sum64_scalar(const int64_t *a, int64_t sa, const int64_t *b, int64_t scale, int64_t sb, long n,
                                    int64_t *out, const lrsim_int64_rounding *r) {
    REQUANTIZE_DISPATCH(a, sa, b, scale, sb, n, out, r)
}

static void sign_accumulate_scalar(const uint8_t *s, long n, int32_t plus, int32_t minus, int32_t *acc) {
    sign_accumulate_body(s, n, plus, minus, acc);
}
static void sign_bytes_scalar(const float *x, long n, uint8_t flip, uint8_t *out) { sign_bytes_body(x, n, flip, out); }
static void relu64_scalar(int64_t *x, long n) { relu64_body(x, n); }

#if LRSIM_X86
#define T512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))
#define T256 __attribute__((target("avx2")))
T512 static void sign_bytes_512(const float *x, long n, uint8_t flip, uint8_t *out) { sign_bytes_body(x, n, flip, out); }
T256 static void sign_bytes_256(const float *x, long n, uint8_t flip, uint8_t *out) { sign_bytes_body(x, n, flip, out); }
T512 static void sign_accumulate_512(const uint8_t *s, long n, int32_t plus, int32_t minus, int32_t *acc) {
    sign_accumulate_body(s, n, plus, minus, acc);
}
T256 static void sign_accumulate_256(const uint8_t *s, long n, int32_t plus, int32_t minus, int32_t *acc) {
    sign_accumulate_body(s, n, plus, minus, acc);
}
T512 static void requantize_sum64_512(const int64_t *a, int64_t sa, const int64_t *b, int64_t scale, int64_t sb,
                                      long n, int64_t *out, const lrsim_int64_rounding *r) {
    REQUANTIZE_DISPATCH(a, sa, b, scale, sb, n, out, r)
}
T256 static void requantize_sum64_256(const int64_t *a, int64_t sa, const int64_t *b, int64_t scale, int64_t sb,
                                      long n, int64_t *out, const lrsim_int64_rounding *r) {
    REQUANTIZE_DISPATCH(a, sa, b, scale, sb, n, out, r)
}
T512 static void relu64_512(int64_t *x, long n) { relu64_body(x, n); }
T256 static void relu64_256(int64_t *x, long n) { relu64_body(x, n); }
#endif

void lrsim_sign_bytes(int isa, const float *x, long n, uint8_t flip, uint8_t *out) {
    const int best = lrsim_int_best_isa();
    switch (isa < best ? isa : best) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: sign_bytes_512(x, n, flip, out); return;
    case LRSIM_ISA_AVX2: sign_bytes_256(x, n, flip, out); return;
#endif
    default: sign_bytes_scalar(x, n, flip, out); return;
    }
}

void lrsim_relu64(int isa, int64_t *x, long n) {
    const int best = lrsim_int_best_isa();
    switch (isa < best ? isa : best) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: relu64_512(x, n); return;
    case LRSIM_ISA_AVX2: relu64_256(x, n); return;
#endif
    default: relu64_scalar(x, n); return;
    }
}

void lrsim_sign_accumulate32(int isa, const uint8_t *signs, long n, int32_t plus, int32_t minus, int32_t *acc) {
    const int best = lrsim_int_best_isa();
    switch (isa < best ? isa : best) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: sign_accumulate_512(signs, n, plus, minus, acc); return;
    case LRSIM_ISA_AVX2: sign_accumulate_256(signs, n, plus, minus, acc); return;
#endif
    default: sign_accumulate_scalar(signs, n, plus, minus, acc); return;
    }
}

void lrsim_requantize_sum64(int isa, const int64_t *a, int64_t shift_a, const int64_t *b, int64_t scale,
                            int64_t shift_b, long n, int64_t *out, const lrsim_int64_rounding *r) {
    const int best = lrsim_int_best_isa();
    switch (isa < best ? isa : best) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: requantize_sum64_512(a, shift_a, b, scale, shift_b, n, out, r); return;
    case LRSIM_ISA_AVX2: requantize_sum64_256(a, shift_a, b, scale, shift_b, n, out, r); return;
#endif
    default: requantize_sum64_scalar(a, shift_a, b, scale, shift_b, n, out, r); return;
    }
}
