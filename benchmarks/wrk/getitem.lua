-- wrk posting a GetItem as a DynamoDB client would (JSON 1.0 protocol headers, a SigV4-shaped
-- Authorization; the canned server checks no signature): the HTTP limit of this machine.
--   wrk -t1 -c64 -d5s -s benchmarks/wrk/getitem.lua http://127.0.0.1:PORT/
-- At the end prints one JSON line in ddb-bench's shape ("client":"wrk"); cpu_seconds and
-- peak_rss_mb are filled in by whoever ran wrk (benchmarks/compare measures them with GNU time).
-- bytes_per_sec counts whole responses (headers included): wrk sees no bodies.

wrk.method = "POST"
wrk.body = '{"TableName":"bench","Key":{"PK":{"S":"BENCH#1#0"},"SK":{"S":"ITEM#0000000000"}}}'
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
wrk.headers["X-Amz-Date"] = "20261126T120000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261126/us-east-1/dynamodb/aws4_request, "
  .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
  .. "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
wrk.headers["User-Agent"] = "wrk"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  -- wrk shows scripts no connection count: pass it after "--" (wrk ... -- 64) for the JSON
  concurrency = tonumber(args[1]) or 0
end

local function num(x, d)
  return string.format("%." .. d .. "f", x)
end

function done(summary, latency, requests)
  local conc = (#threads > 0 and tonumber(threads[1]:get("concurrency"))) or 0
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.status + e.timeout
  local errs = {}
  for _, k in ipairs({"connect", "read", "write", "status", "timeout"}) do
    if e[k] > 0 then table.insert(errs, string.format('"%s":%d', k, e[k])) end
  end
  local ok = summary.requests - e.status
  io.write(string.format(
    '{"client":"wrk","op":"get","concurrency":%d,"threads":%d,"ops":%d,"items":%d,"errors":{%s},'
    .. '"retries":0,"seconds":%s,"ops_per_sec":%s,"items_per_sec":%s,"bytes_per_sec":%s,'
    .. '"latency_ms":{"p50":%s,"p90":%s,"p99":%s,"max":%s},"cpu_seconds":null,"peak_rss_mb":null}\n',
    conc, #threads, summary.requests, ok, table.concat(errs, ","),
    num(seconds, 6), num(summary.requests / seconds, 1), num(ok / seconds, 1),
    num(summary.bytes / seconds, 1),
    num(latency:percentile(50) / 1000, 4), num(latency:percentile(90) / 1000, 4),
    num(latency:percentile(99) / 1000, 4), num(latency.max / 1000, 4)))
end
