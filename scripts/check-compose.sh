#!/usr/bin/env bash
# Checks the compose files against the Compose Specification's schema, then runs the HA load balancer's
# config (deploy/nginx-ha.conf) with the real nginx in front of a relay on PostgreSQL and a stand-in
# replica that answers every webhook 503, as a draining relay does: every webhook must still be stored.
# Needs check-jsonschema (PyPI), nginx, curl, PostgreSQL (scripts/postgres.sh) and a built relay
# (swift build). Run from anywhere; CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
relay=${RELAY_BINARY:-$(swift build --show-bin-path)/feedback-relay}
work=$(mktemp -d)
chmod 755 "$work"   # the PostgreSQL server runs as its own user
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  POSTGRES_DIR=$work/postgres PGPORT=$postgres_port scripts/postgres.sh stop || true
  rm -rf "$work"
}
# Below Linux's ephemeral range (32768-60999): a port in it can be the local end of any outgoing
# connection (the relay's own to PostgreSQL, say), and then nginx cannot bind it.
postgres_port=$((21000 + RANDOM % 1000))
trap cleanup EXIT

echo "== compose files against the Compose Specification"
check-jsonschema --builtin-schema vendor.compose-spec deploy/docker-compose.yml deploy/docker-compose.ha.yml

echo "== deploy/nginx-ha.conf in front of a relay and a replica that answers 503"
store=$(POSTGRES_DIR=$work/postgres PGPORT=$postgres_port scripts/postgres.sh start)
relay_port=$((postgres_port + 1000))
draining_port=$((relay_port + 2))
balancer_port=$((relay_port + 3))
env -i PATH=/usr/bin:/bin ELEVENLABS_API_KEY=sk_compose_check ELEVENLABS_BASE_URL=http://127.0.0.1:9 \
  RELAY_ALLOW_INSECURE_UPSTREAM=true RELAY_STORE="$store" RELAY_LOG_LEVEL=warning \
  RELAY_LISTEN=127.0.0.1:$relay_port RELAY_MANAGEMENT_LISTEN=127.0.0.1:$((relay_port + 1)) \
  RELAY_ROUTE_CSAT_PRESET=token RELAY_ROUTE_CSAT_SECRET=compose-token RELAY_ROUTE_CSAT_TOKEN_HEADER=X-Relay-Token \
  RELAY_ROUTE_CSAT_CONVERSATION_ID=/conversation_id RELAY_ROUTE_CSAT_FEEDBACK=/rating \
  RELAY_ROUTE_CSAT_LIKE=good RELAY_ROUTE_CSAT_DISLIKE=bad RELAY_ROUTE_CSAT_EVENT_ID=/id \
  "$relay" serve >"$work/relay.log" 2>&1 &
pids+=($!)
# The file as compose mounts it, with the service names put where they are reachable here.
mkdir -p "$work/nginx"
scripts/nginx-ha-local.sh "$draining_port" "$relay_port" "$balancer_port" "$work/nginx/nginx" >"$work/nginx/balancer.conf"
cat >"$work/nginx/draining.conf" <<CONF
pid $work/nginx/draining.pid;
error_log stderr warn;
events {}
http { access_log off; server { listen 127.0.0.1:$draining_port; return 503 '{"status":"unavailable"}'; } }
CONF
nginx -t -q -p "$work/nginx" -c "$work/nginx/balancer.conf"
nginx -p "$work/nginx" -c "$work/nginx/draining.conf"
nginx -p "$work/nginx" -c "$work/nginx/balancer.conf"
pids+=("$(cat "$work/nginx/draining.pid")" "$(cat "$work/nginx/nginx.pid")")
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$((relay_port + 1))/readyz" >/dev/null && break
  sleep 0.1
done
answers=$(for n in $(seq 40); do
  curl -s -o /dev/null -w '%{http_code}\n' -H 'X-Relay-Token: compose-token' -H 'Content-Type: application/json' \
    -d "{\"id\":\"evt-$n\",\"conversation_id\":\"conv_compose_$n\",\"rating\":\"good\"}" "http://127.0.0.1:$balancer_port/hooks/csat"
done | sort | uniq -c | tr -s ' ')
echo "40 webhooks through the balancer, one replica answering 503:$answers"
[[ $answers == " 40 202" ]] || { echo "expected 40 × 202" >&2; cat "$work/relay.log" >&2; exit 1; }
stored=$(curl -s "http://127.0.0.1:$((relay_port + 1))/metrics" | awk '/^feedback_relay_requests_total\{route="csat",outcome="accepted"\}/ {print $2}')
[[ ${stored%.*} == 40 ]] || { echo "the relay stored $stored, not 40" >&2; exit 1; }
echo "ok: the relay stored all 40"
