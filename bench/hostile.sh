#!/usr/bin/env bash
# Hostile clients against the release build: slowloris connections, a burst of idle connections, the
# open-file limit. Prints what the relay did with each, for the README's Reliability table.
#   bench/hostile.sh            (CONNS=2500 slowloris connections, BURST=10000 idle ones)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
STATE=$(mktemp -d)
CONNS=${CONNS:-2500} BURST=${BURST:-10000}

start_relay() {
  env -i PATH=/usr/bin:/bin ELEVENLABS_API_KEY=sk_bench ELEVENLABS_BASE_URL=http://127.0.0.1:9 RELAY_ALLOW_INSECURE_UPSTREAM=true \
    RELAY_STORE="sqlite:$STATE/relay.sqlite" RELAY_LISTEN="127.0.0.1:$RELAY_PORT" RELAY_MANAGEMENT_LISTEN="127.0.0.1:$MANAGEMENT_PORT" \
    RELAY_LOG_LEVEL=error RELAY_ROUTE_T_PRESET=token RELAY_ROUTE_T_TOKEN_HEADER=X-Token RELAY_ROUTE_T_SECRET=tok \
    RELAY_ROUTE_T_CONVERSATION_ID=/c RELAY_ROUTE_T_FEEDBACK=/f "$@" "$BIN" serve >"$STATE/relay.log" 2>&1 &
  RELAY_PID=$!
  pids+=("$RELAY_PID")
  wait_port "$RELAY_PORT"
}
stop_relay() { kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null || true; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$RELAY_PID/status"; }
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$RELAY_PID/stat"; }

# Opens N connections; MODE silent|dribble|stalled; waits until each is closed by the server or LIMIT s pass.
hold() {
  python3 - "$RELAY_PORT" "$@" <<'PY'
import resource, select, socket, sys, time
port, n, mode, limit = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 100, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
socks, start = [], time.time()
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port)); s.setblocking(False); socks.append(s)
    if mode == "stalled": s.send(b"POST /hooks/t HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
    if mode == "dribble": s.send(b"POST /hooks/t HTTP/1.1\r\n")
opened = time.time() - start
open_ = set(socks); last_drip = 0
while open_ and time.time() - start < limit:
    if mode == "dribble" and time.time() - last_drip > 1:
        for s in list(open_):
            try: s.send(b"X-Drip: 1\r\n")
            except OSError: pass
        last_drip = time.time()
    poller = select.poll()
    by_fd = {s.fileno(): s for s in open_}
    for fd in by_fd: poller.register(fd, select.POLLIN)
    for fd, _ in poller.poll(200):
        s = by_fd[fd]
        try:
            if not s.recv(4096): open_.discard(s)
        except OSError: open_.discard(s)
print(f"{mode}: {n} connections opened in {opened:.1f}s, {n - len(open_)} closed by the relay after {time.time() - start:.1f}s, {len(open_)} still open")
PY
}

echo "== slowloris (RELAY_HEADER_TIMEOUT=5s RELAY_BODY_TIMEOUT=5s)"
start_relay RELAY_HEADER_TIMEOUT=5s RELAY_BODY_TIMEOUT=5s
for mode in silent dribble stalled; do hold "$CONNS" "$mode" 30; done
echo "relay: RSS $(rss_mb) MB, CPU $(cpu_s) s, soft fd limit $(awk '/Max open files/ {print $4}' "/proc/$RELAY_PID/limits")"
stop_relay

echo "== burst of $BURST idle connections (RELAY_HEADER_TIMEOUT=3s), memory after they close"
start_relay RELAY_HEADER_TIMEOUT=3s
before=$(rss_mb)
hold "$BURST" silent 30
sleep 1
echo "RSS before $before MB, after the burst closed $(rss_mb) MB"
stop_relay

echo "== open-file limit 256, RELAY_MAX_CONNECTIONS=10000, 600 connections"
( ulimit -n 256; start_relay RELAY_LOG_LEVEL=warning RELAY_MAX_CONNECTIONS=10000; echo "$RELAY_PID" >"$STATE/pid"; wait "$RELAY_PID" ) &
pids+=($!)
sleep 2
RELAY_PID=$(cat "$STATE/pid")
grep -o '"msg":"RELAY_MAX_CONNECTIONS[^"]*"' "$STATE/relay.log" || echo "(no warning logged)"
cpu0=$(cpu_s)
hold 600 silent 5 &
sleep 4
echo "CPU while 600 connections wait on a 256-file limit: $(echo "$(cpu_s) - $cpu0" | bc) s in 4 s"
curl -s -o /dev/null -w "readyz with the listener full: %{http_code}\n" "http://127.0.0.1:$MANAGEMENT_PORT/readyz" || true
wait %hold 2>/dev/null || true
stop_relay
