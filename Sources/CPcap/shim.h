#ifndef SCOPESCAN_CPCAP_SHIM_H
#define SCOPESCAN_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
