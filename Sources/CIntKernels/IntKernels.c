// Integer dot-product kernels of the fixed-point datapath (see include/CIntKernels.h for the contract).
//
// One body per instruction set, specialised per (rounding kind, clip) by always-inline calls with constant
// arguments. Tiles: 2 rows x 4 columns of 512-bit accumulators (AVX-512), 2 x 2 of 256-bit (AVX2, 16 registers);
// blocks of 2048 K-values x 32 columns of B (128 KiB of int16) stay in L2 while every row pair uses them (fewer
// horizontal sums per output than 512-value blocks held in L1).
#include "CIntKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define LRSIM_X86 1
#endif

#define INLINE static inline __attribute__((always_inline))
#define DEPTH_BLOCK 2048
#define COLUMN_BLOCK 32

INLINE long min_long(long a, long b) { return a < b ? a : b; }
INLINE void add_wrapping(int32_t *c, int32_t s) { *c = (int32_t)((uint32_t)*c + (uint32_t)s); }

int lrsim_int_best_isa(void) {
#if LRSIM_X86
    static int cached = -1;
    int isa = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (isa >= 0) return isa;
    __builtin_cpu_init();
    isa = LRSIM_ISA_SCALAR;
    if (__builtin_cpu_supports("avx2")) isa = LRSIM_ISA_AVX2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni"))
        isa = LRSIM_ISA_AVX512_VNNI;
    __atomic_store_n(&cached, isa, __ATOMIC_RELAXED);
    return isa;
#else
    return LRSIM_ISA_SCALAR;
#endif
}

static int effective_isa(int isa) {
    int best = lrsim_int_best_isa();
    return isa < best ? (isa < 0 ? 0 : isa) : best;
}

// MARK: - Scalar (the reference every SIMD path must equal; also the path on non-x86 machines)

// One product's rounding and clip in lanes of `bits` bits, computed in int32 (no lane overflows, by the contract).
INLINE int32_t round_scalar(int32_t v, const lrsim_int_rounding *r, const int kind, const int clip, const int bits) {
    int32_t q;
    switch (kind) {
    case LRSIM_ROUND_FLOOR: q = v >> r->shift; break;
    case LRSIM_ROUND_SIGN_BIAS: q = (v + r->bias + (r->sign_bias & (v >> 31))) >> r->shift; break;
    case LRSIM_ROUND_PARITY: q = (v + r->bias + (((v >> r->shift) & 1) ^ r->sign_bias)) >> r->shift; break;
    case LRSIM_ROUND_SHIFT_LEFT: q = (int32_t)((uint32_t)v << r->shift); break;
    default: q = v; break;
    }
    if (clip == LRSIM_CLIP_SIGN_EXTEND) {
        const int up = r->up + (32 - bits);
        q = (int32_t)((uint32_t)q << up) >> up;
    } else if (clip == LRSIM_CLIP_CLAMP) {
        q = q < r->lo ? r->lo : (q > r->hi ? r->hi : q);
    }
    return q;
}

INLINE void dot_scalar_body(const void *av, const void *bv, int wide, int32_t *c, long m, long n, long kp, long ldc,
                            const lrsim_int_rounding *r, const int kind, const int clip) {
    const int16_t *a16 = (const int16_t *)av, *b16 = (const int16_t *)bv;
    const int32_t *a32 = (const int32_t *)av, *b32 = (const int32_t *)bv;
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            uint32_t s = 0;
            for (long t = 0; t < kp; t++) {
                int64_t x = wide ? a32[i * kp + t] : a16[i * kp + t];
                int64_t y = wide ? b32[j * kp + t] : b16[j * kp + t];
                int32_t v = (int32_t)(uint32_t)(uint64_t)(x * y);     // the low 32 bits, as vpmulld / vpmaddwd
                s += (uint32_t)(kind == LRSIM_ROUND_EXACT ? v : round_scalar(v, r, kind, clip, wide ? 32 : 16));
            }
            c[i * ldc + j] = (int32_t)s;
        }
    }
}

