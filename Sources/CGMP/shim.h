// GMP's public names (mpz_add, mpz_sgn, ...) are macros that Swift does not import.
// The functions are imported under their real names (__gmpz_add); the macro-only
// helpers are re-exposed here as static inline functions.
#ifndef LRSIM_CGMP_SHIM_H
#define LRSIM_CGMP_SHIM_H
#include <gmp.h>

static inline int lrsim_mpz_sgn(const mpz_t z) { return mpz_sgn(z); }
static inline int lrsim_mpq_sgn(const mpq_t q) { return mpq_sgn(q); }
static inline mpz_ptr lrsim_mpq_numref(mpq_ptr q) { return mpq_numref(q); }
static inline mpz_ptr lrsim_mpq_denref(mpq_ptr q) { return mpq_denref(q); }
static inline int lrsim_mpz_cmp_si(const mpz_t z, long v) { return mpz_cmp_si(z, v); }
static inline int lrsim_mpz_cmp_ui(const mpz_t z, unsigned long v) { return mpz_cmp_ui(z, v); }
static inline int lrsim_mpq_cmp_si(const mpq_t q, long n, unsigned long d) { return mpq_cmp_si(q, n, d); }
static inline int lrsim_mpz_odd_p(const mpz_t z) { return mpz_odd_p(z); }
static inline int lrsim_mpz_even_p(const mpz_t z) { return mpz_even_p(z); }

/// Sets z to the signed 128-bit integer (hi:lo) without going through a narrower type.
static inline void lrsim_mpz_set_i128(mpz_t z, long long hi, unsigned long long lo) {
    __int128 v = ((__int128)hi << 64) | (__int128)lo;
    int neg = v < 0;
    unsigned __int128 m = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    mpz_set_ui(z, (unsigned long)(m >> 64));
    mpz_mul_2exp(z, z, 64);
    mpz_add_ui(z, z, (unsigned long)(m & 0xFFFFFFFFFFFFFFFFull));
    if (neg) mpz_neg(z, z);
}
/// The low 128 bits of z in two's complement (hi:lo); exact whenever z fits a signed 128-bit integer.
static inline void lrsim_mpz_get_i128(const mpz_t z, long long *hi, unsigned long long *lo) {
    mpz_t t;
    mpz_init(t);
    mpz_fdiv_r_2exp(t, z, 128);
    *lo = (unsigned long long)mpz_get_ui(t);
    mpz_fdiv_q_2exp(t, t, 64);
    *hi = (long long)mpz_get_ui(t);
    mpz_clear(t);
}
static inline int lrsim_mpz_fits_slong_p(const mpz_t z) { return mpz_fits_slong_p(z); }
static inline void lrsim_mpz_neg(mpz_t r, const mpz_t z) { mpz_neg(r, z); }
static inline void lrsim_mpz_abs(mpz_t r, const mpz_t z) { mpz_abs(r, z); }
static inline void lrsim_mpq_neg(mpq_t r, const mpq_t q) { mpq_neg(r, q); }
static inline void lrsim_mpq_abs(mpq_t r, const mpq_t q) { mpq_abs(r, q); }
#endif
