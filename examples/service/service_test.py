#!/usr/bin/env python3
"""example.service: starts example_service on a free port against DynamoDB Local (the CTest
fixture's, $DDB_LOCAL_STATE/port), exercises every route and its error paths, pages through a
group's members with cursors, checks /metrics, then sends SIGTERM and expects exit 0.

    service_test.py path/to/example_service
"""
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


class Client:
    """One keep-alive connection (the service must serve many requests on it)."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, raw=None, headers=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        h = {"Content-Type": "application/json"} if data is not None else {}
        h.update(headers or {})
        self.conn.request(method, path, body=data, headers=h)
        r = self.conn.getresponse()
        text = r.read().decode()
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        ctype = r.getheader("Content-Type", "")
        parsed = json.loads(text) if ctype.startswith("application/json") and text else text
        return r.status, parsed, r

    def expect(self, method, path, status, body=None, error=None, raw=None, headers=None):
        got, parsed, r = self.call(method, path, body, raw, headers)
        check(got == status, f"{method} {path}: status {got}, expected {status}: {parsed}")
        if error is not None:
            check(isinstance(parsed, dict) and parsed.get("error") == error and parsed.get("message"),
                  f"{method} {path}: error {parsed}, expected {error!r} with a message")
        return parsed, r


def read_line(proc, deadline):
    """The service's first stdout line, within the deadline."""
    while time.time() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            return proc.stdout.readline()
        if proc.poll() is not None:
            return ""
    return ""


