-- GET BENCH_PATH as a browser would (Accept: text/html; a Bearer token only when BENCH_TOKEN is
-- set); counts answers that are not BENCH_STATUS (default 200).
expected_status = tonumber(os.getenv("BENCH_STATUS") or "200")
dofile(os.getenv("BENCH_DIR") .. "/../api_load/common.lua")
local path = os.getenv("BENCH_PATH")

local base_init = init
function init(args)
  base_init(args)
  -- Staff pages are read with BENCH_TOKEN (common.lua sets it); citizen pages anonymously.
  if (os.getenv("BENCH_TOKEN") or "") == "" then wrk.headers["Authorization"] = nil end
  wrk.headers["Accept"] = "text/html"
  wrk.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
end

function request()
  return wrk.format("GET", path)
end
