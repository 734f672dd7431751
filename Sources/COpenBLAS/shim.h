// OpenBLAS's CBLAS interface plus the DYNAMIC_ARCH hooks lrsim uses to pick the right
// kernels: Debian's 0.3.21 does not know Zen 4/5 and falls back to Haswell kernels.
#ifndef LRSIM_COPENBLAS_SHIM_H
#define LRSIM_COPENBLAS_SHIM_H
#include <cblas.h>

extern void gotoblas_dynamic_init(void);
extern void gotoblas_dynamic_quit(void);
#endif