#define DISPATCH_KINDS(BODY, ...)                                                                   \
    switch (r->kind * 3 + r->clip) {                                                                \
    case 0: BODY(__VA_ARGS__, LRSIM_ROUND_EXACT, LRSIM_CLIP_NONE); break;                           \
    case 3: BODY(__VA_ARGS__, LRSIM_ROUND_FLOOR, LRSIM_CLIP_NONE); break;                           \
    case 4: BODY(__VA_ARGS__, LRSIM_ROUND_FLOOR, LRSIM_CLIP_SIGN_EXTEND); break;                    \
    case 5: BODY(__VA_ARGS__, LRSIM_ROUND_FLOOR, LRSIM_CLIP_CLAMP); break;                          \
    case 6: BODY(__VA_ARGS__, LRSIM_ROUND_SIGN_BIAS, LRSIM_CLIP_NONE); break;                       \
    case 7: BODY(__VA_ARGS__, LRSIM_ROUND_SIGN_BIAS, LRSIM_CLIP_SIGN_EXTEND); break;                \
    case 8: BODY(__VA_ARGS__, LRSIM_ROUND_SIGN_BIAS, LRSIM_CLIP_CLAMP); break;                      \
    case 9: BODY(__VA_ARGS__, LRSIM_ROUND_PARITY, LRSIM_CLIP_NONE); break;                          \
    case 10: BODY(__VA_ARGS__, LRSIM_ROUND_PARITY, LRSIM_CLIP_SIGN_EXTEND); break;                  \
    case 11: BODY(__VA_ARGS__, LRSIM_ROUND_PARITY, LRSIM_CLIP_CLAMP); break;                        \
    case 12: BODY(__VA_ARGS__, LRSIM_ROUND_SHIFT_LEFT, LRSIM_CLIP_NONE); break;                     \
    case 13: BODY(__VA_ARGS__, LRSIM_ROUND_SHIFT_LEFT, LRSIM_CLIP_SIGN_EXTEND); break;              \
    case 14: BODY(__VA_ARGS__, LRSIM_ROUND_SHIFT_LEFT, LRSIM_CLIP_CLAMP); break;                    \
    default: BODY(__VA_ARGS__, LRSIM_ROUND_EXACT, LRSIM_CLIP_NONE); break;                          \
    }

static void dot_scalar(const void *a, const void *b, int wide, int32_t *c, long m, long n, long kp, long ldc,
                       const lrsim_int_rounding *r) {
    DISPATCH_KINDS(dot_scalar_body, a, b, wide, c, m, n, kp, ldc, r)
}

#if LRSIM_X86
// MARK: - AVX-512 (BW + VNNI)

#define T512 __attribute__((target("avx512f,avx512bw,avx512vnni")))

typedef struct {
    __m128i shift, up;
    __m512i bias, sign_bias, lo, hi, one;
} consts512;

T512 INLINE __m512i round16_512(__m512i v, const consts512 *k, const int kind, const int clip) {
    __m512i q;
    switch (kind) {
    case LRSIM_ROUND_FLOOR: q = _mm512_sra_epi16(v, k->shift); break;
    case LRSIM_ROUND_SIGN_BIAS:
        q = _mm512_add_epi16(_mm512_add_epi16(v, k->bias), _mm512_and_si512(k->sign_bias, _mm512_srai_epi16(v, 15)));
        q = _mm512_sra_epi16(q, k->shift);
        break;
    case LRSIM_ROUND_PARITY: {
        __m512i odd = _mm512_xor_si512(_mm512_and_si512(_mm512_sra_epi16(v, k->shift), k->one), k->sign_bias);
        q = _mm512_sra_epi16(_mm512_add_epi16(_mm512_add_epi16(v, k->bias), odd), k->shift);
        break;
    }
    case LRSIM_ROUND_SHIFT_LEFT: q = _mm512_sll_epi16(v, k->shift); break;
    default: q = v; break;
    }
    if (clip == LRSIM_CLIP_SIGN_EXTEND) q = _mm512_sra_epi16(_mm512_sll_epi16(q, k->up), k->up);
    else if (clip == LRSIM_CLIP_CLAMP) q = _mm512_min_epi16(_mm512_max_epi16(q, k->lo), k->hi);
    return q;
}

