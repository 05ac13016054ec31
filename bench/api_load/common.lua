-- Shared by the api_load scripts (loaded with dofile after the script sets `expected_status`):
-- the Bearer token from BENCH_TOKEN, a thread id `tid`, and a count of answers other than
-- `expected_status`, summed over wrk's threads at the end.
local threads = {}
local next_tid = 0
-- Global on purpose: wrk's thread:get reads a thread's globals, never its locals.
unexpected = 0

function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function response(status, headers, body)
  if status ~= expected_status then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("unexpected") or 0) end
  io.write(string.format("unexpected responses (not %d): %d\n", expected_status, total))
end
