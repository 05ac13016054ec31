-- POST /api/v1/requests with a varying subject; a 201 means the request was committed.
expected_status = 201
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0

function request()
  counter = counter + 1
  local body = string.format(
    '{"subject":"Bench request %d-%d","description":"Load test request created by bench/api_load.","channel":"api","citizen":{"name":"Bench Citizen","email":"bench%d@example.org"}}',
    tid, counter, counter % 1000)
  return wrk.format(nil, "/api/v1/requests", nil, body)
end