T512 INLINE __m512i round32_512(__m512i v, const consts512 *k, const int kind, const int clip) {
    __m512i q;
    switch (kind) {
    case LRSIM_ROUND_FLOOR: q = _mm512_sra_epi32(v, k->shift); break;
    case LRSIM_ROUND_SIGN_BIAS:
        q = _mm512_add_epi32(_mm512_add_epi32(v, k->bias), _mm512_and_si512(k->sign_bias, _mm512_srai_epi32(v, 31)));
        q = _mm512_sra_epi32(q, k->shift);
        break;
    case LRSIM_ROUND_PARITY: {
        __m512i odd = _mm512_xor_si512(_mm512_and_si512(_mm512_sra_epi32(v, k->shift), k->one), k->sign_bias);
        q = _mm512_sra_epi32(_mm512_add_epi32(_mm512_add_epi32(v, k->bias), odd), k->shift);
        break;
    }
    case LRSIM_ROUND_SHIFT_LEFT: q = _mm512_sll_epi32(v, k->shift); break;
    default: q = v; break;
    }
    if (clip == LRSIM_CLIP_SIGN_EXTEND) q = _mm512_sra_epi32(_mm512_sll_epi32(q, k->up), k->up);
    else if (clip == LRSIM_CLIP_CLAMP) q = _mm512_min_epi32(_mm512_max_epi32(q, k->lo), k->hi);
    return q;
}

T512 INLINE void consts512_init(consts512 *k, const lrsim_int_rounding *r, int wide) {
    k->shift = _mm_cvtsi32_si128(r->shift);
    k->up = _mm_cvtsi32_si128(r->up);
    if (wide) {
        k->bias = _mm512_set1_epi32(r->bias); k->sign_bias = _mm512_set1_epi32(r->sign_bias);
        k->lo = _mm512_set1_epi32(r->lo); k->hi = _mm512_set1_epi32(r->hi); k->one = _mm512_set1_epi32(1);
    } else {
        k->bias = _mm512_set1_epi16((short)r->bias); k->sign_bias = _mm512_set1_epi16((short)r->sign_bias);
        k->lo = _mm512_set1_epi16((short)r->lo); k->hi = _mm512_set1_epi16((short)r->hi); k->one = _mm512_set1_epi16(1);
    }
}

// One product vector into an accumulator: int16 lanes sum pairs into int32 with vpdpwssd (EXACT: the operands
// directly; else the rounded products against ones); int32 lanes add.
#define MAC16_512(acc, x, y)                                                                        \
    acc = (kind == LRSIM_ROUND_EXACT) ? _mm512_dpwssd_epi32(acc, x, y)                              \
        : _mm512_dpwssd_epi32(acc, round16_512(_mm512_mullo_epi16(x, y), &k, kind, clip), k.one)
#define MAC32_512(acc, x, y)                                                                        \
    acc = _mm512_add_epi32(acc, (kind == LRSIM_ROUND_EXACT) ? _mm512_mullo_epi32(x, y)              \
        : round32_512(_mm512_mullo_epi32(x, y), &k, kind, clip))

T512 INLINE void dot_512_body(const void *av, const void *bv, const int wide, int32_t *c, long m, long n, long kp,
                              long ldc, const lrsim_int_rounding *r, const int kind, const int clip) {
    consts512 k;
    consts512_init(&k, r, wide);
    const long es = wide ? 4 : 2;                       // bytes per element
    const long vl = 64 / es;                            // elements per vector
    const char *a = (const char *)av, *b = (const char *)bv;
    for (long i = 0; i < m; i++) for (long j = 0; j < n; j++) c[i * ldc + j] = 0;
    for (long t0 = 0; t0 < kp; t0 += DEPTH_BLOCK) {
        const long t1 = min_long(kp, t0 + DEPTH_BLOCK);
        for (long j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
            const long j1 = min_long(n, j0 + COLUMN_BLOCK);
            for (long i = 0; i < m; i += 2) {
                const char *a0 = a + i * kp * es, *a1 = a0 + kp * es;
                for (long j = j0; j < j1; j += 4) {
                    const char *b0 = b + j * kp * es, *b1 = b0 + kp * es, *b2 = b1 + kp * es, *b3 = b2 + kp * es;
                    __m512i c00 = _mm512_setzero_si512(), c01 = c00, c02 = c00, c03 = c00;
                    __m512i c10 = c00, c11 = c00, c12 = c00, c13 = c00;
                    for (long t = t0; t < t1; t += vl) {
                        const long o = t * es;
                        __m512i x0 = _mm512_loadu_si512(a0 + o), x1 = _mm512_loadu_si512(a1 + o);
                        __m512i y0 = _mm512_loadu_si512(b0 + o), y1 = _mm512_loadu_si512(b1 + o);
                        __m512i y2 = _mm512_loadu_si512(b2 + o), y3 = _mm512_loadu_si512(b3 + o);
                        if (wide) {
                            MAC32_512(c00, x0, y0); MAC32_512(c01, x0, y1); MAC32_512(c02, x0, y2); MAC32_512(c03, x0, y3);
                            MAC32_512(c10, x1, y0); MAC32_512(c11, x1, y1); MAC32_512(c12, x1, y2); MAC32_512(c13, x1, y3);
                        } else {
                            MAC16_512(c00, x0, y0); MAC16_512(c01, x0, y1); MAC16_512(c02, x0, y2); MAC16_512(c03, x0, y3);
                            MAC16_512(c10, x1, y0); MAC16_512(c11, x1, y1); MAC16_512(c12, x1, y2); MAC16_512(c13, x1, y3);
                        }
                    }
                    int32_t *r0 = c + i * ldc + j, *r1 = r0 + ldc;
                    add_wrapping(r0 + 0, _mm512_reduce_add_epi32(c00)); add_wrapping(r0 + 1, _mm512_reduce_add_epi32(c01));
                    add_wrapping(r0 + 2, _mm512_reduce_add_epi32(c02)); add_wrapping(r0 + 3, _mm512_reduce_add_epi32(c03));
                    add_wrapping(r1 + 0, _mm512_reduce_add_epi32(c10)); add_wrapping(r1 + 1, _mm512_reduce_add_epi32(c11));
                    add_wrapping(r1 + 2, _mm512_reduce_add_epi32(c12)); add_wrapping(r1 + 3, _mm512_reduce_add_epi32(c13));
                }
            }
        }
    }
}

