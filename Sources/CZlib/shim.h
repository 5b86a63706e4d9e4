#ifndef CTRDB_CZLIB_SHIM_H
#define CTRDB_CZLIB_SHIM_H
#include <zlib.h>

/// `inflateInit2` is a macro that passes the library version and struct size; Swift cannot call macros.
static inline int czlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

static inline int czlib_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
