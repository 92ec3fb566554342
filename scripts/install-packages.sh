#!/usr/bin/env bash
# Installs, from Debian's packages, what the build and the tests need, plus any packages named on the
# command line (.ci/run adds what its other checks use). Run as root on Debian 12.
#   scripts/install-packages.sh [PACKAGE...]
# PostgreSQL and promtool come from the postgresql and prometheus packages, whose servers would start
# on install (Prometheus on :9090, the relay's management port); the tests start their own, so a
# policy-rc.d keeps every service stopped while these install.
set -euo pipefail

packages=(libssl-dev libcurl4-openssl-dev libsqlite3-dev curl postgresql prometheus "$@")
command -v kubectl >/dev/null || packages+=(kubernetes-client)

# Always update and install: apt-get install leaves installed packages as they are, and no shortcut
# can be trusted to tell (`dpkg -s` succeeds for a package that was removed but kept its config files).
export DEBIAN_FRONTEND=noninteractive
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
for package in "${packages[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == "install ok installed" ]] \
    || { echo "install-packages: $package is not installed" >&2; exit 1; }
done
