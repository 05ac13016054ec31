-- GET one filtered list page (BENCH_LIST_PATH, default status=new, 20 per page).
expected_status = 200
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local path = os.getenv("BENCH_LIST_PATH") or "/api/v1/requests?status=new&limit=20"

function request()
  return wrk.format("GET", path)
end
