-- wrk script for bench/peers.sh's queue run: ElevenLabs post-call webhooks, each its own conversation and
-- HMAC-signed like the peers' job, read from BENCH_EVENTS (lines "signature<TAB>body", made by
-- bench/signed-events.py); thread N of M sends lines N, N+M, ... so no event is sent twice.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
dofile("bench/report.lua")

local events = {}
local next_event = 1
function init(args)
  local step, index = tonumber(os.getenv("BENCH_THREADS") or "2"), 0
  local path = assert(os.getenv("BENCH_EVENTS"), "BENCH_EVENTS not set")
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    index = index + 1
    if (index - tid) % step == 0 then
      local tab = line:find("\t", 1, true)
      events[#events + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
    end
  end
  file:close()
end

function request()
  local event = assert(events[next_event], "out of signed events")
  next_event = next_event + 1
  return wrk.format(nil, nil, { ["ElevenLabs-Signature"] = event[1] }, event[2])
end
