#!/usr/bin/env bash
# An OTLP/HTTP sink on 127.0.0.1:4318 for measuring what tracing costs: nginx answers every export
# 200 `{}` and keeps nothing, so the relay's exporter, not a collector, is what is measured.
#   bench/otlp-sink.sh start|stop
set -euo pipefail
dir=/tmp/feedback-relay-otlp-sink
case ${1:-} in
  start)
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<CONF
pid $dir/nginx.pid; error_log $dir/error.log;
events {}
http { access_log off; client_body_buffer_size 1m; default_type application/json;
  server { listen 127.0.0.1:4318; location = /v1/traces { return 200 '{}'; } } }
CONF
    nginx -c "$dir/nginx.conf" -p "$dir"
    ;;
  stop) [[ -s $dir/nginx.pid ]] && kill "$(cat "$dir/nginx.pid")" || true ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
