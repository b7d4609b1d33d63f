#ifndef SCOPESCAN_CZSTD_SHIM_H
#define SCOPESCAN_CZSTD_SHIM_H
#include <zstd.h>
#endif
