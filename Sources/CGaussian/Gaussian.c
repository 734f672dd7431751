// Vectorised standard normals; see include/CGaussian.h. The body is one macro instantiated per target so the loop
// vectoriser can use each instruction set's full width (16 lanes with AVX-512, 8 with AVX2, 4 with SSE2).
#include "CGaussian.h"
#include "PhiloxPlanes.h"
#include <string.h>

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
