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
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then exit 0; fi

export DEBIAN_FRONTEND=noninteractive
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
