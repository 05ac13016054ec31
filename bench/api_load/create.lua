-- POST /api/v1/requests with a varying subject; counts answers other than 201.
-- Env: BENCH_TOKEN (Bearer token).
local token = os.getenv("BENCH_TOKEN") or ""
local counter = 0
local thread_id = 0
local non201 = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  non201 = 0
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"subject":"Bench request %d-%d","description":"Load test request created by bench/api_load.","channel":"api","citizen":{"name":"Bench Citizen","email":"bench%d@example.org"}}',
    tid, counter, counter % 1000)
  return wrk.format(nil, "/api/v1/requests", nil, body)
end

function response(status, headers, body)
  if status ~= 201 then non201 = non201 + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("non201") or 0) end
  io.write(string.format("non-201 responses: %d\n", total))
end
