-- wrk script for bench/run.sh: the same signed POST every time, from the environment.
wrk.method = "POST"
wrk.body = assert(os.getenv("BENCH_BODY"), "BENCH_BODY not set")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["ElevenLabs-Signature"] = assert(os.getenv("BENCH_SIGNATURE"), "BENCH_SIGNATURE not set")
dofile("bench/report.lua")