T512 static void dot_512_16(const void *a, const void *b, int32_t *c, long m, long n, long kp, long ldc,
                            const lrsim_int_rounding *r) {
    DISPATCH_KINDS(dot_512_body, a, b, 0, c, m, n, kp, ldc, r)
}
T512 static void dot_512_32(const void *a, const void *b, int32_t *c, long m, long n, long kp, long ldc,
                            const lrsim_int_rounding *r) {
    DISPATCH_KINDS(dot_512_body, a, b, 1, c, m, n, kp, ldc, r)
}

T512 static int32_t probe_512(long iterations) {
    __m512i x = _mm512_set1_epi16(3), y = _mm512_set1_epi16(5);
    __m512i s0 = _mm512_set1_epi32(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("" : "+v"(x));
        s0 = _mm512_dpwssd_epi32(s0, x, y); s1 = _mm512_dpwssd_epi32(s1, x, y);
        s2 = _mm512_dpwssd_epi32(s2, x, y); s3 = _mm512_dpwssd_epi32(s3, x, y);
        s4 = _mm512_dpwssd_epi32(s4, x, y); s5 = _mm512_dpwssd_epi32(s5, x, y);
        s6 = _mm512_dpwssd_epi32(s6, x, y); s7 = _mm512_dpwssd_epi32(s7, x, y);
    }
    __m512i s = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(s0, s1), _mm512_add_epi32(s2, s3)),
                                 _mm512_add_epi32(_mm512_add_epi32(s4, s5), _mm512_add_epi32(s6, s7)));
    return _mm512_reduce_add_epi32(s);
}

// MARK: - Table GEMM (AVX-512 BW: vpermi2w)

#define LUT_ROWS 4          // rows per group: 4 x 2 tables + 16 accumulators + index + ones fit 32 registers
#define LUT_BLOCKS 4        // 16-column blocks per accumulator tile

