#!/usr/bin/python3
"""ddb-bench's workloads with boto3 (Debian python3-boto3, low-level client, DynamoDB JSON),
taking ddb-bench's flags and printing its JSON ("client":"boto3").

Concurrency is N threads sharing one client whose connection pool holds N connections
(max_pool_connections). Run it with Debian's /usr/bin/python3.
"""
import argparse
import json
import os
import resource
import sys
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class Parser(argparse.ArgumentParser):
    def error(self, message):  # exit status 2 on a bad command line, as ddb-bench
        self.print_usage(sys.stderr)
        print(f"bench.py: {message}", file=sys.stderr)
        sys.exit(2)


def parse_args():
    p = Parser(prog="bench.py", allow_abbrev=False)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    p.add_argument("--ca-file")
    p.add_argument("--table", required=True)
    p.add_argument("--create-table", action="store_true")
    p.add_argument("--op", required=True, choices=["put", "get", "query", "mixed", "transact"])
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--requests", type=int)
    g.add_argument("--duration", type=float)
    p.add_argument("--items", type=int)
    p.add_argument("--item-bytes", type=int, default=100)
    p.add_argument("--log-writes")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--load", action="store_true")
    p.add_argument("--partitions", type=int, default=100)
    p.add_argument("--page-size", type=int, default=0)
    p.add_argument("--max-attempts", type=int, default=0)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args()
    if a.items is None:
        a.items = 1000 if a.op == "query" else a.requests if a.requests is not None else 10000
    if (a.concurrency < 1 or a.items < 1 or a.item_bytes < 0 or a.partitions < 1 or a.page_size < 0
            or (a.requests is not None and a.requests < 1) or (a.duration is not None and a.duration < 0)):
        p.error("counts must be positive")
    if a.load and a.op != "query":
        p.error("--load applies to --op query only")
    return a


opt = parse_args()


M64 = (1 << 64) - 1
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def payload_of(seed, i, n):
    """ddb-bench's payload: printable, no JSON escapes, derived from seed and i."""
    state = splitmix64(seed) ^ splitmix64((i + 0x632BE59BD9B4E019) & M64)
    out = []
    for k in range(0, n, 8):
        r = splitmix64((state + k) & M64)
        for _ in range(min(8, n - k)):
            out.append(ALPHABET[r & 63])
            r >>= 8
    return "".join(out)


_payloads = {}


def payload(i):
    """Made once per index of the key space: the measured work is boto3's."""
    p = _payloads.get(i)
    if p is None:
        p = payload_of(opt.seed, i, opt.item_bytes)
        if len(_payloads) < 200000:
            _payloads[i] = p
    return p


def mixed_is_get(i):
    return splitmix64(((opt.seed * 0x9E3779B97F4A7C15) & M64) ^ i) & 1 != 0


def bench_pk(i):
    return f"BENCH#{opt.seed}#{i % opt.partitions}"


def make_item(pk, sk, i):
    return {"PK": {"S": pk}, "SK": {"S": sk}, "data": {"S": payload(i)}, "n": {"N": str(i)}}


def bench_key(i):
    return {"PK": {"S": bench_pk(i)}, "SK": {"S": f"ITEM#{i:010d}"}}


def bench_item(i):
    return make_item(bench_pk(i), f"ITEM#{i:010d}", i)


def tx_item(i, which):
    return make_item(bench_pk(i), f"TX{which}#{i:010d}", i)


QUERY_PK = f"BENCHQ#{opt.seed}"


def query_item(i):
    return make_item(QUERY_PK, f"ITEM#{i:010d}", i)


client = boto3.session.Session().client(
    "dynamodb", endpoint_url=opt.endpoint, region_name=opt.region,
    verify=opt.ca_file if opt.ca_file else True,
    config=Config(max_pool_connections=opt.concurrency,
                  retries={"mode": "standard", **({"total_max_attempts": opt.max_attempts} if opt.max_attempts else {})}))


class Stats:
    """One per thread: no locking on the hot path."""

    def __init__(self):
        self.ops = self.items = self.retries = self.failed = self.body_bytes = 0
        self.errors = {}
        self.lat = []

    def error(self, name):
        self.errors[name] = self.errors.get(name, 0) + 1
        self.failed += 1


local = threading.local()
all_stats = []
stats_lock = threading.Lock()


def stats():
    s = getattr(local, "stats", None)
    if s is None:
        s = local.stats = Stats()
        with stats_lock:
            all_stats.append(s)
    return s


def count_body(http_response, **_):
    stats().body_bytes += len(http_response.content)


client.meta.events.register("after-call.dynamodb", count_body)

log_lock = threading.Lock()
log_file = open(opt.log_writes, "a") if opt.log_writes else None


def log_write(item):
    if log_file is not None:
        line = json.dumps(item, separators=(",", ":")) + "\n"
        with log_lock:
            log_file.write(line)


def timed(fn, **kw):
    """Ops and latencies are of calls that succeeded (as in ddb-bench); a call that finally failed
    counts as an error by its code; retries are counted either way."""
    s = stats()
    t0 = time.perf_counter()
    try:
        out = fn(**kw)
    except ClientError as e:
        s.retries += e.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        s.error(e.response.get("Error", {}).get("Code", "ClientError"))
        return None
    except Exception as e:  # connection errors and the like
        s.error(type(e).__name__)
        return None
    s.lat.append((time.perf_counter() - t0) * 1000.0)
    s.retries += out.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    s.ops += 1
    return out


def get_item(**kw):
    out = client.get_item(**kw)
    if "Item" not in out:
        raise NotFound()
    return out


class NotFound(Exception):
    pass


counter_lock = threading.Lock()
next_index = 0
pages = 0
deadline = float("inf")


