// The packet values a reader hands out are defined in ScopeScanPackets (no libpcap, no I/O), so
// that the rules can use them without linking libpcap; every user of a reader needs them.
@_exported import ScopeScanPackets
