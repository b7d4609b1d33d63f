/*
 * A paced UDP load on the IPv6 loopback for Benchmarks/live.sh: sends RATE datagrams per second of
 * SIZE bytes to [::1]:PORT for SECONDS seconds, in batches of sendmmsg(2), then prints how many it
 * sent. Nothing listens on the port: the kernel drops the datagrams after lo has carried them (the
 * ICMPv6 port-unreachable replies are rate-limited), which is all a capture on lo needs.
 *
 *     cc -O2 -o Benchmarks/out/loadgen Benchmarks/loadgen.c
 *     loadgen RATE SECONDS [SIZE] [PORT]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RATE SECONDS [SIZE] [PORT]\n", argv[0]);
        return 2;
    }
    double rate = atof(argv[1]), seconds = atof(argv[2]);
    int size = argc > 3 ? atoi(argv[3]) : 64;
    int port = argc > 4 ? atoi(argv[4]) : 9;
    if (rate <= 0 || seconds <= 0 || size < 1 || size > 65000) {
        fprintf(stderr, "loadgen: bad arguments\n");
        return 2;
    }
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) { perror("connect"); return 1; }
    static char payload[65000];
    memset(payload, 'x', sizeof payload);
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = payload;
        iov[i].iov_len = size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    unsigned long long sent = 0, target = (unsigned long long)(rate * seconds);
    double start = now();
    while (sent < target) {
        /* Pace: never ahead of rate * elapsed. */
        double due = (now() - start) * rate;
        if (sent >= due) {
            double wait = (sent - due + BATCH / 2) / rate;
            if (wait > 0.0002) { struct timespec ts = { 0, (long)(wait * 1e9) }; nanosleep(&ts, NULL); }
            continue;
        }
        unsigned long long n = target - sent < BATCH ? target - sent : BATCH;
        if (n > due - sent + 1) n = (unsigned long long)(due - sent) + 1;
        int done = sendmmsg(fd, msgs, (unsigned)n, 0);
        if (done > 0) sent += done;
    }
    double elapsed = now() - start;
    printf("%llu %.3f %.0f\n", sent, elapsed, sent / elapsed);
    return 0;
}