// The 32-entry tables of one group of LUT_ROWS rows, tab[(r * kp + t) * 32 + v] = r(p(t, row0 + r) * (vmin + v)),
// zero for absent rows, absent K indices and values above vmax. Returns 0 when a present entry does not fit int16.
T512 INLINE int lut_tables_512(const int32_t *p, long ldp, long row0, long rows, long k, long kp, int32_t vmin,
                               int32_t vmax, int16_t *tab, const lrsim_int_rounding *r, const int wide,
                               const int kind, const int clip) {
    consts512 c;
    consts512_init(&c, r, wide);
    const __mmask32 valid = (__mmask32)(vmax - vmin == 31 ? 0xFFFFFFFFu : ((1u << (vmax - vmin + 1)) - 1u));
    const __m512i step32 = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i lo_vals = _mm512_add_epi32(_mm512_set1_epi32(vmin), step32);
    const __m512i hi_vals = _mm512_add_epi32(lo_vals, _mm512_set1_epi32(16));
    const __m512i vals16 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(lo_vals)),
                                              _mm512_cvtepi32_epi16(hi_vals), 1);
    __mmask32 overflow = 0;
    for (long g = 0; g < LUT_ROWS; g++) {
        int16_t *row_tab = tab + g * kp * 32;
        for (long t = 0; t < kp; t++) {
            __m512i e = _mm512_setzero_si512();
            if (row0 + g < rows && t < k) {
                const int32_t pv = p[t * ldp + row0 + g];
                if (wide) {
                    __m512i q0 = round32_512(_mm512_mullo_epi32(_mm512_set1_epi32(pv), lo_vals), &c, kind, clip);
                    __m512i q1 = round32_512(_mm512_mullo_epi32(_mm512_set1_epi32(pv), hi_vals), &c, kind, clip);
                    const __m512i narrow = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(q0)),
                                                              _mm512_cvtepi32_epi16(q1), 1);
                    // An entry fits when its low 16 bits, sign-extended, give it back.
                    const __mmask16 bad0 = _mm512_cmpneq_epi32_mask(q0, _mm512_srai_epi32(_mm512_slli_epi32(q0, 16), 16));
                    const __mmask16 bad1 = _mm512_cmpneq_epi32_mask(q1, _mm512_srai_epi32(_mm512_slli_epi32(q1, 16), 16));
                    overflow |= (((__mmask32)bad1 << 16) | bad0) & valid;
                    e = _mm512_maskz_mov_epi16(valid, narrow);
                } else {
                    __m512i q0 = round16_512(_mm512_mullo_epi16(_mm512_set1_epi16((short)pv), vals16), &c, kind, clip);
                    e = _mm512_maskz_mov_epi16(valid, q0);
                }
            }
            _mm512_storeu_si512(row_tab + t * 32, e);
        }
    }
    return overflow == 0;
}

#define LUT_TABLES_512(p, ldp, row0, rows, k, kp, vmin, vmax, tab, r, wide, ok, kind, clip) \
    ok = lut_tables_512(p, ldp, row0, rows, k, kp, vmin, vmax, tab, r, wide, kind, clip)

T512 static int lut_512(const int32_t *p, long ldp, const int16_t *idx, int32_t *s, long lds, long rows, long cols,
                        long k, int32_t vmin, int32_t vmax, int wide, const lrsim_int_rounding *r) {
    const long kp = (k + 1) & ~1L, pairs = kp / 2, bp = lrsim_int_lut16_blocks(cols);
    int16_t *tab = (int16_t *)_mm_malloc((size_t)(LUT_ROWS * kp * 32) * sizeof(int16_t), 64);
    if (!tab) return 0;
    const __m512i ones = _mm512_set1_epi16(1);
    int ok = 1;
    for (long row0 = 0; row0 < rows && ok; row0 += LUT_ROWS) {
        DISPATCH_KINDS(LUT_TABLES_512, p, ldp, row0, rows, k, kp, vmin, vmax, tab, r, wide, ok)
        if (!ok) break;
        for (long b0 = 0; b0 < bp; b0 += LUT_BLOCKS) {
            __m512i acc[LUT_ROWS][LUT_BLOCKS];
            for (int g = 0; g < LUT_ROWS; g++)
                for (int c = 0; c < LUT_BLOCKS; c++) acc[g][c] = _mm512_setzero_si512();
            for (long pr = 0; pr < pairs; pr++) {
                __m512i t0[LUT_ROWS], t1[LUT_ROWS];
                for (int g = 0; g < LUT_ROWS; g++) {
                    const int16_t *tp = tab + (g * kp + 2 * pr) * 32;
                    t0[g] = _mm512_loadu_si512(tp);
                    t1[g] = _mm512_loadu_si512(tp + 32);
                }
                const int16_t *ip = idx + (pr * bp + b0) * 32;
                for (int c = 0; c < LUT_BLOCKS; c++) {
                    const __m512i ix = _mm512_loadu_si512(ip + c * 32);
                    for (int g = 0; g < LUT_ROWS; g++)
                        acc[g][c] = _mm512_dpwssd_epi32(acc[g][c], _mm512_permutex2var_epi16(t0[g], ix, t1[g]), ones);
                }
            }
            for (int g = 0; g < LUT_ROWS && row0 + g < rows; g++) {
                for (int c = 0; c < LUT_BLOCKS; c++) {
                    const long col = (b0 + c) * 16;
                    if (col >= cols) break;
                    const long left = cols - col;
                    const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
                    _mm512_mask_storeu_epi32(s + (row0 + g) * lds + col, m, acc[g][c]);
                }
            }
        }
    }
    _mm_free(tab);
    return ok;
}

