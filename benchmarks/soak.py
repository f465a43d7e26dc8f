#!/usr/bin/python3
"""Soak: ddb-bench for a long run against DynamoDB Local through the fault-injection proxy.

    benchmarks/soak [--minutes 10] [--concurrency 32] [--op mixed] [--no-build]

Starts DynamoDB Local and tests/integration/faultproxy (a quarter of requests faulted: throttling,
5xx, connections closed before or in the middle of a response, delays past the request timeout,
corrupted bodies, Connection: close), runs ddb-bench with --log-writes, samples its resident set
and open descriptors every few seconds, then scans the table straight from DynamoDB Local and
checks that every write ddb-bench reported successful is there with exactly the logged content.
Writes benchmarks/results/soak-<date>.csv and .json and prints a summary. Not part of CI.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAULTS = {
    "seed": 20261126,
    # A quarter of the data-plane requests; table management is left alone.
    "default": {"throttle": 0.05, "http500": 0.03, "http503": 0.03, "close_before_response": 0.04,
                "close_mid_response": 0.03, "delay": 0.02, "corrupt_body": 0.05,
                "delay_ms": 1500, "after_fraction": 0.5},
    "operations": {op: {"throttle": 0, "http500": 0, "http503": 0, "close_before_response": 0,
                        "close_mid_response": 0, "delay": 0, "corrupt_body": 0}
                   for op in ("CreateTable", "DescribeTable")},
    "connection_close": 0.05,
}


def sh(*cmd, **kw):
    return subprocess.run(list(cmd), check=True, **kw)


def sample(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss / 1024.0, len(os.listdir(f"/proc/{pid}/fd"))


def scan(port, table):
    """Every item of the table, straight from DynamoDB Local (boto3, no proxy)."""
    import boto3
    db = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                      aws_access_key_id="AKIDSOAK", aws_secret_access_key="secret")
    items, start = {}, None
    while True:
        kw = {"TableName": table, "ConsistentRead": True}
        if start:
            kw["ExclusiveStartKey"] = start
        page = db.scan(**kw)
        for it in page["Items"]:
            items[(it["PK"]["S"], it["SK"]["S"])] = it
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--op", default="mixed")
    ap.add_argument("--items", type=int, default=20000)
    ap.add_argument("--interval", type=float, default=5, help="seconds between samples")
    ap.add_argument("--no-build", action="store_true")
    opt = ap.parse_args()

    bench = os.path.join(ROOT, "build", "bench", "benchmarks", "ddb-bench")
    if not opt.no_build:
        sh("cmake", "--preset", "bench", cwd=ROOT, stdout=subprocess.DEVNULL)
        sh("cmake", "--build", os.path.join(ROOT, "build", "bench"), "-j2", "--target", "ddb-bench", cwd=ROOT)
    jar = subprocess.run([os.path.join(ROOT, "scripts", "dynamodb-local")], check=True,
                         capture_output=True, text=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="ddb-soak-")
    ddbl, proxy = os.path.join(work, "ddblocal"), os.path.join(work, "proxy")
    config = os.path.join(work, "faults.json")
    with open(config, "w") as f:
        json.dump(FAULTS, f)
    ddbl_sh = os.path.join(ROOT, "tests", "integration", "ddblocal", "ddblocal.sh")
    proxy_sh = os.path.join(ROOT, "tests", "integration", "faultproxy", "faultproxy.sh")
    stamp = datetime.date.today().isoformat()
    out_csv = os.path.join(ROOT, "benchmarks", "results", f"soak-{stamp}.csv")
    out_json = os.path.join(ROOT, "benchmarks", "results", f"soak-{stamp}.json")
    log = os.path.join(work, "writes.jsonl")
    try:
        sh(ddbl_sh, "start", ddbl, jar, stdout=subprocess.DEVNULL)
        sh(proxy_sh, "start", proxy, ddbl, config, stdout=subprocess.DEVNULL)
        ddb_port = open(os.path.join(ddbl, "port")).read().strip()
        proxy_port = open(os.path.join(proxy, "port")).read().strip()
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDSOAK", AWS_SECRET_ACCESS_KEY="secret",
                   AWS_REGION="us-east-1")
        table = "soak"
        seconds = int(opt.minutes * 60)
        # Every item is written once first (through the faults too), so that the gets of the run
        # find what they look for: a NotFound would be the workload's doing, not the client's.
        load = [bench, "--endpoint", f"http://127.0.0.1:{proxy_port}", "--table", table, "--create-table",
                "--op", "put", "--concurrency", str(opt.concurrency), "--requests", str(opt.items),
                "--items", str(opt.items), "--log-writes", log, "--seed", "7", "--quiet"]
        print("$", " ".join(load), flush=True)
        loaded = json.loads(subprocess.run(load, env=env, check=False, capture_output=True, text=True).stdout)
        cmd = [bench, "--endpoint", f"http://127.0.0.1:{proxy_port}", "--table", table,
               "--op", opt.op, "--concurrency", str(opt.concurrency), "--duration", str(seconds),
               "--items", str(opt.items), "--log-writes", log, "--seed", "7"]
        print("$", " ".join(cmd), flush=True)
        stderr = open(os.path.join(work, "bench.stderr"), "w")
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, env=env, text=True)
        samples, t0 = [], time.monotonic()
        while p.poll() is None:
            try:
                rss, fds = sample(p.pid)
                samples.append((round(time.monotonic() - t0, 1), round(rss, 1), fds))
            except (OSError, StopIteration):
                pass
            time.sleep(opt.interval)
        result = json.loads(p.stdout.read())

        # Nothing acknowledged is lost: every logged write is in the table, exactly.
        stored = scan(ddb_port, table)
        logged, lost, differ = 0, 0, 0
        with open(log) as f:
            for line in f:
                want = json.loads(line)
                logged += 1
                got = stored.get((want["PK"]["S"], want["SK"]["S"]))
                if got is None:
                    lost += 1
                elif got != want:
                    differ += 1
        faults = {}
        with open(os.path.join(proxy, "faults.log")) as f:
            for line in f:
                r = json.loads(line)
                if "event" not in r:
                    faults[r["fault"]] = faults.get(r["fault"], 0) + 1
    finally:
        subprocess.run([proxy_sh, "stop", proxy])
        subprocess.run([ddbl_sh, "stop", ddbl])

    warm = [s for s in samples if s[0] >= 60] or samples
    summary = {
        "command": "benchmarks/soak " + " ".join(sys.argv[1:]),
        "minutes": opt.minutes, "load": loaded, "bench": result, "proxy_faults": faults,
        "faulted_share": round(1 - faults.get("none", 0) / max(1, sum(faults.values())), 3),
        "rss_mb": {"after_1min": warm[0][1], "end": samples[-1][1], "max": max(s[1] for s in samples),
                   "min_after_1min": min(s[1] for s in warm)},
        "fds": {"min": min(s[2] for s in samples), "max": max(s[2] for s in samples), "end": samples[-1][2]},
        "writes_logged": logged, "writes_lost": lost, "writes_differ": differ, "items_stored": len(stored),
        "resends": result.get("resends"), "ambiguous_attempts": result.get("ambiguous_attempts"),
        "may_have_applied": result.get("may_have_applied"),
    }
    os.makedirs(os.path.dirname(out_csv), exist_ok=True)
    with open(out_csv, "w") as f:
        f.write("seconds,rss_mb,open_fds\n")
        for s in samples:
            f.write(f"{s[0]},{s[1]},{s[2]}\n")
    with open(out_json, "w") as f:
        json.dump(summary, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(summary, indent=1))
    return 0 if lost == 0 and differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
