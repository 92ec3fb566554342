-- wrk script for bench/queue.sh: every request is a new event (its own id and conversation), so
-- each one is a durable insert, not a duplicate. Authenticated by a token header.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Relay-Token"] = assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN not set")
local run = os.getenv("BENCH_RUN") or tostring(os.time())
dofile("bench/report.lua")

local counter = 0
function request()
  counter = counter + 1
  local key = string.format("%s-%d-%d", run, tid, counter)
  return wrk.format(nil, nil, nil,
    string.format('{"id":"evt-%s","conversation_id":"conv_%s","rating":"good"}', key, key:gsub("%.", "_")))
end
