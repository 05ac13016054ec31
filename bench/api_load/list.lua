-- GET one filtered list page: /api/v1/requests?status=new&limit=20; counts non-200 answers.
local token = os.getenv("BENCH_TOKEN") or ""
local path = os.getenv("BENCH_LIST_PATH") or "/api/v1/requests?status=new&limit=20"
local non200 = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("non200") or 0) end
  io.write(string.format("non-200 responses: %d\n", total))
end
