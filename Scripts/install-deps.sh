#!/usr/bin/env bash
# Installs what scopescan needs on Debian/Ubuntu. Without arguments: libpcap-dev, libbpf-dev, the
# zlib, zstd and lz4 development packages and libssl-dev (to build and run: kernel drop tracing,
# compressed captures, SHA-256; libbpf-dev brings libelf-dev). With --test: also what the tests use (tshark for the
# oracle crosscheck, tcpdump, scapy, nftables, iproute2 for namespaces, bpftool for the check that
# the embedded BPF object is current, zstd/lz4/gzip to make compressed inputs, strace; rsvg-convert,
# chromium and tesseract to look at the SVG and HTML reports as a person would). Runs
# apt-get update once, and only when something is missing.
# Also installs the man pages (docs/man/*.1) into /usr/local/share/man/man1, or
# ~/.local/share/man/man1 without root or sudo, so that `man scopescan` works.
set -euo pipefail
cd "$(dirname "$0")/.."

# libcrypto (libssl-dev): the input's SHA-256 for --report and --evidence, loaded when first needed
# (dlopen; nothing links it), from its soname or the development link libssl-dev installs.
packages=(libpcap-dev libbpf-dev zlib1g-dev libzstd-dev liblz4-dev libssl-dev pkg-config)
if [[ "${1:-}" == "--test" ]]; then
    packages+=(tshark tcpdump python3-scapy nftables iproute2 procps bpftool strace zstd lz4 gzip)
    # The report tests: render the SVG, load the HTML in a headless browser, OCR the screenshots.
    packages+=(librsvg2-bin chromium tesseract-ocr)
    # The manual's rendering check (man, groff) and the completion scripts run in bash and fish.
    packages+=(man-db groff-base bash fish)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    as_root=(none)
fi

if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ "${as_root[*]}" == none ]]; then
        echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}" >&2
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The man pages, where man finds them (man-db searches /usr/local/share/man, and
# ~/.local/share/man for a user with ~/.local/bin on PATH).
if [[ "${as_root[*]}" == none ]]; then
    man_dir="$HOME/.local/share/man/man1"
    as_root=()
else
    man_dir=/usr/local/share/man/man1
fi
changed=()
for page in docs/man/*.1; do
    cmp -s "$page" "$man_dir/$(basename "$page")" || changed+=("$page")
done
if [[ ${#changed[@]} -gt 0 ]]; then
    "${as_root[@]}" install -d "$man_dir"
    "${as_root[@]}" install -m 0644 "${changed[@]}" "$man_dir/"
    # apropos and man -k need the index; man scopescan itself works without it.
    if command -v mandb >/dev/null; then "${as_root[@]}" mandb -q 2>/dev/null || true; fi
fi
