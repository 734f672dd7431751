// Stochastic-rounding words in bulk; see include/CGaussian.h. Same Philox planes as the normals, so each instruction
// set gives the scalar `StochasticStream.word` bits (`StochasticWordsTests` compares them).
#include "CGaussian.h"
#include "PhiloxPlanes.h"

// Contiguous words: tiles of TILE blocks into planes, then interleaved (lane e % 4 of block e / 4) into `out`.
#define WORDS_BODY(PHILOX)                                                                              \
    uint32_t w[4 * TILE];                                                                               \
    uint32_t block = (uint32_t)((uint64_t)first >> 2);                                                  \
    long skip = first & 3, done = 0;                                                                    \
    while (done < count) {                                                                              \
        long want = (skip + count - done + 3) >> 2;                                                     \
        int blocks = want < TILE ? (int)want : TILE;                                                    \
        PHILOX(k0, k1, c1, c2, c3, block, blocks, w);                                                   \
        long produced = 4L * blocks;                                                                    \
        long take = produced - skip < count - done ? produced - skip : count - done;                    \
        uint32_t *o = out + done;                                                                       \
        if (skip == 0 && take == produced) {                                                            \
            for (int j = 0; j < blocks; j++) {                                                          \
                o[4 * j] = w[j]; o[4 * j + 1] = w[TILE + j];                                            \
                o[4 * j + 2] = w[2 * TILE + j]; o[4 * j + 3] = w[3 * TILE + j];                         \
            }                                                                                           \
        } else {                                                                                        \
            for (long i = 0; i < take; i++) { long e = skip + i; o[i] = w[(e & 3) * TILE + (e >> 2)]; } \
        }                                                                                               \
        done += take;                                                                                   \
        skip = 0;                                                                                       \
        block += (uint32_t)blocks;                                                                      \
    }

// Strided words: per tile the counters (index >> 2, truncated to 32 bits like the Swift code) and lanes (index & 3).
#define STRIDED_BODY(SELECT)                                                                            \
    uint32_t ctr[TILE], sel[TILE];                                                                      \
    uint64_t idx = (uint64_t)first;                                                                     \
    long done = 0;                                                                                      \
    while (done < count) {                                                                              \
        int n = count - done < TILE ? (int)(count - done) : TILE;                                       \
        for (int j = 0; j < TILE; j++) {                                                                \
            ctr[j] = j < n ? (uint32_t)(idx >> 2) : 0; sel[j] = j < n ? (uint32_t)(idx & 3) : 0;        \
            if (j < n) idx += (uint64_t)stride;                                                         \
        }                                                                                               \
        SELECT(k0, k1, c1, c2, c3, ctr, sel, n, out + done);                                            \
        done += n;                                                                                      \
    }

// Philox of counters (ctr[j], c1, c2, c3), keeping lane sel[j]: out[j] for j < n (portable loop).
INLINE void philox_select(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, const uint32_t *ctr,
                          const uint32_t *sel, int n, uint32_t *out) {
    for (int j = 0; j < n; j++) {
        uint32_t x0 = ctr[j], x1 = c1, x2 = c2, x3 = c3, ka = k0, kb = k1;
        for (int r = 0; r < 10; r++) {
            uint64_t p0 = (uint64_t)x0 * 0xD2511F53u, p1 = (uint64_t)x2 * 0xCD9E8D57u;
            x0 = (uint32_t)(p1 >> 32) ^ x1 ^ ka; x1 = (uint32_t)p1;
            x2 = (uint32_t)(p0 >> 32) ^ x3 ^ kb; x3 = (uint32_t)p0;
            ka += 0x9E3779B9u; kb += 0xBB67AE85u;
        }
        uint32_t s = sel[j];
        out[j] = s == 0 ? x0 : s == 1 ? x1 : s == 2 ? x2 : x3;
    }
}

static void words_base(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first, long count,
                       uint32_t *out) {
    WORDS_BODY(philox_planes)
}

static void strided_base(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first, long stride,
                         long count, uint32_t *out) {
    STRIDED_BODY(philox_select)
}

