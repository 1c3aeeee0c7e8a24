#ifndef HOCLIEU_CZLIB_SHIM_H
#define HOCLIEU_CZLIB_SHIM_H
#include <zlib.h>

/// Raw deflate (no zlib or gzip header), as ZIP entries store it. inflateInit2 is a macro.
static inline int hoclieu_inflate_init_raw(z_streamp stream) { return inflateInit2(stream, -MAX_WBITS); }

#endif
