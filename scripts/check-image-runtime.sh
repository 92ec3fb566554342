#!/usr/bin/env bash
# The image's runtime stage, proven without a Docker engine (README, Container). It builds the root
# filesystem the Dockerfile's last stage describes: debootstrap bookworm minbase (what
# debian:bookworm-slim is), then that stage's own RUN, COPY, ENV, USER, WORKDIR, VOLUME, ENTRYPOINT and
# CMD lines, read from the Dockerfile. It runs the relay inside (chroot in a mount namespace) as the
# image's user, with the root read-only and only the volume writable, and checks: /readyz, a signed
# webhook delivered to a fake ElevenLabs outside the root, the store on the volume, nothing written
# anywhere else, exit 0 on SIGTERM, and a symbolicated backtrace when the process crashes.
#   scripts/check-image-runtime.sh          (as root; needs debootstrap, curl, python3)
# The debootstrapped base is kept in .build/runtime-root/base between runs (DEBIAN_MIRROR to change where
# it comes from); the image is built anew from it each time.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$repo/.build/runtime-root
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

echo "== the build stage: static release build and the static backtracer"
built_relay=$(scripts/build-release.sh)
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
built_backtracer=$toolchain/libexec/swift/linux/swift-backtrace-static
[[ -x $built_backtracer ]] || { echo "FAIL no swift-backtrace-static in $toolchain/libexec/swift/linux"; exit 1; }

echo "== debootstrap bookworm minbase"
if [[ ! -e $work/base/.complete ]]; then
  rm -rf "$work/base"
  mkdir -p "$work"
  debootstrap --variant=minbase bookworm "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
  touch "$work/base/.complete"
fi
image=$work/image
rm -rf "$image"
cp -a "$work/base" "$image"
rm "$image/.complete"

# The last stage's instructions, one per line (continuations joined): INSTRUCTION<TAB>ARGUMENTS.
stage=$(python3 - Dockerfile <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
joined, current = [], ""
for line in lines:
    if not current and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if line.lstrip().startswith("#"):
        continue
    current += line.rstrip()
    if current.endswith("\\"):
        current = current[:-1] + " "
        continue
    joined.append(current.strip())
    current = ""
last = max(i for i, line in enumerate(joined) if line.upper().startswith("FROM "))
for line in joined[last:]:
    instruction, _, arguments = line.partition(" ")
    print(instruction.upper() + "\t" + re.sub(r"\s+", " ", arguments.strip()))
EOF
)

# What COPY --from=build takes from the build stage's /out, here.
from_build() {
  case $1 in
    /out/feedback-relay) echo "$built_relay" ;;
    /out/swift-backtrace-static) echo "$built_backtracer" ;;
    *) echo "FAIL COPY --from=build $1: this script does not know what the build stage puts there" >&2; return 1 ;;
  esac
}

# Runs a command in the image under construction, with /dev, /proc and the host's resolver, as a RUN would.
run_in_image() {
  cp /etc/resolv.conf "$image/etc/resolv.conf"
  unshare --mount --propagation private -- bash -c '
    mount --rbind /dev "$1/dev" && mount -t proc proc "$1/proc"
    exec chroot "$1" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive /bin/sh -c "$2"
  ' _ "$image" "$1"
}

environment=() user=root workdir=/ volume="" entrypoint=() command=()
json_array() { python3 -c 'import json, sys; print("\n".join(json.loads(sys.argv[1])))' "$1"; }
while IFS=$'\t' read -r instruction arguments; do
  case $instruction in
    FROM) echo "   FROM $arguments (as debootstrap bookworm minbase)" ;;
    RUN)
      echo "   RUN ${arguments:0:100}..."
      run_in_image "$arguments" >"$work/run.log" 2>&1 || { tail -20 "$work/run.log"; echo "FAIL RUN $arguments"; exit 1; }
      ;;
    COPY)
      read -r -a parts <<<"$arguments"
      destination=${parts[-1]}
      if [[ ${parts[0]} == --from=build ]]; then source=$(from_build "${parts[1]}"); else source=$repo/${parts[0]}; fi
      echo "   COPY ${parts[*]}"
      install -D -m 0755 "$source" "$image$destination"
      [[ ${parts[0]} == --from=build ]] || chmod 0644 "$image$destination"
      ;;
    ENV) read -r -a pairs <<<"$arguments" && environment+=("${pairs[@]}") ;;
    USER) user=$arguments ;;
    WORKDIR) workdir=$arguments ;;
    VOLUME) volume=$(json_array "$arguments") ;;
    ENTRYPOINT) mapfile -t entrypoint < <(json_array "$arguments") ;;
    CMD) mapfile -t command < <(json_array "$arguments") ;;
    EXPOSE) ;;
    *) echo "FAIL the runtime stage has a $instruction line, which this script does not know how to build"; exit 1 ;;
  esac
