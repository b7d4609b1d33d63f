/*
 * The baseline of the benchmark: the least any libpcap-based reader can do with a capture file.
 * Opens it with pcap_open_offline and calls pcap_next_ex until the end, touching each header so the
 * loop cannot be optimised away. Prints "packets bytes" so run.sh can check the count.
 *
 *     cc -O2 -o Benchmarks/out/pcap-loop Benchmarks/pcap-loop.c -lpcap
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (!p) {
        fprintf(stderr, "%s\n", errbuf);
        return 2;
    }
    struct pcap_pkthdr *header;
    const u_char *data;
    unsigned long long packets = 0, bytes = 0;
    int status;
    while ((status = pcap_next_ex(p, &header, &data)) == 1) {
        packets++;
        bytes += header->caplen + data[0];
    }
    if (status == PCAP_ERROR) fprintf(stderr, "%s\n", pcap_geterr(p));
    printf("%llu %llu\n", packets, bytes);
    pcap_close(p);
    return status == PCAP_ERROR;
}
