#ifndef SSKD_KERNEL_DROPS_H
#define SSKD_KERNEL_DROPS_H
/* The loader of the skb:kfree_skb tracer (bpf/kfree_skb.bpf.c), for ScopeScanKernel. Linux only; on
 * other systems every function fails with ENOSYS. No libbpf type appears here, so the Swift side
 * needs none of libbpf's headers. */

#include <stddef.h>
#include <stdint.h>
#include "sskd_event.h"

typedef struct sskd_monitor sskd_monitor;

/* Called once per drop, from within sskd_poll on the polling thread. `event` is valid only during
 * the call. */
typedef void (*sskd_drop_fn)(void *context, const struct sskd_event *event);

/* Loads and attaches the tracer for the drops of the network namespace with this inode (the inode
 * of /proc/self/ns/net). Returns NULL on failure, with errno set and one line in `err` (no trailing
 * newline), e.g. "loading the BPF program: Operation not permitted". */
sskd_monitor *sskd_open(uint64_t netns_inode, char *err, size_t errlen);

/* Waits up to timeout_ms (0: do not wait, -1: forever) for drops and hands each to `callback`.
 * Returns how many were handed over, or -errno. An interrupted wait returns 0. The program wakes the
 * waiter at most once a millisecond, so a drop right after another may be handed over only when the
 * timeout ends: poll with a timeout (100 ms) rather than forever. */
int sskd_poll(sskd_monitor *monitor, int timeout_ms, sskd_drop_fn callback, void *context);

/* Drops the tracer saw but had no ring-buffer room for, since open. */
uint64_t sskd_lost(const sskd_monitor *monitor);

/* The ring buffer's epoll descriptor, for a caller that multiplexes it with other descriptors. */
int sskd_fd(const sskd_monitor *monitor);

/* Detaches and frees; NULL is ignored. */
void sskd_close(sskd_monitor *monitor);

/* Called once per enumerator of enum skb_drop_reason, with the SKB_DROP_REASON_ prefix removed. */
typedef void (*sskd_reason_fn)(void *context, uint32_t value, const char *name);

/* Reads enum skb_drop_reason from the BTF at `btf_path` (NULL: the running kernel's vmlinux BTF).
 * Returns the number of enumerators, or -errno: -ENOENT when the enum is absent (kernels before
 * 5.17), with one line in `err`. */
int sskd_drop_reasons(const char *btf_path, sskd_reason_fn callback, void *context, char *err, size_t errlen);

/* Moves the calling thread (only it) into the network namespace open at `fd` (a /run/netns/NAME or
 * /proc/PID/ns/net descriptor): setns(2), which Swift's Glibc module does not import. 0 or -errno. */
int sskd_enter_network_namespace(int fd);

#endif