#if defined(__x86_64__)
// 16 counters per step; tiles are whole vectors (TILE is a multiple of 16), a partial group is stored under a mask.
T512 INLINE void philox_select_512(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, const uint32_t *ctr,
                                   const uint32_t *sel, int n, uint32_t *out) {
    const __m512i m0 = _mm512_set1_epi32((int)0xD2511F53u), m1 = _mm512_set1_epi32((int)0xCD9E8D57u);
    for (int j = 0; j < n; j += 16) {
        __m512i x0 = _mm512_loadu_si512(ctr + j);
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
        __m512i s = _mm512_loadu_si512(sel + j);
        __m512i v = _mm512_mask_blend_epi32(_mm512_cmpeq_epi32_mask(s, _mm512_set1_epi32(1)), x0, x1);
        v = _mm512_mask_blend_epi32(_mm512_cmpeq_epi32_mask(s, _mm512_set1_epi32(2)), v, x2);
        v = _mm512_mask_blend_epi32(_mm512_cmpeq_epi32_mask(s, _mm512_set1_epi32(3)), v, x3);
        __mmask16 keep = n - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - j)) - 1);
        _mm512_mask_storeu_epi32(out + j, keep, v);
    }
}

T256 INLINE void philox_select_256(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, const uint32_t *ctr,
                                   const uint32_t *sel, int n, uint32_t *out) {
    const __m256i m0 = _mm256_set1_epi32((int)0xD2511F53u), m1 = _mm256_set1_epi32((int)0xCD9E8D57u);
    for (int j = 0; j < n; j += 8) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(ctr + j));
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
        __m256i s = _mm256_loadu_si256((const __m256i *)(sel + j));
        __m256i v = _mm256_blendv_epi8(x0, x1, _mm256_cmpeq_epi32(s, _mm256_set1_epi32(1)));
        v = _mm256_blendv_epi8(v, x2, _mm256_cmpeq_epi32(s, _mm256_set1_epi32(2)));
        v = _mm256_blendv_epi8(v, x3, _mm256_cmpeq_epi32(s, _mm256_set1_epi32(3)));
        if (n - j >= 8) {
            _mm256_storeu_si256((__m256i *)(out + j), v);
        } else {
            uint32_t t[8];
            _mm256_storeu_si256((__m256i *)t, v);
            for (int q = 0; q < n - j; q++) out[j + q] = t[q];
        }
    }
}

T256 static void words_avx2(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first, long count,
                            uint32_t *out) {
    WORDS_BODY(philox_planes_256)
}

T512 static void words_avx512(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first, long count,
                              uint32_t *out) {
    WORDS_BODY(philox_planes_512)
}

T256 static void strided_avx2(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first, long stride,
                              long count, uint32_t *out) {
    STRIDED_BODY(philox_select_256)
}

T512 static void strided_avx512(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first,
                                long stride, long count, uint32_t *out) {
    STRIDED_BODY(philox_select_512)
}
#endif

void lrsim_philox_words(int isa, uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first,
                        long count, uint32_t *out) {
    if (count <= 0) return;
    int best = lrsim_gaussian_best_isa();
    if (isa > best) isa = best;
#if defined(__x86_64__)
    if (isa == 2) { words_avx512(k0, k1, c1, c2, c3, first, count, out); return; }
    if (isa == 1) { words_avx2(k0, k1, c1, c2, c3, first, count, out); return; }
#endif
    words_base(k0, k1, c1, c2, c3, first, count, out);
}

void lrsim_philox_words_strided(int isa, uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first,
                                long stride, long count, uint32_t *out) {
    if (count <= 0) return;
    int best = lrsim_gaussian_best_isa();
    if (isa > best) isa = best;
#if defined(__x86_64__)
    if (isa == 2) { strided_avx512(k0, k1, c1, c2, c3, first, stride, count, out); return; }
    if (isa == 1) { strided_avx2(k0, k1, c1, c2, c3, first, stride, count, out); return; }
#endif
    strided_base(k0, k1, c1, c2, c3, first, stride, count, out);
}
