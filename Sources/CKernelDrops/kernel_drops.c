/* Loader of the skb:kfree_skb tracer: opens the embedded object, sets the namespace filter, loads,
 * attaches and reads the ring buffer. See include/kernel_drops.h. */
#define _GNU_SOURCE 1 /* setns and CLONE_NEWNET, before any system header */
#include "kernel_drops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__

#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "generated/kfree_skb_object.h"

struct sskd_monitor {
    struct bpf_object *object;
    struct bpf_link *link;
    struct ring_buffer *ring;
    struct bpf_map *lost;
    /* The callback of the sskd_poll in progress: ring_buffer__new fixes one context at creation. */
    sskd_drop_fn callback;
    void *context;
};

/* libbpf's first warning since sskd_open began (its later lines are mostly the verifier log). */
static __thread char first_libbpf_warning[256];

static int libbpf_print(enum libbpf_print_level level, const char *format, va_list args)
{
    if (getenv("SSKD_DEBUG")) {
        va_list copy;
        va_copy(copy, args);
        vfprintf(stderr, format, copy);
        va_end(copy);
    }
    if (level == LIBBPF_WARN && first_libbpf_warning[0] == '\0') {
        vsnprintf(first_libbpf_warning, sizeof first_libbpf_warning, format, args);
        first_libbpf_warning[strcspn(first_libbpf_warning, "\n")] = '\0';
    }
    return 0;
}

static void fail(char *err, size_t errlen, int error, const char *step)
{
    if (!err || errlen == 0)
        return;
    if (error == EPERM || error == EACCES)
        snprintf(err, errlen, "%s: %s (needs root, or CAP_BPF and CAP_PERFMON)", step, strerror(error));
    else if (first_libbpf_warning[0])
        snprintf(err, errlen, "%s: %s (%s)", step, strerror(error), first_libbpf_warning);
    else
        snprintf(err, errlen, "%s: %s", step, strerror(error));
}

/* Writes the namespace inode into the object's .rodata before load. The variable's offset comes
 * from the object's own BTF (its DATASEC), not from an assumption about the section's layout. */
static int set_target_netns(struct bpf_object *object, uint32_t inode)
{
    struct bpf_map *map = NULL;
    bpf_object__for_each_map(map, object) {
        const char *name = bpf_map__name(map);
        size_t length = strlen(name);
        if (bpf_map__is_internal(map) && length >= 7 && strcmp(name + length - 7, ".rodata") == 0)
            break;
    }
    const struct btf *btf = bpf_object__btf(object);
    if (!map || !btf)
        return -ENOENT;
    size_t size = 0;
    /* libbpf 1.1 declares it const, later ones not; it is the image load copies either way. */
    char *data = (char *)bpf_map__initial_value(map, &size);
    int section = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
    if (!data || section < 0)
        return -ENOENT;
    const struct btf_type *datasec = btf__type_by_id(btf, section);
    const struct btf_var_secinfo *info = btf_var_secinfos(datasec);
    for (int i = 0; i < btf_vlen(datasec); i++, info++) {
        const struct btf_type *var = btf__type_by_id(btf, info->type);
        if (strcmp(btf__name_by_offset(btf, var->name_off), "target_netns_inode") != 0)
            continue;
        if (info->size != sizeof inode || info->offset + info->size > size)
            return -EINVAL;
        memcpy(data + info->offset, &inode, sizeof inode);
        return 0;
    }
    return -ENOENT;
}

static int on_sample(void *context, void *data, size_t size)
{
    sskd_monitor *monitor = context;
    if (size >= sizeof(struct sskd_event) && monitor->callback)
        monitor->callback(monitor->context, data);
    return 0;
}

sskd_monitor *sskd_open(uint64_t netns_inode, char *err, size_t errlen)
{
    first_libbpf_warning[0] = '\0';
    libbpf_set_print(libbpf_print);
    /* ns.inum is 32 bits in the kernel; 0 would match nothing and is refused as a mistake. */
    if (netns_inode == 0 || netns_inode > UINT32_MAX) {
        fail(err, errlen, EINVAL, "network namespace inode out of range");
        errno = EINVAL;
        return NULL;
    }
    sskd_monitor *monitor = calloc(1, sizeof *monitor);
    if (!monitor) {
        fail(err, errlen, ENOMEM, "allocating the monitor");
        errno = ENOMEM;
        return NULL;
    }
    int error = 0;
    const char *step = "opening the BPF object";
    LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = "sskd_kfree_skb");
    monitor->object = bpf_object__open_mem(sskd_kfree_skb_object, sizeof sskd_kfree_skb_object, &options);
    if (!monitor->object) {
        error = errno;
        goto failed;
    }
    step = "setting the namespace filter";
    if ((error = -set_target_netns(monitor->object, (uint32_t)netns_inode)) != 0)
        goto failed;
    step = "loading the BPF program";
    if (bpf_object__load(monitor->object) != 0) {
        error = errno;
        goto failed;
    }
    step = "attaching to tp_btf/kfree_skb";
    struct bpf_program *program = bpf_object__find_program_by_name(monitor->object, "sskd_kfree_skb");
    monitor->link = program ? bpf_program__attach(program) : NULL;
    if (!monitor->link) {
        error = program ? errno : ENOENT;
        goto failed;
    }
    step = "opening the ring buffer";
    struct bpf_map *events = bpf_object__find_map_by_name(monitor->object, "events");
    monitor->lost = bpf_object__find_map_by_name(monitor->object, "lost");
    monitor->ring = events ? ring_buffer__new(bpf_map__fd(events), on_sample, monitor, NULL) : NULL;
    if (!monitor->ring) {
        error = events ? errno : ENOENT;
        goto failed;
    }
    return monitor;

