-- wrk script for bench/load.py: method/body from the environment, counts statuses,
-- prints one JSON line with p50/p95/p99 (wrk's own --latency has no p95).
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and #body > 0 then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local auth = os.getenv("WRK_AUTH")
if auth and #auth > 0 then
  wrk.headers["Authorization"] = auth
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  server_errors = 0
  ok = 0
  throttled = 0
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 end
  if status == 429 then throttled = throttled + 1 end
  if status >= 400 then bad = bad + 1 end
  if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local b, s, o, th = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    s = s + t:get("server_errors")
    o = o + t:get("ok")
    th = th + t:get("throttled")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"socket_errors":%d,"status_4xx_5xx":%d,"status_5xx":%d,"status_2xx":%d,"status_429":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, b, s, o, th))
end
