#!/usr/bin/python3
"""benchmarks/compare's driver (run it through benchmarks/compare, which installs and builds).

Starts the canned nginx and DynamoDB Local pinned to the server CPU, runs ddb-bench, the JS SDK v3
and boto3 peers and wrk pinned to the client CPU, scenario by scenario, the clients interleaved
(ddb, js, boto3, wrk, ddb, ...) and repeated; writes benchmarks/results/<date>.json (raw),
benchmarks/results/compare.png, and the section of BENCHMARKS.md between
<!-- compare:begin --> and <!-- compare:end -->.
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")
STATE = os.path.join(ROOT, "build", "compare")
DDB_BENCH = os.path.join(ROOT, "build", "bench", "benchmarks", "ddb-bench")
CLIENTS = ["ddb", "js", "boto3", "wrk"]
NAMES = {"ddb": "ddb", "js": "js-sdk-v3", "boto3": "boto3", "wrk": "wrk", "base": "ddb-base", "cb": "ddb-callback"}
# Not peers: ddb-bench --api callback (the completion-token path), run after ddb in its get/put
# scenarios when named in --clients, and compared with ddb in the summary printed at the end.
VARIANTS = ["cb"]
BASE_BENCH = None  # --base-bench: an older ddb-bench run next to ddb, for regression checks
TABLE = "bench"
LOCAL_ITEMS, LOCAL_ITEM_BYTES = 1000, 100          # DynamoDB Local put/get key space
LOCAL_QUERY_ITEMS, LOCAL_QUERY_ITEM_BYTES = 2000, 1000  # DynamoDB Local query partition (2 MB)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"compare: {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# Scenarios

class Scenario:
    def __init__(self, name, server, op, concurrency, args, clients, duration=None, requests=None,
                 title=None, once=False):
        self.name, self.server, self.op, self.concurrency = name, server, op, concurrency
        self.once = once  # in the first repetition only
        self.args, self.clients = args, clients
        self.duration, self.requests = duration, requests
        self.title = title or name


def scenarios(opt):
    conc = [1, 64] if opt.quick else [1, 8, 64, 256]
    d, ld = opt.duration, opt.local_duration
    out = []
    for c in conc:
        out.append(Scenario(f"canned-get-c{c}", "canned", "get", c, ["--items", "10000"],
                            ["ddb", "js", "boto3", "wrk"], duration=d, title=f"canned GetItem, concurrency {c}"))
    out.append(Scenario("canned-put-c64", "canned", "put", 64, ["--items", "10000"],
                        ["ddb", "js", "boto3"], duration=d, title="canned PutItem, concurrency 64"))
    out.append(Scenario("canned-query-10k", "canned", "query", 1, ["--items", "10000"],
                        ["ddb", "js", "boto3"], duration=d,
                        title="canned Query, 1 MB pages, 10k items a pass, concurrency 1"))
    # The RSS target: one pass over 1M items (1000 pages, about 1 GB), ddb only.
    out.append(Scenario("canned-query-1M", "canned", "query", 1, ["--items", "1000000"], ["ddb"],
                        requests=1000, once=True,
                        title="canned Query, one pass over 1M items (1000 pages), concurrency 1"))
    if not opt.no_local:
        li = ["--items", str(LOCAL_ITEMS), "--item-bytes", str(LOCAL_ITEM_BYTES)]
        lq = ["--items", str(LOCAL_QUERY_ITEMS), "--item-bytes", str(LOCAL_QUERY_ITEM_BYTES)]
        out.append(Scenario("local-put-c16", "local", "put", 16, li, ["ddb", "js", "boto3"], duration=ld,
                            title="DynamoDB Local PutItem, concurrency 16"))
        out.append(Scenario("local-get-c16", "local", "get", 16, li, ["ddb", "js", "boto3"], duration=ld,
                            title="DynamoDB Local GetItem, concurrency 16"))
        out.append(Scenario("local-query-c16", "local", "query", 16, lq, ["ddb", "js", "boto3"], duration=ld,
                            title="DynamoDB Local Query (2000 items of 1 KB a pass), concurrency 16"))
        out.append(Scenario("local-get-c1", "local", "get", 1, li, ["ddb"], duration=ld,
                            title="DynamoDB Local GetItem, concurrency 1 (the server's share)"))
    for s in out:
        s.clients = [c for c in s.clients if c in opt.clients]
        if BASE_BENCH and "ddb" in s.clients:
            s.clients.insert(s.clients.index("ddb") + 1, "base")
        if "cb" in opt.clients and "ddb" in s.clients and s.op in ("get", "put"):
            s.clients.insert(s.clients.index("ddb") + 1, "cb")
    return [s for s in out if s.clients]


# ------------------------------------------------------------------------------------------------
# Servers

def start_servers(opt):
    os.makedirs(STATE, exist_ok=True)
    canned_dir = os.path.join(STATE, "canned")
    subprocess.run([os.path.join(ROOT, "benchmarks", "canned", "canned-server.sh"), "start", canned_dir,
                    str(opt.server_cpu)], check=True, stdout=sys.stderr)
    canned = {"dir": canned_dir, "port": int(open(os.path.join(canned_dir, "port")).read()),
              "master": int(open(os.path.join(canned_dir, "nginx.pid")).read())}
    check_canned(canned["port"], canned_dir)
    local = None
    if not opt.no_local:
        local_dir = os.path.join(STATE, "ddblocal")
        subprocess.run(["taskset", "-c", str(opt.server_cpu),
                        os.path.join(ROOT, "tests", "integration", "ddblocal", "ddblocal.sh"), "start",
                        local_dir, opt.jar_dir], check=True, stdout=sys.stderr)
        local = {"dir": local_dir, "port": int(open(os.path.join(local_dir, "port")).read()),
                 "pid": int(open(os.path.join(local_dir, "pid")).read())}
    return canned, local


def stop_servers(opt):
    subprocess.run([os.path.join(ROOT, "benchmarks", "canned", "canned-server.sh"), "stop",
                    os.path.join(STATE, "canned")], stdout=sys.stderr)
    if not opt.no_local:
        subprocess.run([os.path.join(ROOT, "tests", "integration", "ddblocal", "ddblocal.sh"), "stop",
                        os.path.join(STATE, "ddblocal")], stdout=sys.stderr)


def check_canned(port, state):
    """Every canned body comes back whole, with the x-amz-crc32 of its bytes."""
    expected = dict(line.split() for line in open(os.path.join(state, "body", "crc32.txt")))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for op, crc in expected.items():
        conn.request("POST", "/", body=b'{"TableName":"bench"}',
                     headers={"X-Amz-Target": f"DynamoDB_20120810.{op}",
                              "Content-Type": "application/x-amz-json-1.0"})
        r = conn.getresponse()
        body = r.read()
        ok = (str(zlib.crc32(body)) == r.getheader("x-amz-crc32") == crc and
              r.getheader("Content-Type") == "application/x-amz-json-1.0" and
              r.status == (400 if op == "Unknown" else 200))
        if not ok:
            raise SystemExit(f"compare: the canned server answers {op} wrongly "
                             f"(status {r.status}, crc32 {r.getheader('x-amz-crc32')})")
    conn.close()


def proc_cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        except OSError:
            pass
    return total / CLK_TCK


def nginx_workers(master):
    try:
        out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]
    except OSError:
        return []


# ------------------------------------------------------------------------------------------------
# Clients

def client_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="AKIDBENCHMARK", AWS_SECRET_ACCESS_KEY="benchmark/secret",
               AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true", NODE_NO_WARNINGS="1",
               AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE="1")
    return env


def command(client, sc, endpoint, extra=()):
    if client == "wrk":
        dur = max(1, round(sc.duration or 5))
        return ["wrk", "-t1", f"-c{sc.concurrency}", f"-d{dur}s", "--timeout", "10s",
                "-s", os.path.join(ROOT, "benchmarks", "wrk", "getitem.lua"), endpoint + "/", "--",
                str(sc.concurrency)]
    prog = {"ddb": [DDB_BENCH], "base": [BASE_BENCH], "cb": [DDB_BENCH],
            "js": ["node", os.path.join(ROOT, "benchmarks", "peers", "js", "bench.mjs")],
            "boto3": ["/usr/bin/python3", os.path.join(ROOT, "benchmarks", "peers", "boto3", "bench.py")]}[client]
    cmd = prog + ["--endpoint", endpoint, "--table", TABLE, "--op", sc.op,
                  "--concurrency", str(sc.concurrency)]
    if client in ("ddb", "base", "cb"):
        cmd += ["--threads", "1"]
    if client == "cb":
        cmd += ["--api", "callback"]
    cmd += ["--duration", f"{sc.duration:g}"] if sc.duration else ["--requests", str(sc.requests)]
    return cmd + list(sc.args) + list(extra)


def run_client(cmd, cpu, timeout, logf):
    """Runs cmd pinned to cpu; returns (exit status, its JSON result or None, cpu s, peak RSS MB).

    Through GNU time: Linux keeps a process's peak RSS across execve, so a client forked from this
    Python (20+ MB) would report at least that much; forked from time's small process it starts
    from about 2 MB. time also measures wrk's CPU and peak RSS, which wrk does not report."""
    print("$ " + " ".join(shlex.quote(c) for c in cmd), file=logf, flush=True)
    timefile = os.path.join(STATE, "time.out")
    p = subprocess.Popen(["/usr/bin/time", "-q", "-f", "%U %S %M", "-o", timefile,
                          "taskset", "-c", str(cpu)] + cmd,
                         stdout=subprocess.PIPE, stderr=logf, env=client_env(), cwd=ROOT)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    out = p.stdout.read().decode(errors="replace")
    p.wait()
    timer.cancel()
    p.stdout.close()
    logf.write(out)
    logf.flush()
    cpu_s, rss_mb = None, None
    try:
        u, s_, kb = open(timefile).read().split()[-3:]
        cpu_s, rss_mb = float(u) + float(s_), int(kb) / 1024
    except (OSError, ValueError):
        pass
    result = None
    for line in reversed(out.splitlines()):
        line = line.strip()
        if line.startswith('{"client"'):
            try:
                result = json.loads(line)
            except ValueError:
                pass
            break
    return p.returncode, result, cpu_s, rss_mb


