-- POST /api/v1/requests until this thread has had its share of BENCH_COUNT answered (then it
-- stops; run.sh stops wrk once the server has counted them all). Fields vary so that filters
-- and text search at scale select realistic fractions: 7 channels, 4 priorities, 4 categories
-- (each with its default team), a subject drawn from a small vocabulary, one citizen each.
expected_status = 201
dofile(os.getenv("BENCH_DIR") .. "/../api_load/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local channels = {"web", "email", "api", "open311", "phone", "counter", "chat"}
local priorities = {"low", "normal", "normal", "high", "urgent"}
local categories = {"voirie", "eclairage", "proprete", "espaces-verts"}
local topics = {"lampadaire en panne", "nid de poule", "dépôt sauvage", "tag sur un mur",
                "arbre tombé", "fuite d'eau", "bruit de voisinage", "poubelle pleine",
                "trottoir abîmé", "feu tricolore"}
local streets = {"rue de la Paix", "avenue Jean Jaurès", "place de la Mairie", "rue Victor Hugo",
                 "boulevard Pasteur", "chemin des Écoliers"}
local counter = 0
local answered = 0
local share = 0

local base_init = init
function init(args)
  base_init(args)
  local total = tonumber(os.getenv("BENCH_COUNT") or "0")
  local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
  share = math.ceil(total / threads)
end

function request()
  counter = counter + 1
  local n = counter * 7919 + tid * 104729
  local body = string.format(
    '{"subject":"%s, %s","description":"Signalé au %d %s. Merci d\'intervenir.","channel":"%s",' ..
    '"priority":"%s","category":"%s","tags":["t%d"],"citizen":{"name":"Habitant %d-%d",' ..
    '"email":"habitant%d@example.org"}}',
    topics[n % #topics + 1], streets[n % #streets + 1], n % 200 + 1, streets[n % #streets + 1],
    channels[n % #channels + 1], priorities[n % #priorities + 1],
    categories[n % #categories + 1], n % 50, tid, counter, n % 100000)
  return wrk.format(nil, "/api/v1/requests", nil, body)
end

local base_response = response
function response(status, headers, body)
  base_response(status, headers, body)
  answered = answered + 1
  if answered >= share then wrk.thread:stop() end
end
