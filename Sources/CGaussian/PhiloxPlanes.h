// Philox4x32-10 into word planes, per instruction set (shared by Gaussian.c and PhiloxWords.c; not a public header).
// Each computes counters (block + j, c1, c2, c3) for j < blocks, lane l of block j into w[l * TILE + j], bit for bit
// `Philox4x32.block` of LRCore.
#ifndef LRSIM_PHILOX_PLANES_H
#define LRSIM_PHILOX_PLANES_H

#include <stdint.h>

#define INLINE static inline __attribute__((always_inline))
#define TILE 64

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
#endif

#endif
