// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/* skb:kfree_skb → ring buffer, for the drops of one network namespace.
 *
 * Kernel structures are declared here with only the fields read, marked preserve_access_index:
 * libbpf relocates each access against the running kernel's BTF (CO-RE), so no offset is fixed at
 * build time, and the object does not depend on the headers of the machine that built it (which keeps
 * Scripts/gen-bpf.sh's output the same on every machine). */

/* The integer types libbpf's helper declarations use (linux/types.h without the asm/ headers). */
typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "../include/sskd_event.h"

#define BPF_MAP_TYPE_RINGBUF 27
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_RB_NO_WAKEUP 1
#define BPF_RB_FORCE_WAKEUP 2
#define BPF_RB_AVAIL_DATA 0

struct ns_common { unsigned int inum; } __attribute__((preserve_access_index));
struct net { struct ns_common ns; } __attribute__((preserve_access_index));
typedef struct { struct net *net; } possible_net_t;
struct net_device { int ifindex; possible_net_t nd_net; } __attribute__((preserve_access_index));
struct sock_common { possible_net_t skc_net; } __attribute__((preserve_access_index));
struct sock { struct sock_common __sk_common; } __attribute__((preserve_access_index));
struct sk_buff {
    struct net_device *dev;
    struct sock *sk;
    unsigned int len;
    __be16 protocol;
    __u16 network_header;
    unsigned int tail; /* an offset from head on 64-bit kernels (NET_SKBUFF_DATA_USES_OFFSET) */
    unsigned char *head;
} __attribute__((preserve_access_index));

/* Set by the loader before load (rodata is frozen then, so the verifier sees a constant). 0 never
 * matches a namespace: an unset filter lets nothing through rather than everything. */
const volatile __u32 target_netns_inode = 0;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 20);
} events SEC(".maps");

/* When the consumer was last woken. A wakeup per record is an irq_work and a cross-CPU wakeup,
 * which cost about 5 µs per drop on these VMs (measured: 100,000 drops/s took half a core); so wake
 * at most once a millisecond, or at once when a quarter of the ring waits. A record written between
 * wakeups is read at the next one or when sskd_poll's timeout ends. */
__u64 last_wakeup_ns = 0;

/* Records the ring buffer had no room for, so user space can say drops were missed. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} lost SEC(".maps");

/* The receive path has skb->dev; the output path (a RST dropped by an output rule) has dev NULL and
 * the namespace is the socket's. */
static __always_inline __u32 skb_netns_inode(struct sk_buff *skb)
{
    struct net_device *dev = BPF_CORE_READ(skb, dev);
    if (dev)
        return BPF_CORE_READ(dev, nd_net.net, ns.inum);
    struct sock *sk = BPF_CORE_READ(skb, sk);
    if (sk)
        return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
    return 0;
}

/* The first three arguments exist since 5.17 (rx_sk came in 6.8 and is not needed). */
SEC("tp_btf/kfree_skb")
int BPF_PROG(sskd_kfree_skb, struct sk_buff *skb, void *location, unsigned int reason)
{
    __be16 protocol = BPF_CORE_READ(skb, protocol);
    if (protocol != bpf_htons(0x0800) && protocol != bpf_htons(0x86DD))
        return 0;
    /* Both sides are 32-bit values in registers: no sign-extended immediate, so inodes above 2^31
     * compare correctly. */
    __u32 netns = skb_netns_inode(skb);
    if (netns == 0 || netns != target_netns_inode)
        return 0;

    struct sskd_event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
    if (!event) {
        __u32 key = 0;
        __u64 *count = bpf_map_lookup_elem(&lost, &key);
        if (count)
            __sync_fetch_and_add(count, 1);
        return 0;
    }
    event->monotonic_ns = bpf_ktime_get_ns();
    event->location = (__u64)location;
    event->reason = reason;
    struct net_device *dev = BPF_CORE_READ(skb, dev);
    event->ifindex = dev ? BPF_CORE_READ(dev, ifindex) : 0;
    event->netns_inode = netns;
    event->skb_len = BPF_CORE_READ(skb, len);
    event->protocol = bpf_ntohs(protocol);
    event->reserved = 0;

    /* Copy from the network header to the end of the linear data, at most SSKD_CAPTURE_BYTES. The
     * transport header offset is not used: it is unset on early receive paths, while the IP header
     * tells user space where the transport header starts. */
    unsigned char *head = BPF_CORE_READ(skb, head);
    __u32 network = BPF_CORE_READ(skb, network_header);
    __u32 tail = BPF_CORE_READ(skb, tail);
    __u32 available = tail > network ? tail - network : 0;
    if (network == 0xffff)
        available = 0;
    if (available > SSKD_CAPTURE_BYTES)
        available = SSKD_CAPTURE_BYTES;
    if (available == 0 || bpf_probe_read_kernel(event->bytes, available, head + network) != 0)
        available = 0;
    event->captured = available;
    __u64 wakeup = BPF_RB_NO_WAKEUP;
    if (event->monotonic_ns - last_wakeup_ns > 1000000 || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > (1 << 18)) {
        wakeup = BPF_RB_FORCE_WAKEUP;
        last_wakeup_ns = event->monotonic_ns;
    }
    bpf_ringbuf_submit(event, wakeup);
    return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