def prepare_local(opt, local, logf):
    """The table, the put/get key space and the query partition, written once by the boto3 peer
    (not timed); then a warm-up of DynamoDB Local's JIT for every local scenario."""
    endpoint = f"http://127.0.0.1:{local['port']}"
    peer = ["/usr/bin/python3", os.path.join(ROOT, "benchmarks", "peers", "boto3", "bench.py"),
            "--endpoint", endpoint, "--table", TABLE, "--concurrency", "16", "--quiet"]
    steps = [
        peer + ["--create-table", "--op", "put", "--requests", str(LOCAL_ITEMS), "--items", str(LOCAL_ITEMS),
                "--item-bytes", str(LOCAL_ITEM_BYTES)],
        peer + ["--op", "query", "--load", "--requests", "1", "--items", str(LOCAL_QUERY_ITEMS),
                "--item-bytes", str(LOCAL_QUERY_ITEM_BYTES)],
    ]
    warm = 2 if opt.quick else 4
    steps += [peer + ["--op", op, "--duration", str(warm), "--items", str(n), "--item-bytes", str(b)]
              for op, n, b in (("put", LOCAL_ITEMS, LOCAL_ITEM_BYTES), ("get", LOCAL_ITEMS, LOCAL_ITEM_BYTES),
                               ("query", LOCAL_QUERY_ITEMS, LOCAL_QUERY_ITEM_BYTES))]
    for cmd in steps:
        rc, res, _, _ = run_client(cmd, opt.client_cpu, 600, logf)
        if rc != 0 or res is None:
            raise SystemExit(f"compare: preparing DynamoDB Local failed ({' '.join(cmd[2:])}); see {logf.name}")