// MARK: - AVX2

#define T256 __attribute__((target("avx2")))

typedef struct {
    __m128i shift, up;
    __m256i bias, sign_bias, lo, hi, one;
} consts256;

T256 INLINE __m256i round16_256(__m256i v, const consts256 *k, const int kind, const int clip) {
    __m256i q;
    switch (kind) {
    case LRSIM_ROUND_FLOOR: q = _mm256_sra_epi16(v, k->shift); break;
    case LRSIM_ROUND_SIGN_BIAS:
        q = _mm256_add_epi16(_mm256_add_epi16(v, k->bias), _mm256_and_si256(k->sign_bias, _mm256_srai_epi16(v, 15)));
        q = _mm256_sra_epi16(q, k->shift);
        break;
    case LRSIM_ROUND_PARITY: {
        __m256i odd = _mm256_xor_si256(_mm256_and_si256(_mm256_sra_epi16(v, k->shift), k->one), k->sign_bias);
        q = _mm256_sra_epi16(_mm256_add_epi16(_mm256_add_epi16(v, k->bias), odd), k->shift);
        break;
    }
    case LRSIM_ROUND_SHIFT_LEFT: q = _mm256_sll_epi16(v, k->shift); break;
    default: q = v; break;
    }
    if (clip == LRSIM_CLIP_SIGN_EXTEND) q = _mm256_sra_epi16(_mm256_sll_epi16(q, k->up), k->up);
    else if (clip == LRSIM_CLIP_CLAMP) q = _mm256_min_epi16(_mm256_max_epi16(q, k->lo), k->hi);
    return q;
}

T256 INLINE __m256i round32_256(__m256i v, const consts256 *k, const int kind, const int clip) {
    __m256i q;
    switch (kind) {
    case LRSIM_ROUND_FLOOR: q = _mm256_sra_epi32(v, k->shift); break;
    case LRSIM_ROUND_SIGN_BIAS:
        q = _mm256_add_epi32(_mm256_add_epi32(v, k->bias), _mm256_and_si256(k->sign_bias, _mm256_srai_epi32(v, 31)));
        q = _mm256_sra_epi32(q, k->shift);
        break;
    case LRSIM_ROUND_PARITY: {
        __m256i odd = _mm256_xor_si256(_mm256_and_si256(_mm256_sra_epi32(v, k->shift), k->one), k->sign_bias);
        q = _mm256_sra_epi32(_mm256_add_epi32(_mm256_add_epi32(v, k->bias), odd), k->shift);
        break;
    }
    case LRSIM_ROUND_SHIFT_LEFT: q = _mm256_sll_epi32(v, k->shift); break;
    default: q = v; break;
    }
    if (clip == LRSIM_CLIP_SIGN_EXTEND) q = _mm256_sra_epi32(_mm256_sll_epi32(q, k->up), k->up);
    else if (clip == LRSIM_CLIP_CLAMP) q = _mm256_min_epi32(_mm256_max_epi32(q, k->lo), k->hi);
    return q;
}

T256 INLINE void consts256_init(consts256 *k, const lrsim_int_rounding *r, int wide) {
    k->shift = _mm_cvtsi32_si128(r->shift);
    k->up = _mm_cvtsi32_si128(r->up);
    if (wide) {
        k->bias = _mm256_set1_epi32(r->bias); k->sign_bias = _mm256_set1_epi32(r->sign_bias);
        k->lo = _mm256_set1_epi32(r->lo); k->hi = _mm256_set1_epi32(r->hi); k->one = _mm256_set1_epi32(1);
    } else {
        k->bias = _mm256_set1_epi16((short)r->bias); k->sign_bias = _mm256_set1_epi16((short)r->sign_bias);
        k->lo = _mm256_set1_epi16((short)r->lo); k->hi = _mm256_set1_epi16((short)r->hi); k->one = _mm256_set1_epi16(1);
    }
}