def parse_metrics(text):
    """{'name{labels}': value} of every sample; checks each line is valid exposition format."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            check(not line or re.match(r"# (HELP|TYPE) \w+ ", line), f"metrics comment: {line!r}")
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$', line)
        check(m is not None, f"metrics line: {line!r}")
        if m:
            samples[m.group(1)] = float(m.group(2))
    return samples


def main():
    exe = sys.argv[1]
    state = os.environ["DDB_LOCAL_STATE"]
    with open(os.path.join(state, "port")) as f:
        ddb_port = f.read().strip()
    env = dict(os.environ)
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        env.pop(k, None)
    # DynamoDB Local checks no signature: any keys do, through the default chain's environment.
    env.update(AWS_ACCESS_KEY_ID="AKIDLOCAL", AWS_SECRET_ACCESS_KEY="secret", AWS_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true")
    table = f"svc_test_{os.getpid()}"
    started = time.time()
    proc = subprocess.Popen(
        [exe, "--endpoint", f"http://127.0.0.1:{ddb_port}", "--table", table, "--create-table",
         "--port", "0", "--threads", "2"],
        stdout=subprocess.PIPE, env=env, text=True)
    try:
        line = read_line(proc, time.time() + 60)
        m = re.match(r"listening on 127\.0\.0\.1:(\d+)$", line.strip())
        if not m:
            print("FAIL: no 'listening on' line:", repr(line))
            proc.kill()
            return 1
        port = int(m.group(1))
        print(f"service on port {port}, table {table}", flush=True)
        exercise(port)
        idle = Client(port)  # an idle keep-alive connection must not hold up shutdown
        idle.expect("GET", "/healthz", 200)

        proc.send_signal(signal.SIGTERM)
        t0 = time.time()
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            check(False, "no exit within 10 s of SIGTERM")
        check(proc.returncode == 0, f"exit status {proc.returncode} after SIGTERM")
        check("stopped" in out, f"no 'stopped' line: {out!r}")
        print(f"exited {proc.returncode} {time.time() - t0:.2f} s after SIGTERM", flush=True)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    print(f"{'FAILED' if failures else 'passed'} in {time.time() - started:.1f} s "
          f"({len(failures)} failure(s))")
    return 1 if failures else 0


def exercise(port):
    c = Client(port)

    # Health, unknown routes, wrong methods.
    body, _ = c.expect("GET", "/healthz", 200)
    check(body == {"status": "ok"}, f"healthz body {body}")
    c.expect("GET", "/nope", 404, error="not_found")
    c.expect("GET", "/users/alice/nope", 404, error="not_found")
    _, r = c.expect("DELETE", "/users", 405, error="method_not_allowed")
    check(r.getheader("Allow") == "POST", f"Allow header {r.getheader('Allow')!r}")
    c.expect("POST", "/groups/1/members", 405, error="method_not_allowed")
    c.expect("GET", "/groups/1/members/alice", 405, error="method_not_allowed")
    c.expect("POST", "/healthz", 405, error="method_not_allowed")
    c.expect("POST", "/metrics", 405, error="method_not_allowed")

    # Users.
    body, r = c.expect("POST", "/users", 201, {"name": "alice", "email": "alice@example.com"})
    check(body == {"name": "alice", "email": "alice@example.com"}, f"created user {body}")
    check(r.getheader("Location") == "/users/alice", "Location of the new user")
    c.expect("POST", "/users", 409, {"name": "alice", "email": "other@example.com"}, error="user_exists")
    for name in ("bob", "carol"):
        c.expect("POST", "/users", 201, {"name": name, "email": f"{name}@example.com"})
    c.expect("POST", "/users", 400, raw="{not json", error="invalid_json")
    c.expect("POST", "/users", 400, raw="[1,2]", error="invalid_json")
    c.expect("POST", "/users", 400, {"name": "dave"}, error="invalid_field")
    c.expect("POST", "/users", 400, {"name": 7, "email": "x@y"}, error="invalid_field")
    c.expect("POST", "/users", 400, {"name": "da ve", "email": "d@example.com"}, error="invalid_field")
    c.expect("POST", "/users", 400, {"name": "d#v", "email": "d@example.com"}, error="invalid_field")
    c.expect("POST", "/users", 400, {"name": "x" * 65, "email": "d@example.com"}, error="invalid_field")
    c.expect("POST", "/users", 400, {"name": "dave", "email": "nope"}, error="invalid_field")
    c.expect("POST", "/users", 413, raw=json.dumps({"name": "big", "email": "a@b", "pad": "x" * 100000}),
             error="body_too_large")
    body, _ = c.expect("GET", "/users/alice", 200)
    check(body.get("name") == "alice" and body.get("email") == "alice@example.com" and body.get("created"),
          f"GET user {body}")
    c.expect("GET", "/users/nobody", 404, error="user_not_found")
    c.expect("GET", "/users/bad%20name", 400, error="invalid_path")

    # Groups.
    for gid, name in (("1", "One"), ("2", "Two"), ("3", "Three")):
        body, _ = c.expect("POST", "/groups", 201, {"id": gid, "name": name})
        check(body == {"id": gid, "name": name}, f"created group {body}")
    c.expect("POST", "/groups", 409, {"id": "1", "name": "Again"}, error="group_exists")
    c.expect("POST", "/groups", 400, {"id": "4"}, error="invalid_field")
    c.expect("POST", "/groups", 400, {"id": "", "name": "Empty"}, error="invalid_field")
    body, _ = c.expect("GET", "/groups/2", 200)
    check(body.get("id") == "2" and body.get("name") == "Two", f"GET group {body}")
    c.expect("GET", "/groups/nope", 404, error="group_not_found")

    # Memberships: the transaction checks both ends exist and the membership does not.
    body, _ = c.expect("PUT", "/groups/1/members/alice", 201)
    check(body == {"group": "1", "user": "alice"}, f"PUT membership {body}")
    c.expect("PUT", "/groups/1/members/alice", 409, error="already_member")
    body, _ = c.expect("PUT", "/groups/1/members/nobody", 404, error="user_not_found")
    check(isinstance(body.get("reasons"), list) and body["reasons"], f"reasons in {body}")
    c.expect("PUT", "/groups/nope/members/alice", 404, error="group_not_found")
    c.expect("PUT", "/groups/1/members/bad%23name", 400, error="invalid_path")
    c.expect("PUT", "/groups/2/members/alice", 201)
    c.expect("PUT", "/groups/2/members/bob", 201)

    # A user's groups.
    body, _ = c.expect("GET", "/users/alice/groups", 200)
    check([g["id"] for g in body.get("groups", [])] == ["1", "2"], f"alice's groups {body}")
    check(all(g.get("joined") for g in body.get("groups", [])), "groups have a joined time")
    body, _ = c.expect("GET", "/users/carol/groups", 200)
    check(body.get("groups") == [], f"carol's groups {body}")
    c.expect("GET", "/users/nobody/groups", 404, error="user_not_found")

    # A group's members, page by page with cursors: 9 members, pages of 4 and 3.
    members = ["alice", "bob"]
    for i in range(7):
        name = f"m{i:02d}"
        c.expect("POST", "/users", 201, {"name": name, "email": f"{name}@example.com"})
        c.expect("PUT", f"/groups/2/members/{name}", 201)
        members.append(name)
    for limit, expect_pages in ((4, 3), (3, 3)):
        seen, cursor, pages = [], None, 0
        while True:
            q = {"limit": str(limit)}
            if cursor:
                q["cursor"] = cursor
            body, _ = c.expect("GET", "/groups/2/members?" + urllib.parse.urlencode(q), 200)
            pages += 1
            page = [m["name"] for m in body.get("members", [])]
            check(len(page) <= limit, f"page of {len(page)} over limit {limit}")
            seen += page
            cursor = body.get("next_cursor")
            if not cursor or pages > 10:
                break
            check(isinstance(cursor, str) and cursor.startswith("c1."), f"cursor {cursor!r}")
        check(seen == sorted(members), f"members with limit {limit}: {seen}")
        check(pages >= expect_pages, f"{pages} pages with limit {limit}")
    body, _ = c.expect("GET", "/groups/2/members", 200)
    check(len(body.get("members", [])) == 9 and body.get("next_cursor") is None, f"one default page: {body}")
    body, _ = c.expect("GET", "/groups/3/members", 200)
    check(body == {"group": "3", "members": [], "next_cursor": None}, f"empty group {body}")
    c.expect("GET", "/groups/nope/members", 404, error="group_not_found")
    c.expect("GET", "/groups/2/members?limit=0", 400, error="invalid_parameter")
    c.expect("GET", "/groups/2/members?limit=abc", 400, error="invalid_parameter")
    c.expect("GET", "/groups/2/members?limit=1000", 400, error="invalid_parameter")
    c.expect("GET", "/groups/2/members?cursor=garbage", 400, error="invalid_cursor")
    body, _ = c.expect("GET", "/groups/2/members?limit=2", 200)
    other = urllib.parse.quote(body["next_cursor"], safe="")
    c.expect("GET", f"/groups/1/members?cursor={other}", 400, error="invalid_cursor")

    # Atomic moves.
    body, _ = c.expect("POST", "/users/alice/move", 200, {"from": "1", "to": "3"})
    check(body == {"user": "alice", "from": "1", "to": "3"}, f"move {body}")
    body, _ = c.expect("GET", "/users/alice/groups", 200)
    check([g["id"] for g in body.get("groups", [])] == ["2", "3"], f"alice's groups after the move {body}")
    body, _ = c.expect("GET", "/groups/3/members", 200)
    check([m["name"] for m in body.get("members", [])] == ["alice"], f"group 3 after the move {body}")
    c.expect("POST", "/users/alice/move", 404, {"from": "1", "to": "3"}, error="not_member")
    c.expect("POST", "/users/alice/move", 409, {"from": "2", "to": "3"}, error="already_member")
    c.expect("POST", "/users/bob/move", 404, {"from": "2", "to": "nope"}, error="group_not_found")
    c.expect("POST", "/users/bob/move", 400, {"from": "2", "to": "2"}, error="invalid_field")
    c.expect("POST", "/users/bob/move", 400, {"from": "2"}, error="invalid_field")
    c.expect("POST", "/users/bob/move", 400, raw="nope", error="invalid_json")
    body, _ = c.expect("GET", "/users/bob/groups", 200)
    check([g["id"] for g in body.get("groups", [])] == ["2"], f"a failed move changes nothing: {body}")

    # Leaving a group.
    _, r = c.expect("DELETE", "/groups/3/members/alice", 204)
    c.expect("DELETE", "/groups/3/members/alice", 404, error="not_member")

    # An unreadable request: 400, and the connection is closed.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        reply = s.recv(4096).decode(errors="replace")
        check(reply.startswith("HTTP/1.1 400"), f"garbage request got {reply[:60]!r}")

    # Metrics: the series exist and counted what happened above.
    status, text, r = c.call("GET", "/metrics")
    check(status == 200 and r.getheader("Content-Type", "").startswith("text/plain"), "metrics status")
    m = parse_metrics(text)

    def at_least(key, n=1):
        check(m.get(key, 0) >= n, f"metric {key} = {m.get(key)}, expected >= {n}")

    for op in ("PutItem", "GetItem", "Query", "DeleteItem", "TransactWriteItems"):
        at_least(f'ddb_operations_total{{operation="{op}"}}')
        at_least(f'ddb_operation_attempts_total{{operation="{op}"}}')
        check(f'ddb_operation_retries_total{{operation="{op}"}}' in m, f"retries of {op}")
        at_least(f'ddb_operation_duration_seconds_count{{operation="{op}"}}')
        at_least(f'ddb_operation_duration_seconds_bucket{{operation="{op}",le="+Inf"}}')
        at_least(f'ddb_operation_response_bytes_total{{operation="{op}"}}')
        at_least(f'ddb_operation_request_bytes_total{{operation="{op}"}}')
    for op in ("PutItem", "Query", "TransactWriteItems"):  # DynamoDB Local reports what they cost
        check(m.get(f'ddb_operation_consumed_capacity_units_total{{operation="{op}"}}', 0) > 0,
              f"consumed capacity of {op}")
    at_least('ddb_operations_total{operation="CreateTable"}', 0)  # made by the setup client: not counted
    at_least('ddb_operation_errors_total{operation="PutItem",error="conditional_check_failed"}')
    at_least('ddb_operation_errors_total{operation="DeleteItem",error="conditional_check_failed"}')
    at_least('ddb_operation_errors_total{operation="TransactWriteItems",error="transaction_canceled"}')
    at_least('ddb_operation_responses_total{operation="PutItem",status="2xx"}')
    at_least('ddb_operation_responses_total{operation="PutItem",status="4xx"}')
    for g in ("ddb_pool_open_connections", "ddb_pool_idle_connections", "ddb_pool_opening_connections",
              "ddb_pool_waiting_callers"):
        for t in ("0", "1"):
            check(f'{g}{{thread="{t}"}}' in m, f"gauge {g} of thread {t}")
    check(sum(v for k, v in m.items() if k.startswith("ddb_pool_open_connections")) >= 1, "an open connection")
    for route, code in (("users", 201), ("users", 409), ("users", 400), ("unknown", 413), ("user", 200),
                        ("user", 404), ("groups", 201), ("group", 200), ("membership", 201),
                        ("membership", 204), ("membership", 404), ("user_groups", 200),
                        ("group_members", 200), ("group_members", 400), ("user_move", 200),
                        ("user_move", 409), ("healthz", 200), ("unknown", 404), ("unknown", 400),
                        ("users", 405)):
        at_least(f'http_requests_total{{route="{route}",status="{code}"}}')
    at_least('http_request_duration_seconds_count{route="group_members"}', 8)
    at_least('http_response_bytes_total{route="group_members"}', 100)
    at_least("http_connections_accepted_total", 2)
    at_least("http_connections_open", 1)

    # Several connections at once (they spread over the threads); all answer.
    conns = [Client(port) for _ in range(6)]
    for cl in conns:
        cl.expect("GET", "/users/bob/groups", 200)


if __name__ == "__main__":
    sys.exit(main())
