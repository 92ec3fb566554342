#!/usr/bin/env bash
# What can be checked of the container without a Docker engine: the static release build the
# Dockerfile makes, the shared libraries it still needs (each must come from a package the runtime
# stage installs, or from debian:bookworm-slim itself), and that it runs as an unprivileged user
# with the image's entrypoint and answers /healthz.
#   scripts/check-runtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --quiet -c release --static-swift-stdlib --product feedback-relay --scratch-path .build-static
bin=.build-static/release/feedback-relay

# Packages the runtime stage installs, read from the Dockerfile itself, plus the base image's own.
runtime=$(awk '/^FROM debian/ {stage=1} stage && /apt-get install/ {for (i = 1; i <= NF; i++) if ($i ~ /^lib|^ca-|^tzdata/) print $i}' Dockerfile | tr '\n' ' ')
allowed="$runtime libc6 libgcc-s1 libstdc++6 zlib1g"
echo "runtime packages: $(echo $runtime)"

fail=0
for lib in $(readelf -d "$bin" | awk '/NEEDED/ {gsub(/[\[\]]/, "", $5); print $5}'); do
  # awk reads to the end: an early exit would kill ldconfig with SIGPIPE, and pipefail would end the script.
  path=$(ldconfig -p | awk -v l="$lib" '!found && $1 == l && /x86-64|x86_64/ {print $NF; found = 1}')
  real=$(readlink -f "$path")
  # dpkg may record the file under /lib or /usr/lib (merged /usr), by its link name or its real one.
  pkg=$( (dpkg -S "$path" || dpkg -S "$real" || dpkg -S "${real#/usr}") 2>/dev/null | head -1 | cut -d: -f1 || true)
  if [[ " $allowed " == *" $pkg "* ]]; then
    echo "  ok   $lib <- $pkg"
  else
    echo "  FAIL $lib <- ${pkg:-no package}: not installed by the runtime stage"; fail=1
  fi
done
if readelf -d "$bin" | grep -q 'libswiftCore'; then echo "  FAIL the Swift runtime is linked dynamically"; fail=1; fi

# Run as an unprivileged user, the way the image's ENTRYPOINT and CMD do.
id relay >/dev/null 2>&1 || useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin relay
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
install -m 0755 "$bin" "$work/feedback-relay"
cp deploy/routes.example.yaml "$work/routes.yaml"
chmod 0755 "$work"
# Like the image's volume: the data directory is the only place the relay may write.
install -d -o relay -g relay "$work/data"
port=$((20000 + RANDOM % 10000))
runuser -u relay -- env -i ELEVENLABS_API_KEY=sk_check RELAY_ROUTES_FILE="$work/routes.yaml" RELAY_STORE="sqlite:$work/data/relay.sqlite" \
  RELAY_LISTEN=127.0.0.1:$port RELAY_MANAGEMENT_LISTEN=127.0.0.1:$((port + 1)) "$work/feedback-relay" check-config >/dev/null
runuser -u relay -- env -i ELEVENLABS_API_KEY=sk_check RELAY_ROUTES_FILE="$work/routes.yaml" RELAY_STORE="sqlite:$work/data/relay.sqlite" \
  RELAY_LISTEN=127.0.0.1:$port RELAY_MANAGEMENT_LISTEN=127.0.0.1:$((port + 1)) "$work/feedback-relay" serve >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$((port + 1))/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
if curl -fsS "http://127.0.0.1:$((port + 1))/healthz" >/dev/null; then echo "  ok   serves /healthz as user relay"; else echo "  FAIL did not start as user relay"; cat "$work/log"; fail=1; fi
relay_pid=$(pgrep -n -f "$work/feedback-relay serve")
user=$(ps -o user= -p "$relay_pid")
[[ $user == relay ]] && echo "  ok   runs as $user" || { echo "  FAIL runs as $user"; fail=1; }
[[ -s $work/data/relay.sqlite ]] && echo "  ok   keeps its store in the data directory" || { echo "  FAIL no store in $work/data"; fail=1; }
# Signal the relay itself, as the container runtime signals PID 1 (runuser would report 143 for itself).
kill -TERM "$relay_pid"; wait $pid && echo "  ok   exits 0 on SIGTERM" || { echo "  FAIL exit status $? on SIGTERM"; fail=1; }
(( fail == 0 )) && echo "runtime check: passed" || { echo "runtime check: FAILED"; exit 1; }
