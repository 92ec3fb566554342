#!/usr/bin/env bash
# deploy/nginx-ha.conf as it runs here rather than in compose: the two relay services at loopback
# addresses, the balancer listening on a loopback port, its temporary files under a directory of the
# caller's. Prints the config; scripts/check-compose.sh and bench/replicas.sh run it with nginx.
#   scripts/nginx-ha-local.sh RELAY_A_PORT RELAY_B_PORT LISTEN_PORT TEMP_PREFIX
set -euo pipefail
[[ $# -eq 4 ]] || { echo "usage: $0 RELAY_A_PORT RELAY_B_PORT LISTEN_PORT TEMP_PREFIX" >&2; exit 2; }
sed -e "s/relay-a:8080/127.0.0.1:$1/; s/relay-b:8080/127.0.0.1:$2/" \
  -e "s/listen 8080;/listen 127.0.0.1:$3;/; s|/tmp/nginx|$4|g" \
  "$(dirname "$0")/../deploy/nginx-ha.conf"
