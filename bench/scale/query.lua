-- GET BENCH_PATH; "{random}" in it becomes a random id in 1..BENCH_MAX_ID.
expected_status = 200
dofile(os.getenv("BENCH_DIR") .. "/../api_load/common.lua")
local path = os.getenv("BENCH_PATH")
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "1")

function request()
  return wrk.format("GET", (path:gsub("{random}", tostring(math.random(1, max_id)))))
end
