#ifndef SSKD_EVENT_H
#define SSKD_EVENT_H
/* One record of the ring buffer, shared by the BPF program (bpf/kfree_skb.bpf.c) and the loader.
 * Fixed size, so the program reserves it in one step; `captured` says how many of `bytes` are real. */

#ifdef __bpf__
typedef __u8 sskd_u8;
typedef __u16 sskd_u16;
typedef __u32 sskd_u32;
typedef __u64 sskd_u64;
#else
#include <stdint.h>
typedef uint8_t sskd_u8;
typedef uint16_t sskd_u16;
typedef uint32_t sskd_u32;
typedef uint64_t sskd_u64;
#endif

/* Enough for an IPv6 header, a few extension headers and a TCP header with options. */
#define SSKD_CAPTURE_BYTES 128

struct sskd_event {
    sskd_u64 monotonic_ns;  /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
    sskd_u64 location;      /* kernel text address of the caller of kfree_skb_reason */
    sskd_u32 reason;        /* enum skb_drop_reason, high bits = subsystem since 6.4 */
    sskd_u32 ifindex;       /* skb->dev->ifindex, 0 when dev is NULL (output path) */
    sskd_u32 netns_inode;   /* the namespace the drop was filtered on */
    sskd_u32 skb_len;       /* skb->len: the whole packet, beyond what was copied */
    sskd_u16 protocol;      /* skb->protocol in host order: 0x0800 or 0x86DD */
    sskd_u16 captured;      /* bytes of `bytes` copied from the network header on */
    sskd_u32 reserved;
    sskd_u8 bytes[SSKD_CAPTURE_BYTES];
};

#endif
