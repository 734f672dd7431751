// Vectorised standard normals; see include/CGaussian.h. The body is one macro instantiated per target so the loop
// vectoriser can use each instruction set's full width (16 lanes with AVX-512, 8 with AVX2, 4 with SSE2).
#include "CGaussian.h"
#include <string.h>

#define INLINE static inline __attribute__((always_inline))
#define TILE 64

INLINE float f32(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
INLINE uint32_t b32(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

// GaussianMath.log (Cephes logf), constants as their exact Float bit patterns.
INLINE float gauss_log(float x) {
    uint32_t bits = b32(x);
    float e = (float)((int32_t)(bits >> 23) - 126);
    float f = f32((bits & 0x807FFFFFu) | 0x3F000000u);
    int small = f < f32(0x3F3504F3u);
    e = small ? e - 1.0f : e;
    f = small ? (f + f) - 1.0f : f - 1.0f;
    float z = f * f;
    float y = f32(0x3D9021BBu);
    y = y * f - f32(0x3DEBD1B8u);
    y = y * f + f32(0x3DEF251Au);
    y = y * f - f32(0x3DFE5D4Fu);
    y = y * f + f32(0x3E11E9BFu);
    y = y * f - f32(0x3E2AAE50u);
    y = y * f + f32(0x3E4CCEACu);
    y = y * f - f32(0x3E7FFFFCu);
    y = y * f + f32(0x3EAAAAAAu);
    y = y * f * z;
    y = y + e * f32(0xB95E8083u);
    y = y - 0.5f * z;
    return (f + y) + e * f32(0x3F318000u);
}

// GaussianMath.radius: sqrt(|-2 log u|), u = ((w >> 8) + 1) * 2^-24.
INLINE float gauss_radius(uint32_t w) {
    float u = (float)(int32_t)((w >> 8) + 1u) * f32(0x33800000u);
    float t = -2.0f * gauss_log(u);
    return __builtin_sqrtf(__builtin_fabsf(t));
}

// GaussianMath.sinCos2Pi for the top 24 bits of a word.
INLINE void gauss_sincos(int32_t k, float *sn, float *cs) {
    int32_t quadrant = (k + (1 << 21)) >> 22;
    int32_t rest = k - (int32_t)((uint32_t)quadrant << 22);
    float a = (float)rest * f32(0x34C90FDAu);
    float z = a * a;
    float s = f32(0xB94CA1F9u);
    s = s * z + f32(0x3C08839Eu);
    s = s * z - f32(0x3E2AAAA3u);
    s = s * z * a + a;
    float c = f32(0x37CCF5CEu);
    c = c * z - f32(0x3AB6061Au);
    c = c * z + f32(0x3D2AAAA5u);
    c = c * z * z - 0.5f * z + 1.0f;
    int swap = (quadrant & 1) != 0;
    float sv = swap ? c : s, cv = swap ? s : c;
    uint32_t sin_sign = (uint32_t)(quadrant & 2) << 30, cos_sign = (uint32_t)((quadrant + 1) & 2) << 30;
    *sn = f32(b32(sv) ^ sin_sign);
    *cs = f32(b32(cv) ^ cos_sign);
}

// Box-Muller over word planes w0..w3 (TILE apart): 4 * blocks normals at `out`.
#define GAUSS_BOX_MULLER(w, blocks, out)                                                                \
    do {                                                                                                \
        for (int j = 0; j < (blocks); j++) {                                                            \
            float r0 = gauss_radius((w)[j]), r1 = gauss_radius((w)[2 * TILE + j]), s0, co0, s1, co1;    \
            gauss_sincos((int32_t)((w)[TILE + j] >> 8), &s0, &co0);                                     \
            gauss_sincos((int32_t)((w)[3 * TILE + j] >> 8), &s1, &co1);                                 \
            (out)[4 * j] = r0 * co0; (out)[4 * j + 1] = r0 * s0;                                        \
            (out)[4 * j + 2] = r1 * co1; (out)[4 * j + 3] = r1 * s1;                                    \
        }                                                                                               \
    } while (0)

// Philox4x32-10 of counters (block + j, c1, c2, c3), j < blocks, into word planes (portable loop).
INLINE void philox_planes(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t block, int blocks,
                          uint32_t *w) {
    for (int j = 0; j < blocks; j++) {
        uint32_t x0 = block + (uint32_t)j, x1 = c1, x2 = c2, x3 = c3, ka = k0, kb = k1;
        for (int r = 0; r < 10; r++) {
            uint64_t p0 = (uint64_t)x0 * 0xD2511F53u, p1 = (uint64_t)x2 * 0xCD9E8D57u;
            x0 = (uint32_t)(p1 >> 32) ^ x1 ^ ka; x1 = (uint32_t)p1;
            x2 = (uint32_t)(p0 >> 32) ^ x3 ^ kb; x3 = (uint32_t)p0;
            ka += 0x9E3779B9u; kb += 0xBB67AE85u;
        }
        w[j] = x0; w[TILE + j] = x1; w[2 * TILE + j] = x2; w[3 * TILE + j] = x3;
    }
}

#define GAUSS_TILE_BODY(PHILOX, k0, k1, c1, c2, c3, block, blocks, out)                                 \
    do {                                                                                                \
        PHILOX(k0, k1, c1, c2, c3, block, blocks, words);                                               \
        GAUSS_BOX_MULLER(words, blocks, out);                                                           \
    } while (0)

// FastGaussian.fill: whole tiles straight into `out`, partial ones through a tile buffer.
#define GAUSS_FILL_BODY(PHILOX)                                                                         \
    float tile[4 * TILE];                                                                               \
    uint32_t words[4 * TILE];                                                                           \
    uint32_t block = (uint32_t)(first >> 2);                                                            \
    long skip = first & 3, done = 0;                                                                    \
    while (done < count) {                                                                              \
        long want = (skip + count - done + 3) >> 2;                                                     \
        int blocks = want < TILE ? (int)want : TILE;                                                    \
        long produced = 4L * blocks;                                                                    \
        if (skip == 0 && produced <= count - done) {                                                    \
            float *o = out + done;                                                                      \
            GAUSS_TILE_BODY(PHILOX, k0, k1, c1, c2, c3, block, blocks, o);                                      \
            done += produced;                                                                           \
        } else {                                                                                        \
            GAUSS_TILE_BODY(PHILOX, k0, k1, c1, c2, c3, block, blocks, tile);                                   \
            long take = produced - skip < count - done ? produced - skip : count - done;                \
            memcpy(out + done, tile + skip, (size_t)take * sizeof(float));                              \
            done += take;                                                                               \
        }                                                                                               \
        skip = 0;                                                                                       \
        block += (uint32_t)blocks;                                                                      \
    }

static void fill_base(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first, long count,
                      float *out) {
    GAUSS_FILL_BODY(philox_planes)
}

#if defined(__x86_64__)
#include <immintrin.h>
#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
#define T256 __attribute__((target("avx2")))

// 32 x 32 -> 64-bit products of 16 lanes: (hi, lo) words, from even and odd lanes' vpmuludq.
T512 INLINE void mul_hilo_512(__m512i x, __m512i m, __m512i *hi, __m512i *lo) {
    __m512i even = _mm512_mul_epu32(x, m);
    __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), m);
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

// Philox into planes, 16 counters per step (a partial last group computes all lanes and keeps the first).
T512 INLINE void philox_planes_512(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t block,
                                   int blocks, uint32_t *w) {
    const __m512i m0 = _mm512_set1_epi32((int)0xD2511F53u), m1 = _mm512_set1_epi32((int)0xCD9E8D57u);
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int j = 0;
    for (; j < blocks; j += 16) {
        __m512i x0 = _mm512_add_epi32(_mm512_set1_epi32((int)(block + (uint32_t)j)), lane);
        __m512i x1 = _mm512_set1_epi32((int)c1), x2 = _mm512_set1_epi32((int)c2), x3 = _mm512_set1_epi32((int)c3);
        uint32_t ka = k0, kb = k1;
        for (int r = 0; r < 10; r++) {
            __m512i h0, l0, h1, l1;
            mul_hilo_512(x0, m0, &h0, &l0);
            mul_hilo_512(x2, m1, &h1, &l1);
            x0 = _mm512_xor_si512(_mm512_xor_si512(h1, x1), _mm512_set1_epi32((int)ka)); x1 = l1;
            x2 = _mm512_xor_si512(_mm512_xor_si512(h0, x3), _mm512_set1_epi32((int)kb)); x3 = l0;
            ka += 0x9E3779B9u; kb += 0xBB67AE85u;
        }
        if (j + 16 <= blocks) {
            _mm512_storeu_si512(w + j, x0); _mm512_storeu_si512(w + TILE + j, x1);
            _mm512_storeu_si512(w + 2 * TILE + j, x2); _mm512_storeu_si512(w + 3 * TILE + j, x3);
        } else {
            // The last partial group: all 16 lanes computed, only the first blocks - j kept.
            uint32_t t[4][16];
            _mm512_storeu_si512(t[0], x0); _mm512_storeu_si512(t[1], x1);
            _mm512_storeu_si512(t[2], x2); _mm512_storeu_si512(t[3], x3);
            for (int q = 0; q < blocks - j; q++) {
                w[j + q] = t[0][q]; w[TILE + j + q] = t[1][q]; w[2 * TILE + j + q] = t[2][q]; w[3 * TILE + j + q] = t[3][q];
            }
        }
    }
}

T256 INLINE void mul_hilo_256(__m256i x, __m256i m, __m256i *hi, __m256i *lo) {
    __m256i even = _mm256_mul_epu32(x, m);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

T256 INLINE void philox_planes_256(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t block,
                                   int blocks, uint32_t *w) {
    const __m256i m0 = _mm256_set1_epi32((int)0xD2511F53u), m1 = _mm256_set1_epi32((int)0xCD9E8D57u);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    int j = 0;
    for (; j < blocks; j += 8) {
        __m256i x0 = _mm256_add_epi32(_mm256_set1_epi32((int)(block + (uint32_t)j)), lane);
        __m256i x1 = _mm256_set1_epi32((int)c1), x2 = _mm256_set1_epi32((int)c2), x3 = _mm256_set1_epi32((int)c3);
        uint32_t ka = k0, kb = k1;
        for (int r = 0; r < 10; r++) {
            __m256i h0, l0, h1, l1;
            mul_hilo_256(x0, m0, &h0, &l0);
            mul_hilo_256(x2, m1, &h1, &l1);
            x0 = _mm256_xor_si256(_mm256_xor_si256(h1, x1), _mm256_set1_epi32((int)ka)); x1 = l1;
            x2 = _mm256_xor_si256(_mm256_xor_si256(h0, x3), _mm256_set1_epi32((int)kb)); x3 = l0;
            ka += 0x9E3779B9u; kb += 0xBB67AE85u;
        }
        if (j + 8 <= blocks) {
            _mm256_storeu_si256((__m256i *)(w + j), x0); _mm256_storeu_si256((__m256i *)(w + TILE + j), x1);
            _mm256_storeu_si256((__m256i *)(w + 2 * TILE + j), x2); _mm256_storeu_si256((__m256i *)(w + 3 * TILE + j), x3);
        } else {
            uint32_t t[4][8];
            _mm256_storeu_si256((__m256i *)t[0], x0); _mm256_storeu_si256((__m256i *)t[1], x1);
            _mm256_storeu_si256((__m256i *)t[2], x2); _mm256_storeu_si256((__m256i *)t[3], x3);
            for (int q = 0; q < blocks - j; q++) {
                w[j + q] = t[0][q]; w[TILE + j + q] = t[1][q]; w[2 * TILE + j + q] = t[2][q]; w[3 * TILE + j + q] = t[3][q];
            }
        }
    }
}

T256 static void fill_avx2(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first, long count,
                           float *out) {
    GAUSS_FILL_BODY(philox_planes_256)
}

T512 static void fill_avx512(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first, long count,
                             float *out) {
    GAUSS_FILL_BODY(philox_planes_512)
}
#endif

int lrsim_gaussian_best_isa(void) {
#if defined(__x86_64__)
    static int cached = -1;
    int isa = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (isa >= 0) return isa;
    __builtin_cpu_init();
    isa = 0;
    if (__builtin_cpu_supports("avx2")) isa = 1;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl"))
        isa = 2;
    __atomic_store_n(&cached, isa, __ATOMIC_RELAXED);
    return isa;
#else
    return 0;
#endif
}

void lrsim_gaussian_fill(int isa, uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first,
                         long count, float *out) {
    if (count <= 0) return;
    int best = lrsim_gaussian_best_isa();
    if (isa > best) isa = best;
#if defined(__x86_64__)
    if (isa == 2) { fill_avx512(k0, k1, c1, c2, c3, first, count, out); return; }
    if (isa == 1) { fill_avx2(k0, k1, c1, c2, c3, first, count, out); return; }
#endif
    fill_base(k0, k1, c1, c2, c3, first, count, out);
}