T256 INLINE int32_t hsum256(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

#define MAC16_256(acc, x, y)                                                                        \
    acc = _mm256_add_epi32(acc, (kind == LRSIM_ROUND_EXACT) ? _mm256_madd_epi16(x, y)               \
        : _mm256_madd_epi16(round16_256(_mm256_mullo_epi16(x, y), &k, kind, clip), k.one))
#define MAC32_256(acc, x, y)                                                                        \
    acc = _mm256_add_epi32(acc, (kind == LRSIM_ROUND_EXACT) ? _mm256_mullo_epi32(x, y)              \
        : round32_256(_mm256_mullo_epi32(x, y), &k, kind, clip))

T256 INLINE void dot_256_body(const void *av, const void *bv, const int wide, int32_t *c, long m, long n, long kp,
                              long ldc, const lrsim_int_rounding *r, const int kind, const int clip) {
    consts256 k;
    consts256_init(&k, r, wide);
    const long es = wide ? 4 : 2;
    const long vl = 32 / es;
    const char *a = (const char *)av, *b = (const char *)bv;
    for (long i = 0; i < m; i++) for (long j = 0; j < n; j++) c[i * ldc + j] = 0;
    for (long t0 = 0; t0 < kp; t0 += DEPTH_BLOCK) {
        const long t1 = min_long(kp, t0 + DEPTH_BLOCK);
        for (long j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
            const long j1 = min_long(n, j0 + COLUMN_BLOCK);
            for (long i = 0; i < m; i += 2) {
                const char *a0 = a + i * kp * es, *a1 = a0 + kp * es;
                for (long j = j0; j < j1; j += 2) {
                    const char *b0 = b + j * kp * es, *b1 = b0 + kp * es;
                    __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00;
                    for (long t = t0; t < t1; t += vl) {
                        const long o = t * es;
                        __m256i x0 = _mm256_loadu_si256((const __m256i *)(a0 + o));
                        __m256i x1 = _mm256_loadu_si256((const __m256i *)(a1 + o));
                        __m256i y0 = _mm256_loadu_si256((const __m256i *)(b0 + o));
                        __m256i y1 = _mm256_loadu_si256((const __m256i *)(b1 + o));
                        if (wide) {
                            MAC32_256(c00, x0, y0); MAC32_256(c01, x0, y1); MAC32_256(c10, x1, y0); MAC32_256(c11, x1, y1);
                        } else {
                            MAC16_256(c00, x0, y0); MAC16_256(c01, x0, y1); MAC16_256(c10, x1, y0); MAC16_256(c11, x1, y1);
                        }
                    }
                    int32_t *r0 = c + i * ldc + j, *r1 = r0 + ldc;
                    add_wrapping(r0 + 0, hsum256(c00)); add_wrapping(r0 + 1, hsum256(c01));
                    add_wrapping(r1 + 0, hsum256(c10)); add_wrapping(r1 + 1, hsum256(c11));
                }
            }
        }
    }
}

T256 static void dot_256_16(const void *a, const void *b, int32_t *c, long m, long n, long kp, long ldc,
                            const lrsim_int_rounding *r) {
    DISPATCH_KINDS(dot_256_body, a, b, 0, c, m, n, kp, ldc, r)
}
T256 static void dot_256_32(const void *a, const void *b, int32_t *c, long m, long n, long kp, long ldc,
                            const lrsim_int_rounding *r) {
    DISPATCH_KINDS(dot_256_body, a, b, 1, c, m, n, kp, ldc, r)
}

T256 static int32_t probe_256(long iterations) {
    // Eight different operands, opaque to the compiler every iteration: no multiply can be shared or hoisted.
    __m256i y = _mm256_set1_epi16(5);
    __m256i x0 = _mm256_set1_epi16(3), x1 = _mm256_set1_epi16(4), x2 = _mm256_set1_epi16(6), x3 = _mm256_set1_epi16(7);
    __m256i x4 = _mm256_set1_epi16(8), x5 = _mm256_set1_epi16(9), x6 = _mm256_set1_epi16(10), x7 = _mm256_set1_epi16(11);
    __m256i s0 = _mm256_set1_epi32(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("" : "+x"(x0), "+x"(x1), "+x"(x2), "+x"(x3), "+x"(x4), "+x"(x5), "+x"(x6), "+x"(x7));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(x0, y)); s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(x1, y));
        s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(x2, y)); s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(x3, y));
        s4 = _mm256_add_epi32(s4, _mm256_madd_epi16(x4, y)); s5 = _mm256_add_epi32(s5, _mm256_madd_epi16(x5, y));
        s6 = _mm256_add_epi32(s6, _mm256_madd_epi16(x6, y)); s7 = _mm256_add_epi32(s7, _mm256_madd_epi16(x7, y));
    }
    __m256i s = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3)),
                                 _mm256_add_epi32(_mm256_add_epi32(s4, s5), _mm256_add_epi32(s6, s7)));
    return hsum256(s);
}
#endif

