#!/usr/bin/env bash
# Writes the seed corpus of the fuzz targets (Fuzz/) into Fuzz/corpus/<target>/ (git-ignored):
# the request and reply lines of docs/PROTOCOL.md (its transcript and the examples of each command),
# the PROXY headers of Tests/RapportProtocolTests/ProxyProtocolTests.swift plus v2 samples, and the
# hand-written seeds kept in Fuzz/seeds/<target>/.
#
# Input layout (Fuzz/Sources/FuzzSupport/FuzzInput.swift): byte 0 picks the limits (0x80: production,
# else small ones), byte 1 seeds the chunk sizes (0: one chunk); FuzzTokenizer takes a bare line.
set -euo pipefail
cd "$(dirname "$0")/.."

doc=docs/PROTOCOL.md
proxy_tests=Tests/RapportProtocolTests/ProxyProtocolTests.swift
corpus=${FUZZ_CORPUS:-Fuzz/corpus}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for target in FuzzLineFramer FuzzTokenizer FuzzProxyHeader FuzzResponseParser FuzzRequestPath; do
    mkdir -p "$corpus/$target"
    if [ -d "Fuzz/seeds/$target" ]; then cp Fuzz/seeds/$target/* "$corpus/$target/" 2>/dev/null || true; fi
done

# One file per code block of the document: requests.N (client lines) and replies.N (server lines).
# The transcript's lines carry C:/S:; in the other blocks a line is a reply when it starts (after an
# optional tag) with *, OK, ERR or BYE. The grammar block and shell blocks are skipped.
awk -v dir="$work" '
    /^```/ {
        if (!inside) { inside = 1; n++; skip = ($0 ~ /^```sh/); transcript = ($0 ~ /transcript/); next }
        inside = 0; next
    }
    !inside || skip { next }
    / = / && !transcript { next }
    {
        line = $0
        if (transcript) {
            if (line ~ /^C: /) print substr(line, 4) > (dir "/requests." n)
            else if (line ~ /^S: /) print substr(line, 4) > (dir "/replies." n)
            next
        }
        body = line; sub(/^#[A-Za-z0-9_-]+ /, "", body)
        if (body ~ /^(\*|OK|ERR|BYE)( |$)/) print line > (dir "/replies." n)
        else if (line != "") print line > (dir "/requests." n)
    }
' "$doc"

# Lines joined with CRLF; a line ending in a literal {N} is followed by N bytes (and CRLF for replies).
stream() {
    local file=$1 after_literal=$2 line n
    while IFS= read -r line; do
        printf '%s\r\n' "$line"
        if [[ $line =~ \ \{([0-9]+)\}$ ]]; then
            n=${BASH_REMATCH[1]}
            head -c "$n" /dev/zero | tr '\0' 'x'
            printf '%b' "$after_literal"
        fi
    done <"$file"
}

count=0
for file in "$work"/requests.*; do
    [ -e "$file" ] || continue
    id=${file##*.}
    while IFS= read -r line; do
        count=$((count + 1))
        printf '%s' "$line" >"$corpus/FuzzTokenizer/doc-$id-$count"
    done <"$file"
    for target in FuzzLineFramer FuzzRequestPath; do
        { printf '\x80\x00'; stream "$file" ''; } >"$corpus/$target/doc-$id"
        # Small limits, chunks of 1-8 bytes: long lines and refused literals.
        { printf '\x30\x07'; stream "$file" ''; } >"$corpus/$target/doc-$id-small"
    done
done
for file in "$work"/replies.*; do
    [ -e "$file" ] || continue
    id=${file##*.}
    { printf '\x80\x00'; stream "$file" '\r\n'; } >"$corpus/FuzzResponseParser/doc-$id"
    { printf '\x80\x05'; stream "$file" '\r\n'; } >"$corpus/FuzzResponseParser/doc-$id-split"
done

# PROXY v1 headers of the unit tests, then v2 ones (IPv4, IPv6, LOCAL, UNSPEC, with a TLV).
signature='\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A'
n=0
grep -o '"PROXY [^"]*"' "$proxy_tests" | sed -E 's/^"//; s/"$//; s/\\u\{([0-9A-Fa-f])\}/\\x0\1/g; s/\\u\{([0-9A-Fa-f]{2})\}/\\x\1/g' | sort -u | while IFS= read -r header; do
    n=$((n + 1))
    { printf '\x80\x00'; printf '%b' "$header"; } >"$corpus/FuzzProxyHeader/v1-$n"
done
v2() { { printf '\x80\x03'; printf '%b' "$signature$2"; } >"$corpus/FuzzProxyHeader/v2-$1"; }
v2 ipv4 '\x21\x11\x00\x0C\xC0\x00\x02\x01\xC6\x33\x64\x02\xDC\x04\x01\xBB'
v2 ipv6 '\x21\x21\x00\x24\x20\x01\x0D\xB8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF\xC0\x00\x02\x09\xFF\xFF\x00\x00'
v2 local '\x20\x00\x00\x00'
v2 unspec '\x21\x00\x00\x00'
v2 tlv '\x21\x11\x00\x11\xC0\x00\x02\x01\xC6\x33\x64\x02\xDC\x04\x01\xBB\x04\x00\x02\xAA\xBB'

for target in FuzzLineFramer FuzzTokenizer FuzzProxyHeader FuzzResponseParser FuzzRequestPath; do
    echo "$target: $(ls "$corpus/$target" | wc -l) seeds"
done
