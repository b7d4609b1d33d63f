/* Sends UDP datagrams to [::1]:9999 at a fixed rate for a fixed time, then prints how many it sent
 * and the CPU it used (user and system, which includes the loopback softirq run in its context).
 *   flood RATE_PER_SECOND SECONDS */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

int main(int argc, char **argv)
{
    long rate = argc > 1 ? atol(argv[1]) : 100000, seconds = argc > 2 ? atol(argv[2]) : 10;
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(9999), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    char payload[64] = { 0 };
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long sent = 0;
    /* Paced per millisecond: sleep until each millisecond's share is due. */
    for (long tick = 0; tick < seconds * 1000; tick++) {
        for (long i = 0; i < rate / 1000; i++)
            if (sendto(fd, payload, sizeof payload, 0, (struct sockaddr *)&to, sizeof to) > 0)
                sent++;
        struct timespec due = start;
        due.tv_nsec += (tick + 1) * 1000000L % 1000000000L;
        due.tv_sec += (tick + 1) / 1000 + due.tv_nsec / 1000000000L;
        due.tv_nsec %= 1000000000L;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double elapsed = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
    double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    printf("sent %ld in %.2f s (%.0f/s), cpu %.3f s (%.1f%% of a core)\n", sent, elapsed, sent / elapsed, cpu, 100 * cpu / elapsed);
    return 0;
}
