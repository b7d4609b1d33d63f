/*
 * The floor of the benchmark: a bare C loop over the memory-mapped classic pcap file, reading each
 * record header (its captured length, to find the next) and the first byte of each packet, so the
 * pages are touched as a reader touches them. No libpcap, no decoding. Prints "packets bytes".
 *
 *     cc -O2 -o Benchmarks/out/bare-walk Benchmarks/bare-walk.c
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat info;
    if (fd < 0 || fstat(fd, &info) != 0 || info.st_size < 24) {
        perror(argv[1]);
        return 2;
    }
    size_t size = (size_t)info.st_size;
    const uint8_t *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    madvise((void *)map, size, MADV_SEQUENTIAL);
    uint32_t magic;
    memcpy(&magic, map, 4);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
        fprintf(stderr, "%s: not a little-endian classic pcap of this host's byte order\n", argv[1]);
        return 2;
    }
    unsigned long long packets = 0, bytes = 0;
    size_t offset = 24;
    while (offset + 16 <= size) {
        uint32_t caplen;
        memcpy(&caplen, map + offset + 8, 4);
        if (offset + 16 + caplen > size) break;
        packets++;
        bytes += caplen + (caplen ? map[offset + 16] : 0);
        offset += 16 + caplen;
    }
    printf("%llu %llu\n", packets, bytes);
    munmap((void *)map, size);
    close(fd);
    return 0;
}
