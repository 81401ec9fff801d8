-- wrk script of bench/hot.py: replays the requests of a file, one per line, round robin:
--   METHOD <tab> PATH <tab> COOKIE <tab> CSRF TOKEN <tab> JSON BODY
-- Empty fields are left out. "{seq}" in a body becomes an increasing number per request
-- (autosave sequence numbers; each wrk thread counts in its own residue class), starting
-- above the script's third argument: bench/hot.py gives each run of wrk a higher start, so
-- that a later run's autosaves are newer than an earlier run's and are written, not refused
-- as out of date.
-- Every request is formatted once at start except those with {seq}; no response() hook,
-- so wrk parses nothing in Lua. done() prints one JSON line starting with "BENCH ".

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests, n, i, seq, step = {}, 0, 0, 0, 1

function init(args)
  step = tonumber(args[2] or "1")
  seq = tonumber(args[3] or "0") + (id or 0)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local method, path, cookie, token, body =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = { ["Accept"] = "application/json" }
    if cookie ~= "" then headers["Cookie"] = "session=" .. cookie end
    if token ~= "" then headers["X-CSRFToken"] = token end
    if body ~= "" then headers["Content-Type"] = "application/json" end
    n = n + 1
    if body:find("{seq}", 1, true) then
      requests[n] = { method = method, path = path, headers = headers, body = body }
    else
      requests[n] = wrk.format(method, path, headers, body ~= "" and body or nil)
    end
  end
  file:close()
  -- Threads start at different places so they don't send the same rows together.
  i = ((id or 0) * 7919) % n
end

function request()
  i = i % n + 1
  local r = requests[i]
  if type(r) == "string" then
    return r
  end
  seq = seq + step
  return wrk.format(r.method, r.path, r.headers, (r.body:gsub("{seq}", tostring(seq))))
end

function done(summary, latency, _requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