def run_all(opt, canned, local, logf):
    runs = []
    scs = scenarios(opt)
    total = sum(len(s.clients) * (1 if s.once else opt.reps) for s in scs)
    n = 0
    prepared = False
    for sc in scs:
        if sc.server == "local" and not prepared:
            log("preparing DynamoDB Local (table, items, query partition, warm-up)")
            prepare_local(opt, local, logf)
            prepared = True
        port = canned["port"] if sc.server == "canned" else local["port"]
        endpoint = f"http://127.0.0.1:{port}"
        for rep in range(1 if sc.once else opt.reps):
            for client in sc.clients:
                n += 1
                cmd = command(client, sc, endpoint)
                server_pids = nginx_workers(canned["master"]) if sc.server == "canned" else [local["pid"]]
                load0 = os.getloadavg()[0]
                s0, t0 = proc_cpu_seconds(server_pids), time.monotonic()
                timeout = (sc.duration or 0) + (600 if sc.requests else 120)
                rc, res, cpu, rss = run_client(cmd, opt.client_cpu, timeout, logf)
                wall = time.monotonic() - t0
                server_cpu = proc_cpu_seconds(server_pids) - s0
                if res is not None and res.get("cpu_seconds") is None and cpu is not None:  # wrk
                    res["cpu_seconds"] = round(cpu, 6)
                    res["peak_rss_mb"] = round(rss, 1)
                summary = "no result" if res is None else \
                    f"{res['ops_per_sec']:.0f} ops/s, {res['items_per_sec']:.0f} items/s, p50 {res['latency_ms']['p50']} ms"
                if res is not None and res.get("errors"):
                    summary += f", errors {res['errors']}"
                log(f"[{n}/{total}] {sc.name} {NAMES[client]} rep {rep + 1}: {summary} (exit {rc})")
                runs.append({"scenario": sc.name, "server": sc.server, "client": NAMES[client], "rep": rep + 1,
                             "command": cmd, "exit": rc, "result": res, "wall_seconds": round(wall, 3),
                             "server_cpu_seconds": round(server_cpu, 3), "loadavg_before": load0})
    return scs, runs


