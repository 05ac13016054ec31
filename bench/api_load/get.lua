-- GET /api/v1/requests/{id} for a random id in [1, BENCH_MAX_ID]; counts non-200 answers.
local token = os.getenv("BENCH_TOKEN") or ""
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "10000")
local non200 = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  return wrk.format("GET", "/api/v1/requests/" .. math.random(1, max_id))
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("non200") or 0) end
  io.write(string.format("non-200 responses: %d\n", total))
end
