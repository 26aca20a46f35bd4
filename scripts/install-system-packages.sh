#!/usr/bin/env bash
# Installs the system packages Rapport needs, only those missing. Used by `make run` and `make test`.
set -euo pipefail

needed=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for package in "$@"; do
    have "$package" || needed+=("$package")
done
[ ${#needed[@]} -eq 0 ] && exit 0

echo "installing system packages: ${needed[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# postfix is here for its test tools (smtp-sink, smtp-source): "No configuration" keeps its own mail
# server unconfigured and stopped (tests start smtp-sink on free loopback ports).
if printf '%s\n' "${needed[@]}" | grep -qx postfix; then
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}"
