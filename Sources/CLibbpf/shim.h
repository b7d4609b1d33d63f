#ifndef SCOPESCAN_CLIBBPF_SHIM_H
#define SCOPESCAN_CLIBBPF_SHIM_H
/* Only here so SwiftPM finds libbpf through pkg-config and links it; CKernelDrops includes the
 * headers itself and Swift never calls libbpf directly. */
#include <bpf/libbpf.h>
#endif
