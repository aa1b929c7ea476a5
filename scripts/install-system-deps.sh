#!/usr/bin/env bash
# Debian packages the product and its tests need. Installs what is missing when root;
# otherwise says exactly what to install.
#   runtime: a CJK font for labels and notices (fonts-wqy-microhei)
#   tests:   chromium (browser tests), postgresql (backend on PostgreSQL), poppler-utils (PDF checks),
#            redis-server (shared rate limits and job leases, tests/flows/test_shared_state_redis.py)
set -euo pipefail
want=("$@")
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
