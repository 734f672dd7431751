// Philox4x32-10 + Box-Muller standard normals (lrsim's `FastGaussian`), compiled once per instruction set and chosen
// at run time. The arithmetic is exactly `GaussianMath` and `Philox4x32.blocks` in LRCore (IEEE single-precision adds,
// multiplies and square roots in the same order, no contraction into FMA: the target is built with
// -ffp-contract=off), so every path gives the Swift code's bits; `GaussianTests` compares them.
#ifndef CGAUSSIAN_H
#define CGAUSSIAN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Instruction sets: 0 baseline x86-64 / portable, 1 AVX2, 2 AVX-512 (F, DQ, BW, VL). Higher than the CPU has: the best.
int lrsim_gaussian_best_isa(void);

// Elements [first, first + count) of the row: element e is lane e % 4 of Philox block e / 4 with counter
// (e / 4, c1, c2, c3) under key (k0, k1); lanes (0, 1) and (2, 3) are Box-Muller pairs (radius, angle).
void lrsim_gaussian_fill(int isa, uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first,
                         long count, float *out);

// StochasticStream words [first, first + count) of a row: word e is lane e % 4 of Philox block e / 4 with counter
// (e / 4, c1, c2, c3) under key (k0, k1), exactly `StochasticStream.word(e)` (one block per 4 words).
void lrsim_philox_words(int isa, uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first,
                        long count, uint32_t *out);

// The words at indices first + j * stride, j < count (index arithmetic wraps like Swift's &+ and &*): for write-backs
// whose words lie 2n + 1 apart, one block per word but 16 (AVX-512) or 8 (AVX2) blocks per step.
void lrsim_philox_words_strided(int isa, uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, long first,
                                long stride, long count, uint32_t *out);

#ifdef __cplusplus
}
#endif

#endif
