-- wrk script for bench/queue.sh: every request is a new event (its own id and conversation), so
-- each one is a durable insert, not a duplicate. Authenticated by a token header.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Relay-Token"] = assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN not set")
local run = os.getenv("BENCH_RUN") or tostring(os.time())

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local counter = 0
function request()
  counter = counter + 1
  local key = string.format("%s-%d-%d", run, tid, counter)
  return wrk.format(nil, nil, nil,
    string.format('{"id":"evt-%s","conversation_id":"conv_%s","rating":"good"}', key, key:gsub("%.", "_")))
end

non2xx = 0
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("non2xx") end
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, n,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