# ------------------------------------------------------------------------------------------------
# Summaries

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def medians(runs):
    by = {}
    for r in runs:
        if r["result"] is None:
            continue
        by.setdefault((r["scenario"], r["client"]), []).append(r)
    out = {}
    for (sc, client), rs in by.items():
        res = [r["result"] for r in rs]
        ops = [x["ops"] for x in res]
        out[(sc, client)] = {
            "runs": len(rs),
            "ops_per_sec": med([x["ops_per_sec"] for x in res]),
            "items_per_sec": med([x["items_per_sec"] for x in res]),
            "bytes_per_sec": med([x["bytes_per_sec"] for x in res]),
            "p50": med([x["latency_ms"]["p50"] for x in res]),
            "p90": med([x["latency_ms"]["p90"] for x in res]),
            "p99": med([x["latency_ms"]["p99"] for x in res]),
            "cpu_us_per_op": med([x["cpu_seconds"] / o * 1e6 if o else None for x, o in zip(res, ops)]),
            "bytes_per_cpu_second": med([x["bytes_per_sec"] * x["seconds"] / x["cpu_seconds"]
                                         if x["cpu_seconds"] else None for x in res]),
            "client_cpu_share": med([x["cpu_seconds"] / x["seconds"] if x["seconds"] else None for x in res]),
            "server_cpu_us_per_op": med([r["server_cpu_seconds"] / x["ops"] * 1e6 if x["ops"] else None
                                         for r, x in zip(rs, res)]),
            "server_share": med([r["server_cpu_seconds"] / (r["server_cpu_seconds"] + x["cpu_seconds"])
                                 if (r["server_cpu_seconds"] + x["cpu_seconds"]) > 0 else None
                                 for r, x in zip(rs, res)]),
            "peak_rss_mb": med([x["peak_rss_mb"] for x in res]),
            "errors": sum(sum(x["errors"].values()) for x in res),
            "failed_runs": sum(1 for r in rs if r["exit"] != 0),
        }
    return out


def metric(sc):
    """What a scenario is compared by: items/s for Query (ddb-bench counts every Query call as an
    op, prefetched pages it then drops included; a pass is --items items for every client), else ops/s."""
    return "items_per_sec" if sc.op == "query" else "ops_per_sec"


def fmt(x, d=0):
    if x is None:
        return "–"
    if d == 0:
        return f"{x:,.0f}".replace(",", " ")
    return f"{x:.{d}f}"


def ratio(a, b, d=2):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.{d}f}"


def versions():
    def run(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            return (p.stdout + p.stderr).strip()
        except OSError:
            return ""
    v = {}
    try:
        v["js_sdk"] = json.load(open(os.path.join(ROOT, "benchmarks", "peers", "js", "node_modules", "@aws-sdk",
                                                  "client-dynamodb", "package.json")))["version"]
    except OSError:
        v["js_sdk"] = "?"
    v["node"] = run(["node", "--version"])
    v["boto3"] = run(["/usr/bin/python3", "-c", "import boto3, botocore; print(boto3.__version__, '/ botocore', botocore.__version__)"])
    v["wrk"] = (run(["wrk", "-v"]).splitlines() or ["?"])[0].split(" [")[0]
    v["nginx"] = run(["/usr/sbin/nginx", "-v"]).replace("nginx version: ", "")
    v["python"] = platform.python_version()
    v["ddb"] = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "src", "include",
                 "benchmarks/ddb-bench"])
    if dirty:
        v["ddb"] += " + uncommitted changes"
    try:
        built = datetime.datetime.fromtimestamp(os.stat(DDB_BENCH).st_mtime).strftime("%Y-%m-%d %H:%M")
        v["ddb"] += f"; ddb-bench built {built}"
    except OSError:
        pass
    v["java"] = (run(["java", "-version"]).splitlines() or ["?"])[0]
    return v


def machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": model, "memory": mem, "kernel": platform.release()}


# ------------------------------------------------------------------------------------------------
# Chart