done <<<"$stage"
rm -f "$image/etc/resolv.conf"
uid=$(awk -F: -v u="${user%%:*}" '$1 == u {print $3}' "$image/etc/passwd")
gid=$(awk -F: -v g="${user##*:}" '$1 == g {print $3}' "$image/etc/group")
[[ -n $uid && -n $gid && -n $volume && ${#entrypoint[@]} -gt 0 ]] || { echo "FAIL the stage sets no user, volume or entrypoint"; exit 1; }
echo "   user $user = $uid:$gid, volume $volume, entrypoint ${entrypoint[*]} ${command[*]}"

fail=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fail=1; }

echo "== the release link (Package.swift)"
link=$(python3 - "$built_relay" Sources/feedback-relay/hot-functions.order <<'EOF'
import subprocess, sys
sections = {}
for line in subprocess.run(["readelf", "-SW", sys.argv[1]], capture_output=True, text=True, check=True).stdout.splitlines():
    fields = line.replace("[ ", "[").split()
    if len(fields) > 5 and fields[0].startswith("[") and fields[0] != "[Nr]":
        sections[fields[1]] = (int(fields[3], 16), int(fields[5], 16))
hot = set(open(sys.argv[2]).read().split())
text_start = sections[".text"][0]
offsets = sorted(
    int(fields[0], 16) - text_start
    for fields in (line.split() for line in subprocess.run(["nm", "--defined-only", sys.argv[1]], capture_output=True, text=True, check=True).stdout.splitlines())
    if len(fields) == 3 and fields[2] in hot
)
print(".relr.dyn" in sections, sections.get(".dynsym", (0, 0))[1], len(offsets), offsets[len(offsets) * 9 // 10] if offsets else -1)
EOF
)
read -r relr dynsym hot_count hot_p90 <<<"$link"
[[ $relr == True ]] && ok "relative relocations packed (.relr.dyn)" || bad "no .relr.dyn: the release link options did not apply"
((dynsym > 0 && dynsym < 65536)) && ok "the executable's own symbols are not exported (.dynsym $dynsym bytes)" || bad ".dynsym is $dynsym bytes: --no-export-dynamic did not apply"
((hot_count > 1000 && hot_p90 >= 0 && hot_p90 < 8000000)) \
  && ok "hot functions first: 90 % of the $hot_count symbols named in hot-functions.order within $((hot_p90 / 1000)) KB of .text's start" \
  || bad "hot-functions.order did not order .text ($hot_count functions found, 90 % within $hot_p90 bytes)"

# The volume lives outside the root, as a container runtime mounts it; ElevenLabs stands outside too.
scratch=$(mktemp -d)
data=$scratch/volume
install -d -o "$uid" -g "$gid" "$data"
port=$((20000 + RANDOM % 10000))
upstream_port=$((port + 2))
python3 - "$upstream_port" "$scratch/upstream.log" <<'EOF' &
import http.server, json, sys
class FakeElevenLabs(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps({"path": self.path, "key": self.headers.get("xi-api-key"), "body": body}) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), FakeElevenLabs).serve_forever()
EOF
upstream_pid=$!
trap 'kill $upstream_pid 2>/dev/null || true; pkill -KILL -f "$image/" 2>/dev/null || true; rm -rf "$scratch"' EXIT

api_key=sk_image_check_5d1f
relay_environment=(
  "${environment[@]}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$volume"
  ELEVENLABS_API_KEY=$api_key ELEVENLABS_BASE_URL=http://127.0.0.1:$upstream_port RELAY_ALLOW_INSECURE_UPSTREAM=true
  RELAY_ROUTES_FILE=/etc/feedback-relay/routes.example.yaml RELAY_LISTEN=127.0.0.1:$port RELAY_MANAGEMENT_LISTEN=127.0.0.1:$((port + 1))
)

# Starts the image's entrypoint in the background and sets relay_pid.
start_relay() {
  unshare --mount --propagation private -- bash -c '
    image=$1 volume=$2 data=$3 workdir=$4 uid=$5 gid=$6; shift 6
    mount --bind "$image" "$image"
    mount --rbind /dev "$image/dev"
    mount -t proc proc "$image/proc"
    mount --bind "$data" "$image$volume"
    mount -o remount,bind,ro "$image"
    exec chroot --userspec="$uid:$gid" --groups="$gid" "$image" /usr/bin/env -i --chdir="$workdir" "$@"
  ' _ "$image" "$volume" "$data" "$workdir" "$uid" "$gid" "${relay_environment[@]}" "${entrypoint[@]}" "${command[@]}" \
    >"$scratch/relay.out" 2>"$scratch/relay.err" &
  # unshare, bash, chroot and env each exec the next: the process started here becomes the relay.
  relay_pid=$!
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$((port + 1))/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
}

echo "== the relay in the image"
marker=$scratch/marker
touch "$marker"
sleep 1
start_relay
if curl -fsS "http://127.0.0.1:$((port + 1))/readyz" >/dev/null; then
  ok "/readyz answers 200"
else
  bad "/readyz does not answer"
  cat "$scratch/relay.err"
  exit 1
fi
[[ $(stat -c %u:%g "/proc/$relay_pid") == "$uid:$gid" ]] && ok "runs as $user ($uid:$gid)" || bad "does not run as $uid:$gid"
echo '{"conversation_id":"conv_image_check_01","score":5}' >"$scratch/body.json"
headers=()
while IFS= read -r header; do headers+=(-H "$header"); done < <(env -i ELEVENLABS_API_KEY=$api_key \
  RELAY_ROUTES_FILE="$repo/deploy/routes.example.yaml" "$built_relay" sign survey --body "$scratch/body.json")
status=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" --data-binary @"$scratch/body.json" "http://127.0.0.1:$port/hooks/survey")
[[ $status == 202 ]] && ok "a signed webhook is answered 202" || bad "a signed webhook is answered $status"
for _ in $(seq 50); do [[ -s $scratch/upstream.log ]] && break; sleep 0.1; done
expected='{"path": "/v1/convai/conversations/conv_image_check_01/feedback", "key": "'$api_key'", "body": "{\"feedback\":\"like\"}"}'
[[ $(cat "$scratch/upstream.log" 2>/dev/null) == "$expected" ]] && ok "ElevenLabs outside the root got {\"feedback\":\"like\"} with the key" \
  || bad "ElevenLabs got: $(cat "$scratch/upstream.log" 2>/dev/null)"
[[ -s $data/relay.sqlite && $(stat -c %u "$data/relay.sqlite") == "$uid" ]] && ok "the store is on the volume ($volume/relay.sqlite)" || bad "no store on the volume"
written=$(find "$image" -xdev -newer "$marker" -not -path "$image/proc*" -not -path "$image/dev*" | head -5)
[[ -z $written ]] && ok "wrote nothing outside the volume (root read-only)" || bad "wrote into the root: $written"
kill -TERM "$relay_pid"
status=0
wait "$relay_pid" || status=$?
[[ $status == 0 ]] && ok "exits 0 on SIGTERM" || bad "exits $status on SIGTERM"

echo "== a crash"
start_relay
kill -SEGV "$relay_pid"
crash=$scratch/relay.err
# A signal sent from outside returns from the handler once the backtrace is written, where a real fault
# would fault again; so the backtrace's end is awaited, then the process is ended.
for _ in $(seq 600); do grep -q "^Backtrace took" "$crash" && break; kill -0 "$relay_pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$relay_pid" 2>/dev/null || true
cp "$crash" "$work/crash.log"
{ wait "$relay_pid"; } 2>/dev/null || true
# Symbolicated: a frame in the relay's own binary named by its symbol, not just an address.
if grep -q "Program crashed" "$crash" && grep -Eq '^Thread 0 ".*" crashed:' "$crash" \
  && grep -Eq '^ +[0-9]+ .* 0x[0-9a-f]+ [A-Za-z_$][^ ]* \+ [0-9]+ in feedback-relay' "$crash"; then
  ok "kill -SEGV prints a symbolicated backtrace (all of it in $work/crash.log); its start:"
  grep -m1 -A8 "Program crashed" "$crash" | sed 's/^/       /'
else
  bad "no symbolicated backtrace after kill -SEGV"
  grep -v '^0x' "$crash" | tail -40
fi

(( fail == 0 )) && echo "image runtime check: passed" || { echo "image runtime check: FAILED"; exit 1; }
