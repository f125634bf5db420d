#!/usr/bin/env bash
# Renders an HTML report with headless Chromium and checks the screenshot is not blank.
#
#   .ci/report-screenshot.sh REPORT_HTML OUT_PNG [WIDTH,HEIGHT]     (default window 1280,2000)
#
# Installs nothing: Chromium must already be there (Debian 12: apt-get install -y chromium). Needs python3 (stdlib
# only) for the check, which decodes the PNG itself (zlib + the PNG row filters) and counts distinct colours.
# Exit status: 0 = screenshot written and not blank, 1 = screenshot missing or blank, 2 = usage or missing tool.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 REPORT_HTML OUT_PNG [WIDTH,HEIGHT]" >&2; exit 2
fi
report=$1 out=$2 window=${3:-1280,2000}
min_colours=${REPORT_SCREENSHOT_MIN_COLOURS:-16}

if [ ! -f "$report" ]; then echo "report-screenshot: no such file: $report" >&2; exit 2; fi
if ! command -v python3 >/dev/null; then echo "report-screenshot: python3 not found" >&2; exit 2; fi
chrome=""
for candidate in chromium chromium-browser google-chrome-stable google-chrome; do
  if command -v "$candidate" >/dev/null; then chrome=$(command -v "$candidate"); break; fi
done
if [ -z "$chrome" ]; then
  echo "report-screenshot: chromium not found (on Debian 12, as root: apt-get install -y chromium)" >&2; exit 2
fi

url=$(python3 -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).resolve().as_uri())' "$report")
mkdir -p "$(dirname "$out")"
out_abs=$(python3 -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).resolve())' "$out")
rm -f "$out_abs"
profile=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$profile" "$log"' EXIT

# --no-sandbox: CI runs as root. A D-Bus error line on stderr is harmless.
if ! timeout 180 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$profile" \
    --window-size="$window" --screenshot="$out_abs" "$url" >"$log" 2>&1; then
  echo "report-screenshot: chromium failed:" >&2; tail -n 20 "$log" >&2; exit 1
fi
if [ ! -s "$out_abs" ]; then
  echo "report-screenshot: chromium wrote no screenshot:" >&2; tail -n 20 "$log" >&2; exit 1
fi

python3 - "$out_abs" "$min_colours" <<'PY'
import struct, sys, zlib

path, min_colours = sys.argv[1], int(sys.argv[2])

def fail(message):
    print(f"report-screenshot: {path}: {message}", file=sys.stderr)
    sys.exit(1)

with open(path, "rb") as f:
    data = f.read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    fail("not a PNG file")
pos, idat, header = 8, [], None
while pos + 8 <= len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat.append(body)
    elif kind == b"IEND":
        break
    pos += 12 + length
if header is None or not idat:
    fail("PNG without IHDR or IDAT")
width, height, depth, colour_type, _, _, interlace = header
channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour_type)
if depth != 8 or channels is None or interlace != 0:
    fail(f"unsupported PNG layout (bit depth {depth}, colour type {colour_type}, interlace {interlace})")
raw = zlib.decompress(b"".join(idat))
stride = width * channels
if len(raw) != height * (stride + 1):
    fail("truncated image data")

# Decoding stops once the count is clearly not blank, so a busy page costs a few rows, not the whole image.
enough = max(min_colours, 1000)
colours, prior = set(), bytearray(stride)
for y in range(height):
    if len(colours) >= enough:
        break
    start = y * (stride + 1)
    kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
    if kind == 1:
        for i in range(channels, stride):
            line[i] = (line[i] + line[i - channels]) & 0xFF
    elif kind == 2:
        line = bytearray((a + b) & 0xFF for a, b in zip(line, prior))
    elif kind == 3:
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            line[i] = (line[i] + ((left + prior[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prior[i], (prior[i - channels] if i >= channels else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    elif kind != 0:
        fail(f"bad row filter {kind}")
    view = bytes(line)
    colours.update(view[i:i + channels] for i in range(0, stride, channels))
    prior = line

if len(colours) < min_colours:
    fail(f"{width}x{height}, only {len(colours)} distinct colours: the page looks blank")
print(f"{path}: {width}x{height}, {len(colours)}{'+' if len(colours) >= enough else ''} distinct colours")
PY