// MARK: - Entry points

void lrsim_int_dot16(int isa, const int16_t *a, const int16_t *b, int32_t *c, long m, long n, long kp, long ldc,
                     const lrsim_int_rounding *r) {
    switch (effective_isa(isa)) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: dot_512_16(a, b, c, m, n, kp, ldc, r); return;
    case LRSIM_ISA_AVX2: dot_256_16(a, b, c, m, n, kp, ldc, r); return;
#endif
    default: dot_scalar(a, b, 0, c, m, n, kp, ldc, r); return;
    }
}

void lrsim_int_dot32(int isa, const int32_t *a, const int32_t *b, int32_t *c, long m, long n, long kp, long ldc,
                     const lrsim_int_rounding *r) {
    switch (effective_isa(isa)) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: dot_512_32(a, b, c, m, n, kp, ldc, r); return;
    case LRSIM_ISA_AVX2: dot_256_32(a, b, c, m, n, kp, ldc, r); return;
#endif
    default: dot_scalar(a, b, 1, c, m, n, kp, ldc, r); return;
    }
}

long lrsim_int_lut16_blocks(long cols) { return ((cols + 15) / 16 + 3) / 4 * 4; }

void lrsim_int_lut16_index(const int16_t *q, long ldq, long cols, long k, int32_t vmin, long pair0, long pair1,
                           int16_t *idx) {
    // Lane 2l + h of (pair, block) looks up column block * 16 + l of K index 2 pair + h, in the first table (h = 0)
    // or the second (h = 1, +32). Absent columns and K indices read entry 0 of a zero table or are never stored.
    const long bp = lrsim_int_lut16_blocks(cols);
    for (long pr = pair0; pr < pair1; pr++) {
        const long t0 = 2 * pr, t1 = t0 + 1;
        const int16_t *q0 = q + t0 * ldq, *q1 = q + t1 * ldq;
        int16_t *v = idx + pr * bp * 32;
        if (t1 < k) {
            // Both K indices present: interleave the two rows, branch-free (the compiler vectorises it).
            const long full = cols;
            for (long col = 0; col < full; col++) {
                v[2 * col] = (int16_t)(q0[col] - vmin);
                v[2 * col + 1] = (int16_t)(q1[col] - vmin + 32);
            }
            for (long col = full; col < bp * 16; col++) { v[2 * col] = 0; v[2 * col + 1] = 32; }
        } else {
            for (long col = 0; col < bp * 16; col++) {
                v[2 * col] = (int16_t)(col < cols ? q0[col] - vmin : 0);
                v[2 * col + 1] = 32;
            }
        }
    }
}

int lrsim_int_lut16(int isa, const int32_t *p, long ldp, const int16_t *idx, int32_t *s, long lds, long rows,
                    long cols, long k, int32_t vmin, int32_t vmax, int wide, const lrsim_int_rounding *r) {
    if (vmax < vmin || vmax - vmin > 31 || rows <= 0 || cols <= 0 || k <= 0) return -1;
    switch (effective_isa(isa)) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: return lut_512(p, ldp, idx, s, lds, rows, cols, k, vmin, vmax, wide, r);
#endif
    default: return -1;
    }
}

int32_t lrsim_int_peak_probe(int isa, long iterations) {
    switch (effective_isa(isa)) {
#if LRSIM_X86
    case LRSIM_ISA_AVX512_VNNI: return probe_512(iterations);
    case LRSIM_ISA_AVX2: return probe_256(iterations);
#endif
    default: {
        int32_t v0 = 3, v1 = 4, v2 = 6, v3 = 7, v4 = 8, v5 = 9, v6 = 10, v7 = 11;
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (long i = 0; i < iterations; i++) {
            __asm__ volatile("" : "+r"(v0), "+r"(v1), "+r"(v2), "+r"(v3), "+r"(v4), "+r"(v5), "+r"(v6), "+r"(v7));
            s0 += v0 * 5; s1 += v1 * 5; s2 += v2 * 5; s3 += v3 * 5; s4 += v4 * 5; s5 += v5 * 5; s6 += v6 * 5; s7 += v7 * 5;
        }
        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }
    }
}

int lrsim_int_probe_macs(int isa) {
    switch (effective_isa(isa)) {
    case LRSIM_ISA_AVX512_VNNI: return 8 * 32;
    case LRSIM_ISA_AVX2: return 8 * 16;
    default: return 8;
    }
}
