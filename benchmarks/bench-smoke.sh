#!/bin/sh
# Smoke run of ddb-bench against DynamoDB Local, so the harness never rots: every op once, the
# JSON's schema and counts checked, the write log checked. No timing is asserted.
#
#   benchmarks/bench-smoke.sh BUILD/benchmarks/ddb-bench STATE_DIR
#
# STATE_DIR is the ddblocal fixture's (tests/integration/ddblocal/ddblocal.sh writes STATE_DIR/port).
set -eu
bench=$1
state=$2
port=$(cat "$state/port")
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

# DynamoDB Local checks no signature; the credential chain only needs something to sign with.
export AWS_ACCESS_KEY_ID=AKIDBENCHSMOKE AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB 2>/dev/null || true
export AWS_EC2_METADATA_DISABLED=true

table="bench_smoke_$$"
common="--endpoint http://127.0.0.1:$port --table $table --seed 7 --quiet"

run() { # NAME ARGS...: runs ddb-bench, its JSON into $work/NAME.json
  name=$1
  shift
  echo "== ddb-bench $*" >&2
  if ! "$bench" $common "$@" >"$work/$name.json"; then
    echo "bench-smoke: ddb-bench $* failed:" >&2
    cat "$work/$name.json" >&2
    exit 1
  fi
  cat "$work/$name.json" >&2
}

run put --create-table --op put --requests 200 --concurrency 8 --log-writes "$work/writes.jsonl"
run get --op get --requests 200 --concurrency 8 --threads 2
run mixed --op mixed --requests 200 --items 200 --concurrency 4 --log-writes "$work/writes.jsonl"
run transact --op transact --requests 50 --concurrency 4 --log-writes "$work/writes.jsonl"
run query --op query --load --items 300 --page-size 100 --requests 1000 --concurrency 2

python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
keys = ["client", "op", "concurrency", "threads", "ops", "items", "errors", "retries", "resends",
        "ambiguous_attempts", "may_have_applied", "seconds",
        "ops_per_sec", "items_per_sec", "bytes_per_sec", "latency_ms", "cpu_seconds", "peak_rss_mb"]

def load(name):
    with open(f"{work}/{name}.json") as f:
        text = f.read()
    assert text.count("\n") == 1, f"{name}: stdout must be one JSON line: {text!r}"
    r = json.loads(text)
    assert list(r) == keys, f"{name}: keys {list(r)}"
    assert r["client"] == "ddb" and r["op"] == name, r
    assert r["errors"] == {}, f"{name}: errors {r['errors']}"
    assert set(r["latency_ms"]) == {"p50", "p90", "p99", "max"}, r["latency_ms"]
    lat = r["latency_ms"]
    assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"], lat
    for k in ("seconds", "ops_per_sec", "items_per_sec", "bytes_per_sec", "cpu_seconds", "peak_rss_mb"):
        assert isinstance(r[k], (int, float)) and r[k] >= 0, (name, k, r[k])
    assert r["bytes_per_sec"] > 0, r
    return r

r = load("put"); assert r["ops"] == 200 and r["items"] == 200, r
r = load("get"); assert r["ops"] == 200 and r["items"] == 200 and r["threads"] == 2, r
r = load("mixed"); assert r["ops"] == 200, r
r = load("transact"); assert r["ops"] == 50 and r["items"] == 100, r
# Two workers each read the 300 items once, in pages of 100 (a last empty page may follow).
r = load("query"); assert r["items"] == 600 and 6 <= r["ops"] <= 8, r

lines = open(f"{work}/writes.jsonl").read().splitlines()
assert len(lines) >= 200 + 100, f"{len(lines)} log lines"
seen = set()
for line in lines:
    it = json.loads(line)
    assert set(it) == {"PK", "SK", "data", "n"}, it
    assert it["PK"]["S"].startswith("BENCH#7#") and "N" in it["n"] and len(it["data"]["S"]) == 100, it
    seen.add((it["PK"]["S"], it["SK"]["S"]))
for i in range(200):
    assert (f"BENCH#7#{i % 100}", f"ITEM#{i:010d}") in seen, i
print("bench-smoke: ok,", len(lines), "logged writes")
EOF
