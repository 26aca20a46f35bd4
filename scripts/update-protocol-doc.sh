#!/usr/bin/env bash
# Regenerates the command reference between the markers of docs/PROTOCOL.md from the command table.
set -euo pipefail
cd "$(dirname "$0")/.."
reference=$(mktemp)
swift run --disable-build-manifest-caching rapportd protocol-reference > "$reference"
python3 - "$reference" <<'PY'
import sys
begin, end = "<!-- BEGIN COMMAND REFERENCE -->", "<!-- END COMMAND REFERENCE -->"
doc = open("docs/PROTOCOL.md").read()
head, rest = doc.split(begin, 1)
_, tail = rest.split(end, 1)
generated = open(sys.argv[1]).read()
open("docs/PROTOCOL.md", "w").write(head + begin + "\n" + generated + end + tail)
PY
rm -f "$reference"
