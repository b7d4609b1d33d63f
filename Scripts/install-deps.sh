#!/usr/bin/env bash
# Installs what scopescan needs on Debian/Ubuntu. Without arguments: libpcap-dev, libbpf-dev and the
# zlib, zstd and lz4 development packages (to build and run: kernel drop tracing, compressed
# captures; libbpf-dev brings libelf-dev). With --test: also what the tests use (tshark for the
# oracle crosscheck, tcpdump, scapy, nftables, iproute2 for namespaces, bpftool for the check that
# the embedded BPF object is current, zstd/lz4/gzip to make compressed inputs, strace). Runs
# apt-get update once, and only when something is missing.
set -euo pipefail

packages=(libpcap-dev libbpf-dev zlib1g-dev libzstd-dev liblz4-dev pkg-config)
packages+=(libssl-dev) # libcrypto: the input's SHA-256 for --report and --evidence
if [[ "${1:-}" == "--test" ]]; then
    packages+=(tshark tcpdump python3-scapy nftables iproute2 procps bpftool strace zstd lz4 gzip)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