def chart(opt, scs, m, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
        from matplotlib.patches import Patch
    except ImportError:
        log("no matplotlib: no chart")
        return False
    colors = {"ddb": "#d62728", "js-sdk-v3": "#1f77b4", "boto3": "#2ca02c", "wrk": "#7f7f7f"}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    gets = [s for s in scs if s.server == "canned" and s.op == "get"]
    for c in CLIENTS:
        name = NAMES[c]
        pts = [(s.concurrency, m[(s.name, name)]["ops_per_sec"]) for s in gets if (s.name, name) in m]
        if pts:
            ax1.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name, color=colors[name],
                     linestyle="--" if c == "wrk" else "-")
    ax1.set_xscale("log", base=2)
    ax1.set_xticks([s.concurrency for s in gets])
    ax1.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax1.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax1.set_yscale("log")
    ax1.set_xlabel("concurrency (requests in flight)")
    ax1.set_ylabel("GetItem per second (median)")
    ax1.set_title("canned GetItem: throughput, one client core")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend()
    c64 = next((s for s in gets if s.concurrency == 64), gets[-1] if gets else None)
    if c64 is not None:
        present = [NAMES[c] for c in CLIENTS if (c64.name, NAMES[c]) in m]
        width = 0.8 / 3
        for k, (pct, alpha) in enumerate((("p50", 1.0), ("p90", 0.65), ("p99", 0.35))):
            xs = [i + (k - 1) * width for i in range(len(present))]
            ys = [m[(c64.name, n)][pct] for n in present]
            ax2.bar(xs, ys, width, label=pct, color=[colors[n] for n in present], alpha=alpha,
                    edgecolor="black", linewidth=0.5)
        ax2.set_xticks(range(len(present)))
        ax2.set_xticklabels(present)
        ax2.set_yscale("log")
        ax2.set_ylabel("latency, ms (median of runs)")
        ax2.set_title(f"canned GetItem at concurrency {c64.concurrency}: p50 / p90 / p99")
        ax2.grid(True, axis="y", which="both", alpha=0.3)
        ax2.legend(handles=[Patch(facecolor="#555555", alpha=a, edgecolor="black", label=l)
                            for l, a in (("p50", 1.0), ("p90", 0.65), ("p99", 0.35))])
        for i, n in enumerate(present):
            ax2.annotate(f"{m[(c64.name, n)]['p50']:.3g}", (i - width, m[(c64.name, n)]["p50"]),
                         ha="center", va="bottom", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ------------------------------------------------------------------------------------------------
# BENCHMARKS.md

def markdown(opt, scs, m, meta, raw_name, png):
    L = []
    g = lambda sc, c, k: (m.get((sc, c)) or {}).get(k)
    sc_by = {s.name: s for s in scs}
    peers = [NAMES[c] for c in CLIENTS if c != "ddb"]
    L.append("<!-- compare:begin -->")
    L.append("## ddb against its peers: `benchmarks/compare`")
    L.append("")
    L.append("Generated by `benchmarks/compare` (this section is rewritten by it); reproduce with")
    L.append("")
    L.append("```sh")
    L.append(meta["command"])
    L.append("```")
    L.append("")
    mc = meta["machine"]
    v = meta["versions"]
    L.append(f"Measured {meta['date']} on {mc['nproc']} × {mc['cpu_model']} ({mc['memory']}, Linux {mc['kernel']}): "
             f"servers pinned to CPU {opt.server_cpu}, every client to CPU {opt.client_cpu} (`taskset`); "
             f"{opt.reps} repetition{'s' if opt.reps > 1 else ''} interleaved client by client, medians; "
             f"runs of {opt.duration:g} s (DynamoDB Local {opt.local_duration:g} s). "
             f"Load average before the runs: {meta['loadavg_range']} (other work shares this machine). "
             f"Clients: ddb-bench (ddb {v['ddb']}, Release, one I/O thread), AWS SDK for JavaScript v3 "
             f"`@aws-sdk/client-dynamodb` {v['js_sdk']} on Node {v['node']} (one thread, N async loops), "
             f"boto3 {v['boto3']} on Debian's Python {v['python']} (N threads, one client), "
             f"{v['wrk']} (one thread, N connections); servers {v['nginx']} (one worker, canned bodies) "
             f"and DynamoDB Local 2026-01-16 on {v['java']}. Raw results: "
             f"[`benchmarks/results/{raw_name}`](benchmarks/results/{raw_name}).")
    L.append("")
    if png:
        L.append("![canned GetItem throughput against concurrency, and latency percentiles at 64]"
                 f"(benchmarks/results/{png})")
        L.append("")

    # --- targets
    L.append("### Targets")
    L.append("")
    L.append("| target | measured | |")
    L.append("| --- | --- | --- |")

    def verdict(ok):
        return "–" if ok is None else ("**met**" if ok else "**missed**")
    for c in (64, 256, 8, 1):
        name = f"canned-get-c{c}"
        if g(name, "ddb", "ops_per_sec") and g(name, "wrk", "ops_per_sec"):
            r = g(name, "ddb", "ops_per_sec") / g(name, "wrk", "ops_per_sec")
            L.append(f"| GetItem ≥ 0.6 of wrk's req/s (canned, concurrency {c}) | "
                     f"{fmt(g(name, 'ddb', 'ops_per_sec'))} / {fmt(g(name, 'wrk', 'ops_per_sec'))} = **{r:.2f}** | "
                     f"{verdict(r >= 0.6)} |")
            break
    for c in (64, 256, 8, 1):
        name = f"canned-get-c{c}"
        x = g(name, "ddb", "cpu_us_per_op")
        if x is not None:
            w = g(name, "wrk", "cpu_us_per_op")
            ref = f" (wrk: {w:.1f} µs a request)" if w is not None else ""
            L.append(f"| client CPU per GetItem ≤ 10 µs (canned, concurrency {c}) | **{x:.1f} µs**{ref} | "
                     f"{verdict(x <= 10)} |")
            break
    bq = g("canned-query-10k", "ddb", "bytes_per_cpu_second")
    bw = g("canned-query-10k", "ddb", "bytes_per_sec")
    if bq is not None:
        L.append(f"| Query decode ≥ 1 GB/s (canned 1 MB pages: response bytes per second of client CPU; wall-clock "
                 f"rate in parentheses) | **{bq / 1e9:.2f} GB/s** ({bw / 1e9:.2f} GB/s) | {verdict(bq >= 1e9)} |")
    r1m, r10k = g("canned-query-1M", "ddb", "peak_rss_mb"), g("canned-query-10k", "ddb", "peak_rss_mb")
    if r1m is not None and r10k is not None:
        ok = r1m < 64 and r1m <= r10k * 1.1 + 2
        L.append(f"| query_prefix over 1M items: peak RSS < 64 MB, as over 10k | **{r1m:.1f} MB** over 1M, "
                 f"{r10k:.1f} MB over 10k | {verdict(ok)} |")
    local = [s for s in scs if s.server == "local" and len(s.clients) > 1]
    if local:
        worst, parts = None, []
        for s in local:
            d = g(s.name, "ddb", metric(s))
            for p in peers:
                x = g(s.name, p, metric(s))
                if d and x:
                    parts.append(f"{s.op} ÷ {p} {d / x:.2f}")
                    worst = d / x if worst is None else min(worst, d / x)
        if parts:
            L.append(f"| never slower than a peer against DynamoDB Local (ddb's ops/s ÷ the peer's, query: "
                     f"items/s; concurrency 16) | "
                     f"{', '.join(parts)} | {verdict(worst >= 1.0)} |")
    L.append("")

    # --- canned throughput
    canned = [s for s in scs if s.server == "canned"]
    present = [NAMES[c] for c in CLIENTS if any((s.name, NAMES[c]) in m for s in canned)]
    rpeers = [p for p in present if p != "ddb"]
    L.append("### Canned server: the client alone")
    L.append("")
    L.append("nginx answers every request from memory with a fixed body and its `x-amz-crc32` "
             "(`benchmarks/canned/canned-server.sh`), so these figures are the client's cost. "
             "Operations per second (Query: items per second, from pages of 1000 items, 1.07 MB), medians:")
    L.append("")
    head = "| scenario | " + " | ".join(present) + " | " + " | ".join(f"ddb ÷ {p}" for p in rpeers) + " |"
    L.append(head)
    L.append("| --- " * (1 + len(present) + len(rpeers)) + "|")
    for s in canned:
        k = metric(s)
        cells = [fmt(g(s.name, p, k), 1 if (g(s.name, p, k) or 100) < 100 else 0) for p in present]
        rs = [ratio(g(s.name, "ddb", k), g(s.name, p, k),
                    2 if p == "wrk" else 1) for p in rpeers]
        L.append(f"| {s.title} | " + " | ".join(cells) + " | " + " | ".join(rs) + " |")
    L.append("")
    L.append("Client CPU per operation (µs, `cpu_seconds ÷ ops`; wrk's from GNU `time`) and peak RSS (MB):")
    L.append("")
    L.append("| scenario | " + " | ".join(f"{p} µs/op" for p in present) + " | " +
             " | ".join(f"{p} RSS" for p in present) + " |")
    L.append("| --- " * (1 + 2 * len(present)) + "|")
    for s in canned:
        cells = [fmt(g(s.name, p, "cpu_us_per_op"), 1) for p in present]
        cells += [fmt(g(s.name, p, "peak_rss_mb"), 1) for p in present]
        L.append(f"| {s.title} | " + " | ".join(cells) + " |")
    L.append("")
    c64 = next((s for s in canned if s.op == "get" and s.concurrency == 64), None)
    if c64 is not None:
        L.append(f"Latency of canned GetItem at concurrency 64 (ms, median of runs):")
        L.append("")
        L.append("| client | p50 | p90 | p99 |")
        L.append("| --- | --- | --- | --- |")
        for p in present:
            if (c64.name, p) in m:
                L.append(f"| {p} | {fmt(g(c64.name, p, 'p50'), 3)} | {fmt(g(c64.name, p, 'p90'), 3)} | "
                         f"{fmt(g(c64.name, p, 'p99'), 3)} |")
        L.append("")
    qs = [s for s in canned if s.op == "query"]
    if qs:
        L.append("Query through 1 MB pages (items/s, response MB/s, MB per second of client CPU):")
        L.append("")
        L.append("| scenario | client | items/s | MB/s | MB/s of CPU | peak RSS MB |")
        L.append("| --- | --- | --- | --- | --- | --- |")
        for s in qs:
            for p in present:
                if (s.name, p) in m:
                    L.append(f"| {s.title} | {p} | {fmt(g(s.name, p, 'items_per_sec'))} | "
                             f"{fmt((g(s.name, p, 'bytes_per_sec') or 0) / 1e6)} | "
                             f"{fmt((g(s.name, p, 'bytes_per_cpu_second') or 0) / 1e6)} | "
                             f"{fmt(g(s.name, p, 'peak_rss_mb'), 1)} |")
        L.append("")
        L.append("These rates include the HTTP transfer and everything the client does per page; the parser alone "
                 "is in the micro-benchmarks above (`BM_parse_query_page_1MB`). The 1M-item pass runs once.")
        L.append("")

    # --- DynamoDB Local
    locs = [s for s in scs if s.server == "local"]
    if locs:
        L.append("### DynamoDB Local: end to end")
        L.append("")
        L.append(f"The same table in DynamoDB Local (in memory, Java, pinned to CPU {opt.server_cpu}); put/get over "
                 f"{LOCAL_ITEMS} items of {LOCAL_ITEM_BYTES} B, query over a partition of {LOCAL_QUERY_ITEMS} items of "
                 f"{LOCAL_QUERY_ITEM_BYTES} B (ops = Query calls; compared by items/s). Server CPU is DynamoDB Local's Java process "
                 "(`/proc/PID/stat` utime+stime) over each run; the server's share is server CPU ÷ (server + "
                 "client CPU). At concurrency 1 the client is idle for `1 − client CPU ÷ wall` of the time.")
        L.append("")
        L.append("| scenario | client | ops/s | items/s | ÷ ddb | p50 ms | p99 ms | client µs/op | server µs/op | "
                 "server's share of CPU | client CPU ÷ wall |")
        L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for s in locs:
            for c in s.clients:
                p = NAMES[c]
                if (s.name, p) not in m:
                    continue
                L.append(f"| {s.title} | {p} | {fmt(g(s.name, p, 'ops_per_sec'))} | "
                         f"{fmt(g(s.name, p, 'items_per_sec'))} | "
                         f"{ratio(g(s.name, p, metric(s)), g(s.name, 'ddb', metric(s)))} | "
                         f"{fmt(g(s.name, p, 'p50'), 2)} | {fmt(g(s.name, p, 'p99'), 2)} | "
                         f"{fmt(g(s.name, p, 'cpu_us_per_op'))} | {fmt(g(s.name, p, 'server_cpu_us_per_op'))} | "
                         f"{fmt((g(s.name, p, 'server_share') or 0) * 100)} % | "
                         f"{fmt((g(s.name, p, 'client_cpu_share') or 0) * 100)} % |")
        L.append("")
    bad = [f"{sc} {c}: {x['errors']} errors in {x['failed_runs']} run(s)" for (sc, c), x in m.items() if x["errors"]]
    if bad:
        L.append("Operations that failed: " + "; ".join(sorted(bad)) + ".")
        L.append("")
    L.append("<!-- compare:end -->")
    return "\n".join(L) + "\n"


def write_markdown(section):
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read()
    begin, end = "<!-- compare:begin -->", "<!-- compare:end -->"
    if begin in text and end in text:
        a = text.index(begin)
        b = text.index(end) + len(end)
        if b < len(text) and text[b] == "\n":
            b += 1
        text = text[:a] + section + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(path, "w").write(text)


# ------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(prog="benchmarks/compare", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one repetition, 2 s runs, concurrency 1 and 64")
    ap.add_argument("--reps", type=int, help="repetitions (default 3; --quick 1)")
    ap.add_argument("--duration", type=float, help="seconds per canned run (default 3; --quick 2)")
    ap.add_argument("--local-duration", type=float, help="seconds per DynamoDB Local run (default 5; --quick 3)")
    ap.add_argument("--clients", default=",".join(CLIENTS),
                    help="a subset of ddb,js,boto3,wrk; cb adds ddb-bench --api callback next to ddb")
    ap.add_argument("--no-local", action="store_true", help="canned server only")
    ap.add_argument("--no-md", action="store_true", help="do not rewrite BENCHMARKS.md")
    ap.add_argument("--no-build", action="store_true", help="use the ddb-bench already built")
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--base-bench", metavar="PATH",
                    help="also run this older ddb-bench right after ddb in every ddb scenario and print "
                         "new ÷ base; implies --no-md and leaves the chart alone")
    ap.add_argument("--render", metavar="RAW_JSON",
                    help="run nothing: redraw the chart and BENCHMARKS.md from benchmarks/results/RAW_JSON")
    ap.add_argument("--jar-dir", required=True, help=argparse.SUPPRESS)
    argv = sys.argv[1:]
    opt = ap.parse_args(argv)
    opt.reps = opt.reps or (1 if opt.quick else 3)
    opt.duration = opt.duration or (2 if opt.quick else 3)
    opt.local_duration = opt.local_duration or (3 if opt.quick else 5)
    opt.clients = [c.strip() for c in opt.clients.split(",") if c.strip()]
    if any(c not in CLIENTS + VARIANTS for c in opt.clients):
        ap.error("--clients takes ddb, js, boto3, wrk (and cb: ddb-bench --api callback)")
    if "ddb" in opt.clients and not os.access(DDB_BENCH, os.X_OK):
        ap.error(f"no {DDB_BENCH}: build it (cmake --preset bench && cmake --build build/bench --target ddb-bench) "
                 "or leave ddb out of --clients")
    if opt.base_bench:
        if not os.access(opt.base_bench, os.X_OK):
            ap.error(f"--base-bench {opt.base_bench}: not an executable")
        global BASE_BENCH
        BASE_BENCH = os.path.abspath(opt.base_bench)
        opt.no_md = True
    shown = [a for i, a in enumerate(argv) if a != "--jar-dir" and (i == 0 or argv[i - 1] != "--jar-dir")]
    command_line = " ".join(["benchmarks/compare"] + [shlex.quote(a) for a in shown])
    if opt.render:
        return render(opt, os.path.join(RESULTS, os.path.basename(opt.render)))

    # This driver sleeps on the server CPU, keeping the client CPU for the clients.
    try:
        os.sched_setaffinity(0, {opt.server_cpu})
    except OSError:
        pass
    os.makedirs(RESULTS, exist_ok=True)
    os.makedirs(STATE, exist_ok=True)
    log_path = os.path.join(STATE, "compare.log")
    started = datetime.datetime.now()
    with open(log_path, "w") as logf:
        canned = local = None
        try:
            canned, local = start_servers(opt)
            scs, runs = run_all(opt, canned, local, logf)
        finally:
            stop_servers(opt)
    m = medians(runs)
    loads = [r["loadavg_before"] for r in runs]
    meta = {
        "date": started.strftime("%Y-%m-%d %H:%M"),
        "command": command_line,
        "machine": machine(),
        "versions": versions(),
        "loadavg_range": f"{min(loads):.1f}–{max(loads):.1f}" if loads else "?",
        "options": {"reps": opt.reps, "duration": opt.duration, "local_duration": opt.local_duration,
                    "server_cpu": opt.server_cpu, "client_cpu": opt.client_cpu, "quick": opt.quick},
    }
    raw_name = started.strftime("%Y-%m-%d") + ("-quick" if opt.quick else "") + ("-base" if BASE_BENCH else "") + \
        ("-cb" if "cb" in opt.clients else "") + ".json"
    with open(os.path.join(RESULTS, raw_name), "w") as f:
        json.dump({**meta, "scenarios": [{"name": s.name, "title": s.title, "server": s.server, "op": s.op,
                                          "concurrency": s.concurrency, "args": s.args} for s in scs],
                   "medians": [{"scenario": k[0], "client": k[1], **v} for k, v in sorted(m.items())],
                   "runs": runs}, f, indent=1)
        f.write("\n")
    publish(opt, scs, m, meta, raw_name)
    if BASE_BENCH:
        base_summary(scs, m)
    if "cb" in opt.clients:
        variant_summary(scs, m, "cb")
    log(f"raw results: benchmarks/results/{raw_name}; log: {os.path.relpath(log_path, ROOT)}")


