-- GET /api/v1/requests/{id} for a random id in [1, BENCH_MAX_ID].
expected_status = 200
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "10000")

function request()
  return wrk.format("GET", "/api/v1/requests/" .. math.random(1, max_id))
end
