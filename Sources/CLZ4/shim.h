#ifndef SCOPESCAN_CLZ4_SHIM_H
#define SCOPESCAN_CLZ4_SHIM_H
#include <lz4frame.h>
#endif
