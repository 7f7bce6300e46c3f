-- A steady open-ish load for latency at a fixed rate: each connection waits an exponentially
-- distributed think time (mean THINK_MS, default 49 ms) before each request, so 100 connections
-- send ~2,000 req/s as independent Poisson streams. Unlike autocannon -R, requests are spread
-- over each second instead of sent in a burst, and wrk keeps microsecond percentiles.
local mean = tonumber(os.getenv("THINK_MS") or "49")

function init(args)
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

function delay()
  return -mean * math.log(1 - math.random())
end

dofile(os.getenv("SUMMARY_LUA"))