failed:
    if (error == 0)
        error = EIO;
    fail(err, errlen, error, step);
    sskd_close(monitor);
    errno = error;
    return NULL;
}

int sskd_poll(sskd_monitor *monitor, int timeout_ms, sskd_drop_fn callback, void *context)
{
    if (!monitor)
        return -EINVAL;
    monitor->callback = callback;
    monitor->context = context;
    /* The program wakes the consumer at most once a millisecond, so a wait can end by its timeout
     * with records written since the last wakeup: consume those too. */
    int count = timeout_ms == 0 ? 0 : ring_buffer__poll(monitor->ring, timeout_ms);
    if (count >= 0) {
        int more = ring_buffer__consume(monitor->ring);
        count = more < 0 ? more : count + more;
    }
    monitor->callback = NULL;
    monitor->context = NULL;
    return count == -EINTR ? 0 : count;
}

uint64_t sskd_lost(const sskd_monitor *monitor)
{
    uint32_t key = 0;
    uint64_t value = 0;
    if (monitor && monitor->lost)
        bpf_map__lookup_elem(monitor->lost, &key, sizeof key, &value, sizeof value, 0);
    return value;
}

int sskd_fd(const sskd_monitor *monitor)
{
    return monitor && monitor->ring ? ring_buffer__epoll_fd(monitor->ring) : -EINVAL;
}

void sskd_close(sskd_monitor *monitor)
{
    if (!monitor)
        return;
    ring_buffer__free(monitor->ring);
    bpf_link__destroy(monitor->link);
    bpf_object__close(monitor->object);
    free(monitor);
}

int sskd_drop_reasons(const char *btf_path, sskd_reason_fn callback, void *context, char *err, size_t errlen)
{
    static const char prefix[] = "SKB_DROP_REASON_";
    first_libbpf_warning[0] = '\0';
    libbpf_set_print(libbpf_print);
    struct btf *btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
    if (!btf) {
        int error = errno;
        fail(err, errlen, error, btf_path ? btf_path : "reading the kernel's BTF (/sys/kernel/btf/vmlinux)");
        return -error;
    }
    int id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
    if (id < 0) {
        btf__free(btf);
        if (err && errlen)
            snprintf(err, errlen, "the kernel's BTF has no enum skb_drop_reason (drop reasons came in Linux 5.17)");
        return -ENOENT;
    }
    const struct btf_type *type = btf__type_by_id(btf, id);
    const struct btf_enum *value = btf_enum(type);
    int count = btf_vlen(type);
    for (int i = 0; i < count; i++, value++) {
        const char *name = btf__name_by_offset(btf, value->name_off);
        if (strncmp(name, prefix, sizeof prefix - 1) == 0)
            name += sizeof prefix - 1;
        callback(context, (uint32_t)value->val, name);
    }
    btf__free(btf);
    return count;
}

int sskd_enter_network_namespace(int fd)
{
    return setns(fd, CLONE_NEWNET) == 0 ? 0 : -errno;
}

#else /* not Linux: the tracer needs Linux's BPF; every call reports ENOSYS. */

sskd_monitor *sskd_open(uint64_t netns_inode, char *err, size_t errlen)
{
    (void)netns_inode;
    if (err && errlen)
        snprintf(err, errlen, "not supported on this platform");
    errno = ENOSYS;
    return NULL;
}

int sskd_poll(sskd_monitor *monitor, int timeout_ms, sskd_drop_fn callback, void *context)
{
    (void)monitor, (void)timeout_ms, (void)callback, (void)context;
    return -ENOSYS;
}

uint64_t sskd_lost(const sskd_monitor *monitor) { (void)monitor; return 0; }
int sskd_fd(const sskd_monitor *monitor) { (void)monitor; return -ENOSYS; }
void sskd_close(sskd_monitor *monitor) { (void)monitor; }

int sskd_enter_network_namespace(int fd) { (void)fd; return -ENOSYS; }

int sskd_drop_reasons(const char *btf_path, sskd_reason_fn callback, void *context, char *err, size_t errlen)
{
    (void)btf_path, (void)callback, (void)context;
    if (err && errlen)
        snprintf(err, errlen, "not supported on this platform");
    return -ENOSYS;
}

#endif