def stopped():
    if opt.requests is None:
        return time.perf_counter() >= deadline
    return opt.op == "query" and pages >= opt.requests


def claim():
    """The next item index, or -1 when the run is over."""
    global next_index
    with counter_lock:
        if opt.requests is None:
            if time.perf_counter() >= deadline:
                return -1
        elif next_index >= opt.requests:
            return -1
        k = next_index
        next_index += 1
    return k % opt.items


def put(i):
    item = bench_item(i)
    if timed(client.put_item, TableName=opt.table, Item=item) is not None:
        stats().items += 1
        log_write(item)


def get(i):
    if timed(get_item, TableName=opt.table, Key=bench_key(i)) is not None:
        stats().items += 1


def transact(i):
    a, b = tx_item(i, "A"), tx_item(i, "B")
    out = timed(client.transact_write_items, TransactItems=[
        {"Put": {"TableName": opt.table, "Item": a}}, {"Put": {"TableName": opt.table, "Item": b}}])
    if out is not None:
        stats().items += 2
        log_write(a)
        log_write(b)


def query_loop():
    """Passes over the query partition, page by page (ops = Query calls), up to --items items a
    pass. With --requests every thread reads the partition once and the run stops early after
    that many pages; with --duration the threads read it again and again."""
    global pages
    while True:
        got, start = 0, None
        while not stopped():
            kw = dict(TableName=opt.table, KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                      ExpressionAttributeValues={":pk": {"S": QUERY_PK}, ":p": {"S": "ITEM#"}})
            if opt.page_size:
                kw["Limit"] = opt.page_size
            if start:
                kw["ExclusiveStartKey"] = start
            out = timed(client.query, **kw)
            with counter_lock:
                pages += 1
            if out is None:
                continue  # the same page again
            n = min(len(out.get("Items", ())), opt.items - got)
            got += n
            stats().items += n
            start = out.get("LastEvaluatedKey")
            if not start or got >= opt.items:
                break
        if opt.requests is not None or stopped():
            return


def loop():
    if opt.op == "query":
        return query_loop()
    while True:
        i = claim()
        if i < 0:
            return
        if opt.op == "put":
            put(i)
        elif opt.op == "get":
            get(i)
        elif opt.op == "mixed":
            (get if mixed_is_get(i) else put)(i)
        else:
            transact(i)


def create_table():
    try:
        client.create_table(
            TableName=opt.table,
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                  {"AttributeName": "SK", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST")
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise
    for _ in range(600):
        if client.describe_table(TableName=opt.table)["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.1)
    raise RuntimeError(f"table {opt.table} did not become ACTIVE")


def load_query_partition():
    """Batch-writes the query partition, 25 items a request (not timed)."""
    for start in range(0, opt.items, 25):
        batch = [query_item(i) for i in range(start, min(opt.items, start + 25))]
        req = {opt.table: [{"PutRequest": {"Item": it}} for it in batch]}
        attempt = 0
        while req:
            req = client.batch_write_item(RequestItems=req).get("UnprocessedItems") or None
            if req:
                time.sleep(min(1.0, 0.01 * 2 ** attempt))
                attempt += 1
        for it in batch:
            log_write(it)


def percentile(sorted_lat, p):
    if not sorted_lat:
        return 0.0
    k = min(len(sorted_lat) - 1, max(0, -(-p * len(sorted_lat) // 100) - 1))
    return sorted_lat[int(k)]


def main():
    global deadline
    if opt.create_table:
        create_table()
    if opt.load and opt.op == "query":
        load_query_partition()

    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    if opt.duration is not None:
        deadline = t0 + opt.duration
    threads = [threading.Thread(target=loop, daemon=True) for _ in range(opt.concurrency)]
    for t in threads:
        t.start()
    last_ops, last_t = 0, t0
    while any(t.is_alive() for t in threads):
        threads[0].join(0.05) if threads[0].is_alive() else time.sleep(0.05)
        now = time.perf_counter()
        if now - last_t >= 1.0 and not opt.quiet:
            with stats_lock:
                done = sum(s.ops for s in all_stats)
                failed = sum(s.failed for s in all_stats)
            print(f"[boto3 {now - t0:.0f}s] ops={done} ops/s={(done - last_ops) / (now - last_t):.0f} "
                  f"errors={failed}", file=sys.stderr, flush=True)
            last_ops, last_t = done, now
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)

    ops = sum(s.ops for s in all_stats)
    items = sum(s.items for s in all_stats)
    errors = {}
    for s in all_stats:
        for k, v in s.errors.items():
            errors[k] = errors.get(k, 0) + v
    lat = sorted(x for s in all_stats for x in s.lat)
    body = sum(s.body_bytes for s in all_stats)
    result = {
        "client": "boto3", "op": opt.op, "concurrency": opt.concurrency, "threads": opt.concurrency,
        "ops": ops, "items": items, "errors": errors, "retries": sum(s.retries for s in all_stats),
        "seconds": round(seconds, 6),
        "ops_per_sec": round(ops / seconds, 1), "items_per_sec": round(items / seconds, 1),
        "bytes_per_sec": round(body / seconds, 1),
        "latency_ms": {"p50": round(percentile(lat, 50), 4), "p90": round(percentile(lat, 90), 4),
                       "p99": round(percentile(lat, 99), 4), "max": round(lat[-1] if lat else 0.0, 4)},
        "cpu_seconds": round((ru.ru_utime - ru0.ru_utime) + (ru.ru_stime - ru0.ru_stime), 6),
        "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
    }
    print(json.dumps(result, separators=(",", ":")), flush=True)
    if log_file is not None:
        log_file.close()
    sys.exit(1 if any(s.failed for s in all_stats) else 0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
