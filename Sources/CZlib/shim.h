#ifndef SCOPESCAN_CZLIB_SHIM_H
#define SCOPESCAN_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro; 15 + 32: a 32 KiB window, gzip or zlib header detected.
static inline int scopescan_inflate_init(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}
#endif