def base_summary(scs, m):
    """New ddb against the base build, each also against wrk where wrk ran: the regression check."""
    g = lambda sc, c, k: (m.get((sc.name, c)) or {}).get(k)
    print("\n| scenario | ddb | ddb-base | ddb ÷ base | ddb ÷ wrk | base ÷ wrk | ddb µs/op | base µs/op |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for s in scs:
        if "base" not in s.clients:
            continue
        k = metric(s)
        print(f"| {s.title} | {fmt(g(s, 'ddb', k))} | {fmt(g(s, 'ddb-base', k))} | "
              f"{ratio(g(s, 'ddb', k), g(s, 'ddb-base', k))} | {ratio(g(s, 'ddb', k), g(s, 'wrk', k))} | "
              f"{ratio(g(s, 'ddb-base', k), g(s, 'wrk', k))} | {fmt(g(s, 'ddb', 'cpu_us_per_op'), 1)} | "
              f"{fmt(g(s, 'ddb-base', 'cpu_us_per_op'), 1)} |")


def variant_summary(scs, m, variant):
    """A ddb-bench variant against plain ddb, scenario by scenario, in the same run."""
    g = lambda sc, c, k: (m.get((sc.name, c)) or {}).get(k)
    v = NAMES[variant]
    print(f"\n| scenario | ddb | {v} | {v} ÷ ddb | ddb µs/op | {v} µs/op |")
    print("| --- | --- | --- | --- | --- | --- |")
    for s in scs:
        if variant not in s.clients:
            continue
        k = metric(s)
        print(f"| {s.title} | {fmt(g(s, 'ddb', k))} | {fmt(g(s, v, k))} | {ratio(g(s, v, k), g(s, 'ddb', k))} | "
              f"{fmt(g(s, 'ddb', 'cpu_us_per_op'), 1)} | {fmt(g(s, v, 'cpu_us_per_op'), 1)} |")


def publish(opt, scs, m, meta, raw_name):
    png = "compare-quick.png" if opt.quick else "compare.png"
    # A --base-bench run is a regression check: it leaves the published chart alone.
    have_chart = not BASE_BENCH and chart(opt, scs, m, os.path.join(RESULTS, png))
    section = markdown(opt, scs, m, meta, raw_name, png if have_chart else None)
    if not opt.no_md:
        write_markdown(section)
        log("BENCHMARKS.md: compare section rewritten")
    sys.stdout.write(section)


def render(opt, path):
    raw = json.load(open(path))
    for k, v in raw["options"].items():
        setattr(opt, k, v)
    scs = []
    for d in raw["scenarios"]:
        sc = Scenario(d["name"], d["server"], d["op"], d["concurrency"], d["args"], [], title=d["title"])
        sc.clients = [c for c in CLIENTS if any(r["scenario"] == sc.name and r["client"] == NAMES[c]
                                                for r in raw["runs"])]
        scs.append(sc)
    meta = {k: raw[k] for k in ("date", "command", "machine", "versions", "loadavg_range", "options")}
    publish(opt, scs, medians(raw["runs"]), meta, os.path.basename(path))


if __name__ == "__main__":
    main()
