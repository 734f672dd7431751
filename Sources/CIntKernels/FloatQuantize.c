// Float-to-fixed quantization in float lanes (see include/CIntKernels.h for the contract).
//
// One loop body, specialised per (rounding, overflow) by always-inline calls with constant arguments and compiled for
// each instruction set; the compiler vectorises it (Swift's SIMD comparisons were split lane by lane). Every step is
// exact in binary floating point: scaling by 2^F, floor / trunc / round-to-even, x - floor(x), and the bounds of a
// format of at most 22 bits.
#include "CIntKernels.h"
#include <math.h>

#if defined(__x86_64__)
#define LRSIM_X86 1
#endif

#define INLINE static inline __attribute__((always_inline))

INLINE void quantize_body(const float *x, long n, int64_t *out, const lrsim_float_quantize *q, const int rounding,
                          const int overflow) {
    const float scale = q->scale, lo = q->lo, hi = q->hi, m = q->modulus, inv = q->inverse_modulus;
    const int is_signed = q->is_signed;
    for (long i = 0; i < n; i++) {
        float y = x[i] * scale;
        y = y != y ? 0.0f : y;                                   // NaN -> 0
        float r;
        switch (rounding) {
        case LRSIM_QROUND_FLOOR: r = floorf(y); break;
        case LRSIM_QROUND_TOWARD_ZERO: r = truncf(y); break;
        case LRSIM_QROUND_HALF_EVEN: r = __builtin_roundevenf(y); break;
        case LRSIM_QROUND_HALF_AWAY: r = roundf(y); break;
        default: {
            const float f = floorf(y), d = y - f;
            int up;
            switch (rounding) {
            case LRSIM_QROUND_HALF_UP: up = d >= 0.5f; break;
            case LRSIM_QROUND_HALF_DOWN: up = d > 0.5f; break;
            case LRSIM_QROUND_HALF_TO_ZERO: up = (d > 0.5f) | ((d == 0.5f) & (y < 0.0f)); break;
            default: up = (d > 0.5f) | ((d == 0.5f) & (floorf(f * 0.5f) * 2.0f == f)); break;  // half to odd
            }
            r = up ? f + 1.0f : f;
        }
        }
        switch (overflow) {
        case LRSIM_QOVERFLOW_SATURATE: r = r < lo ? lo : (r > hi ? hi : r); break;
        case LRSIM_QOVERFLOW_TO_ZERO: r = (r < lo) | (r > hi) ? 0.0f : r; break;
        default: {                                                  // WRAP: r mod 2^W, exactly
            float u = r - floorf(r * inv) * m;
            u = u != u ? 0.0f : u;                                  // +-infinity wraps to 0
            if (is_signed) u = u >= m * 0.5f ? u - m : u;
            r = u;
        }
        }
        out[i] = (int64_t)(int32_t)r;
    }
}

#define QUANTIZE_DISPATCH(x, n, out, q)                                                             \
    switch (q->rounding * 3 + q->overflow) {                                                        \
    case 0: quantize_body(x, n, out, q, 0, 0); break;   case 1: quantize_body(x, n, out, q, 0, 1); break; \
    case 2: quantize_body(x, n, out, q, 0, 2); break;   case 3: quantize_body(x, n, out, q, 1, 0); break; \
    case 4: quantize_body(x, n, out, q, 1, 1); break;   case 5: quantize_body(x, n, out, q, 1, 2); break; \
    case 6: quantize_body(x, n, out, q, 2, 0); break;   case 7: quantize_body(x, n, out, q, 2, 1); break; \
    case 8: quantize_body(x, n, out, q, 2, 2); break;   case 9: quantize_body(x, n, out, q, 3, 0); break; \
    case 10: quantize_body(x, n, out, q, 3, 1); break;  case 11: quantize_body(x, n, out, q, 3, 2); break; \
    case 12: quantize_body(x, n, out, q, 4, 0); break;  case 13: quantize_body(x, n, out, q, 4, 1); break; \
    case 14: quantize_body(x, n, out, q, 4, 2); break;  case 15: quantize_body(x, n, out, q, 5, 0); break; \
    case 16: quantize_body(x, n, out, q, 5, 1); break;  case 17: quantize_body(x, n, out, q, 5, 2); break; \
    case 18: quantize_body(x, n, out, q, 6, 0); break;  case 19: quantize_body(x, n, out, q, 6, 1); break; \
    case 20: quantize_body(x, n, out, q, 6, 2); break;  case 21: quantize_body(x, n, out, q, 7, 0); break; \
    case 22: quantize_body(x, n, out, q, 7, 1); break;  default: quantize_body(x, n, out, q, 7, 2); break; \
    }

static void quantize_scalar(const float *x, long n, int64_t *out, const lrsim_float_quantize *q) {
    QUANTIZE_DISPATCH(x, n, out, q)
}

#if LRSIM_X86
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) static void
quantize_512(const float *x, long n, int64_t *out, const lrsim_float_quantize *q) {
    QUANTIZE_DISPATCH(x, n, out, q)
}
__attribute__((target("avx2,fma"))) static void quantize_256(const float *x, long n, int64_t *out,
                                                             const lrsim_float_quantize *q) {
    QUANTIZE_DISPATCH(x, n, out, q)
}
#endif

void lrsim_float_quantize64(int isa, const float *x, long n, int64_t *out, const lrsim_float_quantize *q) {
    const int best = lrsim_int_best_isa();
    switch (isa < best ? isa : best) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: quantize_512(x, n, out, q); return;
    case LRSIM_ISA_AVX2: quantize_256(x, n, out, q); return;
#endif
    default: quantize_scalar(x, n, out, q); return;
    }
}
