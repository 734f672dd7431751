#ifndef LRSIM_CZLIB_SHIM_H
#define LRSIM_CZLIB_SHIM_H
#include <zlib.h>
#endif
