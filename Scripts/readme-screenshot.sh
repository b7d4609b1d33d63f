#!/usr/bin/env bash
# Regenerates docs/images/report-html.png, the README's picture of the HTML report: the macOS
# fixture's report, loaded in headless Chromium, screenshotted at 60 % scale, then reduced to a
# 216-colour palette (python3, zlib only) so the committed PNG stays small.
# Usage: Scripts/readme-screenshot.sh [path/to/scopescan]   (default .build/debug/scopescan)
set -euo pipefail
cd "$(dirname "$0")/.."
scopescan=${1:-.build/debug/scopescan}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$scopescan" analyze --interface-name lo0 Fixtures/macos-lo0-own-linklocal.pcap --report "$work/report.html" --evidence "$work/evidence.pcapng" >/dev/null
timeout --kill-after=10 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$work/profile" --hide-scrollbars --force-device-scale-factor=0.6 --window-size=1000,2300 \
    --screenshot="$work/shot.png" "file://$work/report.html" 2>/dev/null
python3 - "$work/shot.png" docs/images/report-html.png <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    if kind == b'IDAT': idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, out, i = bytearray(stride), bytearray(), 0
level = lambda v: (v * 5 + 127) // 255
for _ in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    out.append(0)
    out += bytes(level(line[x]) * 36 + level(line[x + 1]) * 6 + level(line[x + 2]) for x in range(0, stride, bpp))
palette = bytes(v * 51 for r in range(6) for g in range(6) for b in range(6) for v in (r, g, b))
def chunk(kind, body): return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 3, 0, 0, 0)) + chunk(b'PLTE', palette) \
    + chunk(b'IDAT', zlib.compress(bytes(out), 9)) + chunk(b'IEND', b'')
open(sys.argv[2], 'wb').write(png)
print(f"{sys.argv[2]}: {w}x{h}, {len(png)} bytes")
PY
