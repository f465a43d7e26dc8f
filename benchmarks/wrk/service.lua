-- wrk against examples/service (examples/service/README.md, "Load: wrk"): a mix of reads and
-- membership writes over a seeded data set of 200 users in 20 groups (3 groups each, so about 30
-- members a group).
--
--   SEED=1 wrk -t1 -c1 -d30s -s benchmarks/wrk/service.lua http://127.0.0.1:8080   # once: creates the data
--   (820 requests, one at a time, then it stops sending; wrk still waits out -d)
--   wrk -t2 -c32 -d10s --latency -s benchmarks/wrk/service.lua http://127.0.0.1:8080 -- 32
--
-- The mix, per wrk thread: 60% GET /groups/{g}/members?limit=25, 20% GET /users/{u}/groups,
-- 10% PUT and 10% DELETE /groups/{g}/members/{u}. Writes use memberships the seed did not make,
-- each thread its own users (at most 4 threads); a DELETE removes what this thread PUT 64 writes earlier, so the data
-- set stays the same size and writes do not race (a membership left by an earlier run may give a
-- rare 409). At the end one JSON line in ddb-bench's shape ("client":"wrk").

local users, groups, per_user = 200, 20, 3
local lag = 64

local function user(i) return "u" .. i end
local function group(i) return "g" .. i end

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local id = 0
concurrency = 0 -- global: done() reads it through thread:get
local n, puts, dels, base = 0, 0, 0, 0
local rand = math.random

function init(args)
  id = tonumber(wrk.thread:get("id")) or 0
  concurrency = tonumber(args[1]) or 0
  math.randomseed(os.time() * 7919 + id)
  base = rand(0, 100000) -- so a run does not start on the memberships the last one left
end

local json = { ["Content-Type"] = "application/json" }

-- Write slot k of this thread: a user of this thread's lane (u_id, u_id+4, ...: up to 4 wrk
-- threads never share a user) and a group that is none of the user's seeded ones (u_i is in g_i,
-- g_i+1, g_i+2 modulo 20).
local lanes = 4
local mine = math.floor(users / lanes)
local function pair(k)
  k = k + base
  local u = (id % lanes) + lanes * (k % mine)
  local g = (u + per_user + math.floor(k / mine) % (groups - per_user)) % groups
  return "/groups/" .. group(g) .. "/members/" .. user(u)
end

-- Seeding: the users, the groups, the memberships, one request each, then stop.
local seed = os.getenv("SEED") ~= nil
-- wrk calls request() once before connecting and never sends that one: a sacrificial first entry.
local plan = { wrk.format("GET", "/healthz") }
if seed then
  for u = 0, users - 1 do
    table.insert(plan, wrk.format("POST", "/users", json,
      string.format('{"name":"%s","email":"%s@example.com"}', user(u), user(u))))
  end
  for g = 0, groups - 1 do
    table.insert(plan, wrk.format("POST", "/groups", json, string.format('{"id":"%s","name":"Group %d"}', group(g), g)))
  end
  for u = 0, users - 1 do
    for j = 0, per_user - 1 do
      table.insert(plan, wrk.format("PUT", "/groups/" .. group((u + j) % groups) .. "/members/" .. user(u)))
    end
  end
  local sent, answered = 0, 0
  function request()
    sent = sent + 1
    return plan[sent] or wrk.format("GET", "/healthz")
  end
  function response(status)
    answered = answered + 1
    if answered >= #plan - 1 then wrk.thread:stop() end
  end
end

local members_paths, groups_paths = {}, {}
for g = 0, groups - 1 do members_paths[g] = "/groups/" .. group(g) .. "/members?limit=25" end
for u = 0, users - 1 do groups_paths[u] = "/users/" .. user(u) .. "/groups" end

if not seed then
  function request()
    n = n + 1
    local r = n % 10
    if r < 6 then
      return wrk.format("GET", members_paths[rand(0, groups - 1)])
    elseif r < 8 then
      return wrk.format("GET", groups_paths[rand(0, users - 1)])
    elseif r == 8 or dels + lag > puts then
      puts = puts + 1
      return wrk.format("PUT", pair(puts - 1))
    else
      dels = dels + 1
      return wrk.format("DELETE", pair(dels - 1))
    end
  end
end

local function num(x, d)
  return string.format("%." .. d .. "f", x)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local errs = {}
  for _, k in ipairs({"connect", "read", "write", "status", "timeout"}) do
    if e[k] > 0 then table.insert(errs, string.format('"%s":%d', k, e[k])) end
  end
  local conc = (#threads > 0 and tonumber(threads[1]:get("concurrency"))) or 0
  local ok = summary.requests - e.status
  io.write(string.format(
    '{"client":"wrk","op":"%s","concurrency":%d,"threads":%d,"ops":%d,"items":%d,"errors":{%s},'
    .. '"seconds":%s,"ops_per_sec":%s,"bytes_per_sec":%s,'
    .. '"latency_ms":{"p50":%s,"p90":%s,"p99":%s,"max":%s}}\n',
    seed and "service-seed" or "service-mix", conc, #threads, summary.requests, ok, table.concat(errs, ","),
    num(seconds, 6), num(summary.requests / seconds, 1), num(summary.bytes / seconds, 1),
    num(latency:percentile(50) / 1000, 4), num(latency:percentile(90) / 1000, 4),
    num(latency:percentile(99) / 1000, 4), num(latency.max / 1000, 4)))
end
