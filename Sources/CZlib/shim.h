#ifndef SCOPESCAN_CZLIB_SHIM_H
#define SCOPESCAN_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro; 15 + 32: a 32 KiB window, gzip or zlib header detected.
static inline int scopescan_inflate_init(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}
/// deflateInit2 is a macro too; 15 + 16: a 32 KiB window and a gzip header (mtime 0, so the
/// output depends only on the input).
static inline int scopescan_deflate_init(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
