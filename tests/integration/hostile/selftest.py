#!/usr/bin/env python3
"""Checks every hostile_server.py mode on the wire, through hostile.sh (standard library only).

    selftest.py [--ddblocal-state DIR]

Starts a fresh server per scenario, talks to it over raw sockets (keep-alive, several requests per
connection, several connections), checks the bytes it sends, stops it and checks that it stopped
on SIGTERM by itself. auth_proxy is checked against a dead port and a fake upstream run here;
--ddblocal-state DIR (a running ddblocal.sh fixture) adds a pass-through check against DynamoDB
Local. Prints "N passed, M failed" and exits 1 if anything failed.
"""
import argparse
import concurrent.futures
import contextlib
import datetime
import email.utils
import json
import os
import re
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SH = os.path.join(HERE, "hostile.sh")
AMZ_DATE = "%Y%m%dT%H%M%SZ"
IMF_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|"
                    r"Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")
ROOT = None  # made by main(): every state dir of the run is under it
passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}" + (f": {detail}" if detail else ""), flush=True)
    return cond


def eq(got, want, what):
    return check(got == want, what, f"got {got!r}, want {want!r}")


def amz(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(AMZ_DATE)


def from_amz(s):
    return datetime.datetime.strptime(s, AMZ_DATE).replace(tzinfo=datetime.timezone.utc).timestamp()


def request(op, body=None, date=None, token=None, akid="AKIDEXAMPLE", close=False, no_date=False):
    body = json.dumps({"TableName": "t", "Key": {"PK": {"S": "k"}}} if body is None
                      else body).encode()
    date = date or amz(time.time())
    h = [b"POST / HTTP/1.1", b"Host: 127.0.0.1", b"Content-Type: application/x-amz-json-1.0",
         b"X-Amz-Target: DynamoDB_20120810." + op.encode()]
    if not no_date:
        h.append(b"X-Amz-Date: " + date.encode())
    if token:
        h.append(b"X-Amz-Security-Token: " + token.encode())
    h.append(b"Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/dynamodb/aws4_request, "
             b"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=%s"
             % (akid.encode(), date[:8].encode(), b"0" * 64))
    h.append(b"Content-Length: %d" % len(body))
    if close:
        h.append(b"Connection: close")
    return b"\r\n".join(h) + b"\r\n\r\n" + body


class Resp:
    def __init__(self, head, body):
        self.raw = head + body
        lines = head[:-4].decode("latin-1").split("\r\n")
        version, status, self.reason = (lines[0].split(" ", 2) + [""])[:3]
        self.status = int(status)
        self.headers = [(k.strip().lower(), v.strip()) for k, _, v in
                        (line.partition(":") for line in lines[1:])]
        self.body = body

    def header(self, name):
        values = [v for k, v in self.headers if k == name.lower()]
        return values[0] if len(values) == 1 else None if not values else values

    def json(self):
        return json.loads(self.body)


class Wire:
    """A raw client connection with its own read buffer."""

    def __init__(self, port, timeout=5):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.eof = False
        self.recv_sizes = []

    def send(self, data):
        self.s.sendall(data)

    def fill(self):
        data = self.s.recv(1 << 20)
        self.recv_sizes.append(len(data))
        if not data:
            self.eof = True
        self.buf += data
        return bool(data)

    def read_until(self, marker, limit=1 << 16):
        while marker not in self.buf:
            if len(self.buf) > limit:
                raise ValueError(f"no {marker!r} in {limit} bytes")
            if not self.fill():
                raise EOFError(f"EOF before {marker!r}; have {self.buf[:200]!r}")
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_exact(self, n):
        while len(self.buf) < n:
            if not self.fill():
                raise EOFError(f"EOF with {len(self.buf)} of {n} bytes")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_response(self, limit=1 << 16):
        head = self.read_until(b"\r\n\r\n", limit)
        r = Resp(head, b"")
        r.body = self.read_exact(int(r.header("content-length") or 0))
        r.raw = head + r.body
        return r

    def pending(self, wait=0.3):
        """Whatever else arrives within `wait` seconds (the buffer included), and whether
        the server closed the connection meanwhile."""
        deadline = time.monotonic() + wait
        try:
            while (left := deadline - time.monotonic()) > 0:
                self.s.settimeout(left)
                if not self.fill():
                    break
        except socket.timeout:
            pass
        finally:
            self.s.settimeout(5)
        out, self.buf = self.buf, b""
        return out, self.eof

    def close(self):
        self.s.close()


def check_dynamo(r, what, now=None, chunked=False):
    """The headers every response with a body carries; Date near `now` (default: real now)."""
    check(r.header("x-amzn-requestid") not in (None, ""), f"{what}: x-amzn-RequestId")
    eq(r.header("content-type"), "application/x-amz-json-1.0", f"{what}: Content-Type")
    if not chunked:
        eq(r.header("x-amz-crc32"), str(zlib.crc32(r.body)), f"{what}: x-amz-crc32")
        eq(r.header("content-length"), str(len(r.body)), f"{what}: Content-Length")
    date = r.header("date")
    if check(isinstance(date, str) and IMF_RE.match(date), f"{what}: Date is IMF-fixdate", date):
        t = email.utils.parsedate_to_datetime(date).timestamp()
        want = time.time() if now is None else now
        check(abs(t - want) < 5, f"{what}: Date is the server's clock", f"{date} vs {amz(want)}")


def item(r):
    try:
        return r.json()["Item"]["PK"]["S"]
    except (ValueError, KeyError, TypeError):
        return None


class Server:
    def __init__(self, port, pid, state):
        self.port, self.pid, self.state = port, pid, state

    def stats(self):
        w = Wire(self.port)
        w.send(b"GET /_stats HTTP/1.1\r\nHost: x\r\n\r\n")
        r = w.read_response()
        w.close()
        return r.json()

    def wait_stats(self, pred, timeout=5):
        deadline = time.time() + timeout
        while True:
            st = self.stats()
            if pred(st) or time.time() > deadline:
                return st
            time.sleep(0.05)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@contextlib.contextmanager
def server(mode, *args):
    state = tempfile.mkdtemp(prefix=f"{mode}-", dir=ROOT)
    r = subprocess.run(["bash", SH, "start", state, mode, *map(str, args)],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"hostile.sh start {mode} failed: {r.stderr}")
    srv = Server(int(open(os.path.join(state, "port")).read()),
                 int(open(os.path.join(state, "pid")).read()), state)
    try:
        yield srv
    finally:
        t0 = time.time()
        subprocess.run(["bash", SH, "stop", state], timeout=30)
        log = open(os.path.join(state, "log")).read()
        check(not alive(srv.pid), f"{mode}: process gone after stop")
        # "stopped" is logged only on the SIGTERM path: a kill -9 would not have written it.
        check("stopped" in log and time.time() - t0 < 4, f"{mode}: stopped by itself on SIGTERM",
              log[-300:])
        check("Traceback" not in log, f"{mode}: no traceback in the log", log[-1000:])
        check(not os.path.exists(os.path.join(state, "port")), f"{mode}: port file removed")


# ---------------------------------------------------------------------------------------------

def test_normal():
    with server("normal") as srv:
        def client(i):
            w = Wire(srv.port)
            got = []
            for _ in range(10):
                w.send(request("GetItem"))
                r = w.read_response()
                got.append(item(r))
                if i == 0:
                    check_dynamo(r, "normal GetItem")
            w.send(request("PutItem"))
            r = w.read_response()
            w.close()
            return got, r.body
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            results = list(ex.map(client, range(16)))
        ns = [n for got, _ in results for n in got]
        eq(len(set(ns)), 160, "normal: 160 distinct GetItem counters over 16 connections")
        check(all(n.isdigit() for n in ns), "normal: counters are numbers")
        check(all(body == b"{}" for _, body in results), "normal: PutItem answers {}")
        st = srv.wait_stats(lambda s: s["open_connections"] == 1)
        eq(st["requests"], 176, "normal: stats requests")
        eq(st["operations"], {"GetItem": 160, "PutItem": 16}, "normal: stats operations")
        eq(st["responses"], {"normal": 176}, "normal: stats responses")
        check(st["connections"] >= 17, "normal: stats connections", st["connections"])
        eq(st["open_connections"], 1, "normal: only the stats connection is open")
        # Malformed requests get a 400 (or 501) and a close.
        w = Wire(srv.port)
        w.send(b"NONSENSE\r\n\r\n")
        r = w.read_response()
        eq(r.status, 400, "normal: bad request line -> 400")
        check(w.pending()[1], "normal: closed after a bad request")
        w = Wire(srv.port)
        w.send(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        eq(w.read_response().status, 501, "normal: chunked request -> 501")
        # Connection: close is honoured.
        w = Wire(srv.port)
        w.send(request("GetItem", close=True))
        r = w.read_response()
        eq(r.header("connection"), "close", "normal: Connection: close echoed")
        check(w.pending()[1], "normal: closed after Connection: close")


def test_extra_response():
    with server("extra_response") as srv:
        w = Wire(srv.port)
        w.send(request("GetItem"))
        r = w.read_response()
        eq(item(r), "1", "extra_response: first answer is request 1's")
        check_dynamo(r, "extra_response first")
        # One write: the stale answer is already buffered along with the real one.
        check(b"\r\n\r\n" in w.buf and len(w.buf) > 100, "extra_response: stale answer arrived "
              "in the same read", w.buf)
        rest, eof = w.pending()
        w.buf = rest
        stale = w.read_response()
        eq(stale.status, 200, "extra_response: stale status")
        eq(item(stale), "stale-1", "extra_response: stale body")
        check_dynamo(stale, "extra_response stale")
        eq(w.buf, b"", "extra_response: nothing after the stale answer")
        check(not eof, "extra_response: connection kept open")
        w.close()  # what a correct client does
        w = Wire(srv.port)
        w.send(request("GetItem"))
        eq(item(w.read_response()), "2", "extra_response: new connection gets its own answer")
        # A client that ignores the leftover and reuses the connection reads the stale answer
        # as its next request's.
        w.send(request("PutItem"))
        eq(item(w.read_response()), "stale-2", "extra_response: reused connection reads stale")
        r = w.read_response()
        eq(r.body, b"{}", "extra_response: PutItem answer")
        eq(item(w.read_response()), "stale-3", "extra_response: PutItem's stale answer")
        w.close()

        def one(_):
            c = Wire(srv.port)
            c.send(request("GetItem"))
            a, b = item(c.read_response()), item(c.read_response())
            c.close()
            return a, b
        with concurrent.futures.ThreadPoolExecutor(10) as ex:
            pairs = list(ex.map(one, range(10)))
        check(all(b == "stale-" + a for a, b in pairs), "extra_response: concurrent pairs", pairs)
        eq(len({a for a, _ in pairs}), 10, "extra_response: concurrent counters distinct")
        st = srv.stats()
        eq(st["requests"], 13, "extra_response: stats requests")
        eq(st["responses"], {"extra_response": 13}, "extra_response: stats responses")
        eq(st["requests_after_leftover"], 1, "extra_response: stats requests_after_leftover")


def test_late_garbage():
    with server("late_garbage", "--late-ms", 100) as srv:
        w = Wire(srv.port)
        for i in (1, 2):
            w.send(request("GetItem"))
            r = w.read_response()
            check_dynamo(r, f"late_garbage #{i}")
            eq(r.body, b'{"Item":{"PK":{"S":"%d"}}}' % i, f"late_garbage #{i}: body")
            eq(w.buf, b"", f"late_garbage #{i}: nothing with the response")
            rest, eof = w.pending(wait=0.5)
            eq(rest, b"XYZ\r\n", f"late_garbage #{i}: garbage after the pause")
            check(not eof, f"late_garbage #{i}: connection kept open")
        st = srv.stats()
        eq(st["responses"], {"late_garbage": 2}, "late_garbage: stats responses")
        eq(st["requests_after_leftover"], 1, "late_garbage: stats requests_after_leftover")


def test_garbage_after():
    with server("garbage_after") as srv:
        w = Wire(srv.port)
        for i, op in enumerate(("GetItem", "PutItem", "GetItem"), 1):
            w.send(request(op))
            r = w.read_response()
            check_dynamo(r, f"garbage_after #{i}")
            eq(r.body, b'{"Item":{"PK":{"S":"%d"}}}' % i if op == "GetItem" else b"{}",
               f"garbage_after #{i}: body")
            rest, eof = w.pending()
            eq(rest, b"XYZ\r\n", f"garbage_after #{i}: garbage after the response")
            check(not eof, f"garbage_after #{i}: connection kept open")
        st = srv.stats()
        eq(st["responses"], {"garbage_after": 3}, "garbage_after: stats responses")
        eq(st["requests_after_leftover"], 2, "garbage_after: stats requests_after_leftover")


def test_continue_100():
    with server("continue_100") as srv:
        w = Wire(srv.port)
        for n in range(1, 5):
            w.send(request("GetItem"))
            first = w.read_until(b"\r\n\r\n")
            eq(first, b"HTTP/1.1 100 Continue\r\n\r\n", f"continue_100 #{n}: 100 first")
            if n % 2 == 0:
                eq(w.read_until(b"\r\n\r\n"), b"HTTP/1.1 102 Processing\r\n\r\n",
                   f"continue_100 #{n}: then 102")
            r = w.read_response()
            eq((r.status, item(r)), (200, str(n)), f"continue_100 #{n}: final 200")
            check_dynamo(r, f"continue_100 #{n}")
            eq(w.pending(0.1), (b"", False), f"continue_100 #{n}: nothing else, still open")
        # Four requests take more reads than messages only if 1xx and 200 came apart.
        check(len(w.recv_sizes) >= 8, "continue_100: interim and final responses arrive apart",
              w.recv_sizes)
        st = srv.stats()
        eq(st["responses"], {"continue_100": 2, "continue_100_102": 2}, "continue_100: stats")


def test_endless_chunked():
    with server("endless_chunked") as srv:
        w = Wire(srv.port)
        w.send(request("GetItem"))
        head = w.read_until(b"\r\n\r\n")
        r = Resp(head, b"")
        eq((r.status, r.header("transfer-encoding")), (200, "chunked"), "endless: chunked 200")
        check(r.header("content-length") is None, "endless: no Content-Length")
        check_dynamo(r, "endless head", chunked=True)
        total, ok, first = 0, True, None
        while total < 8 * 1024 * 1024:
            size = w.read_until(b"\r\n")
            ok &= size == b"10000\r\n"
            data = w.read_exact(65536)
            first = first or data
            ok &= w.read_exact(2) == b"\r\n"
            total += 65536
        check(ok, "endless: 64 KiB chunks, correctly framed, for 8 MiB")
        check(first.startswith(b'{"Item":{"PK":{"S":"1"}},"Filler":[') and
              first.rstrip(b" ").endswith(b"["), "endless: first chunk", first[:60])
        eq(r.header("x-amz-crc32"), str(zlib.crc32(first)), "endless: crc32 of the first chunk")
        w.close()
        st = srv.wait_stats(lambda s: s["streams_ended"] == 1)
        eq((st["streams_active"], st["streams_ended"]), (0, 1), "endless: stops when client goes")
        check(st["stream_bytes"] >= total, "endless: stats stream_bytes", st["stream_bytes"])
        # Clients that read a little, or nothing, then go; one that stops reading but stays.
        ws = [Wire(srv.port) for _ in range(4)]
        for c in ws:
            c.send(request("GetItem"))
        for c in ws[:2]:
            c.read_exact(1 << 20)
        for c in ws[:3]:
            c.close()
        st = srv.wait_stats(lambda s: s["streams_ended"] == 4 and s["streams_active"] == 1)
        eq((st["streams_active"], st["streams_ended"]), (1, 4), "endless: concurrent streams end")
        eq(st["aborted_by_client"], 4, "endless: stats aborted_by_client")
    ws[3].close()  # the server was stopped with this stream blocked on a full socket


def test_many_headers():
    with server("many_headers") as srv:
        w = Wire(srv.port)
        w.send(request("GetItem"))
        head = w.read_until(b"\r\n\r\n", limit=4 << 20)
        lines = head[:-4].split(b"\r\n")
        eq(lines[0], b"HTTP/1.1 200 OK", "many_headers: status line")
        filler = lines[1:10001]
        check(all(l == b"X-Filler-%d: %s" % (i, b"f" * 50) for i, l in enumerate(filler)),
              "many_headers: 10000 X-Filler-<i> lines of 50 chars first")
        r = Resp(b"\r\n".join([lines[0]] + lines[10001:]) + b"\r\n\r\n", b"")
        r.body = w.read_exact(int(r.header("content-length")))
        eq(item(r), "1", "many_headers: body")
        check_dynamo(r, "many_headers")
        eq(r.header("connection"), "close", "many_headers: Connection: close")
        eq(w.pending(), (b"", True), "many_headers: closed after writing")
        eq(srv.stats()["responses"], {"many_headers": 1}, "many_headers: stats")


def test_trickle():
    with server("trickle", "--trickle-interval-ms", 5) as srv:
        w = Wire(srv.port)
        for n in (1, 2):
            w.recv_sizes.clear()
            t0 = time.time()
            w.send(request("GetItem"))
            r = w.read_response()
            eq(item(r), str(n), f"trickle #{n}: valid response, keep-alive")
            check_dynamo(r, f"trickle #{n}")
            check(max(w.recv_sizes) <= 2 and len(w.recv_sizes) >= len(r.raw) * 0.8,
                  f"trickle #{n}: one byte at a time", w.recv_sizes)
            check(time.time() - t0 >= len(r.raw) * 0.005, f"trickle #{n}: paced")
        eq(srv.stats()["responses"], {"trickle": 2}, "trickle: stats")
    with server("trickle") as srv:  # the default pace: one byte per second
        w = Wire(srv.port)
        w.send(request("GetItem"))
        got, eof = w.pending(2.5)
        check(got.startswith(b"HT") and 2 <= len(got) <= 3 and not eof,
              "trickle: default is one byte per second", got)
        w.close()
        st = srv.wait_stats(lambda s: s["aborted_by_client"] == 1)
        eq(st["aborted_by_client"], 1, "trickle: stops when the client goes")


def test_hang():
    with server("hang") as srv:
        a = Wire(srv.port)
        a.send(request("GetItem"))
        eq(a.pending(1.5), (b"", False), "hang: no answer, connection open")
        a.send(request("PutItem"))  # a second request on the same connection is read too
        b = Wire(srv.port)  # as a credentials endpoint
        b.send(b"PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
               b"X-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\n\r\n")
        c = Wire(srv.port)
        c.send(b"GET /creds HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\n\r\n")
        eq(b.pending(0.5), (b"", False), "hang: credentials PUT gets no answer")
        eq(c.pending(0.1), (b"", False), "hang: credentials GET gets no answer")
        st = srv.wait_stats(lambda s: s["requests"] == 4)
        eq(st["requests"], 4, "hang: stats requests")
        eq(st["responses"], {"hang": 4}, "hang: stats responses")
        eq(st["open_connections"], 4, "hang: stats open_connections")
        a.close()
        st = srv.wait_stats(lambda s: s["open_connections"] == 3)
        eq(st["open_connections"], 3, "hang: closes when the client closes")
    # b and c were open when the server got SIGTERM (checked by server()).
    eq(b.pending(0.5)[1], True, "hang: open connections closed on SIGTERM")
    b.close()
    c.close()


def test_reset_after_request():
    with server("reset_after_request", "--every", 2) as srv:
        for n in (1, 3):
            w = Wire(srv.port)
            w.send(request("GetItem"))
            eq(item(w.read_response()), str(n), f"reset --every 2: request {n} answered")
            req = request("GetItem")
            i = req.index(b"\r\n\r\n") + 4
            w.send(req[:i + 3])  # the head and part of the body: not yet a whole request
            eq(w.pending(0.3), (b"", False), f"reset --every 2: waits for request {n + 1}'s body")
            w.send(req[i + 3:])
            try:
                got = w.pending(2)
                check(False, f"reset --every 2: request {n + 1} gets an RST", got)
            except ConnectionResetError:
                check(True, "")
            w.close()
        st = srv.stats()
        eq(st["responses"], {"normal": 2, "reset": 2}, "reset --every 2: stats")
    with server("reset_after_request") as srv:
        w = Wire(srv.port)
        w.send(request("PutItem"))
        try:
            check(False, "reset: default resets every request", w.pending(2))
        except ConnectionResetError:
            check(True, "")


def test_close_after_partial():
    with server("close_after_partial", "--every", 2) as srv:
        w = Wire(srv.port)
        w.send(request("GetItem"))
        eq(item(w.read_response()), "1", "close_after_partial: request 1 answered")
        w.send(request("GetItem"))
        got, eof = w.pending(1)
        check(re.fullmatch(rb"HTTP/1\.1 200 OK\r\nx-amzn-RequestId: [A-Z2-7]{52}\r\n"
                           rb"x-amz-crc32: \d+\r\n", got), "close_after_partial: status line and "
              "half the headers", got)
        check(eof, "close_after_partial: then a FIN")
        st = srv.stats()
        eq(st["responses"], {"normal": 1, "close_after_partial": 1}, "close_after_partial: stats")


# auth_proxy ----------------------------------------------------------------------------------

EXPIRED = ("com.amazon.coral.service#ExpiredTokenException",
           "The security token included in the request is expired")
UNRECOGNIZED = ("com.amazon.coral.service#UnrecognizedClientException",
                "The security token included in the request is invalid.")


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def error_of(r):
    try:
        d = r.json()
        return d["__type"], d.get("message", d.get("Message"))  # DynamoDB Local: "Message"
    except (ValueError, KeyError):
        return None


def check_skew_message(r, what, sent, skewed, sign):
    word = {"-": ("Signature expired", "is now earlier than"),
            "+": ("Signature not yet current", "is still later than")}[sign]
    err = error_of(r) or ("", "")
    eq((r.status, err[0]), (400, "com.amazon.coral.service#InvalidSignatureException"),
       f"{what}: 400 InvalidSignatureException")
    m = re.fullmatch(rf"{word[0]}: (\S+) {word[1]} (\S+) \((\S+) \{sign} 5 min\.\)", err[1])
    if check(m, f"{what}: message format", err[1]):
        eq(m.group(1), sent, f"{what}: names the request's X-Amz-Date")
        now = from_amz(m.group(3))
        check(abs(now - skewed) < 3, f"{what}: names the skewed clock", m.group(3))
        eq(from_amz(m.group(2)), now + (300 if sign == "+" else -300), f"{what}: 5 minutes off")


def test_auth_proxy_rejections():
    skew = 3600
    with server("auth_proxy", dead_port(), "--skew-seconds", skew, "--expired-token", "TOK1",
                "--expired-token", "TOK2", "--unrecognized-key", "AKIDBAD") as srv:
        w = Wire(srv.port)  # every request on one connection: rejections keep it alive
        real = time.time()
        sent = amz(real)
        w.send(request("GetItem", date=sent))
        r = w.read_response()
        check_skew_message(r, "auth_proxy expired", sent, real + skew, "-")
        check_dynamo(r, "auth_proxy expired", now=real + skew)
        sent = amz(time.time() + skew + 400)
        w.send(request("GetItem", date=sent))
        check_skew_message(w.read_response(), "auth_proxy future", sent, time.time() + skew, "+")
        for off, rejected in ((-290, False), (290, False), (-320, True), (320, True)):
            w.send(request("PutItem", date=amz(time.time() + skew + off)))
            r = w.read_response()
            eq(r.status, 400 if rejected else 502, f"auth_proxy skew {off:+}s: "
               f"{'rejected' if rejected else 'forwarded'}")
        ok = amz(time.time() + skew)
        for token in ("TOK1", "TOK2"):
            w.send(request("GetItem", date=ok, token=token))
            r = w.read_response()
            eq((r.status, error_of(r)), (400, EXPIRED), f"auth_proxy expired token {token}")
            check_dynamo(r, "auth_proxy expired token", now=time.time() + skew)
        w.send(request("GetItem", date=ok, akid="AKIDBAD"))
        r = w.read_response()
        eq((r.status, error_of(r)), (400, UNRECOGNIZED), "auth_proxy unrecognized key")
        check_dynamo(r, "auth_proxy unrecognized key", now=time.time() + skew)
        w.send(request("GetItem", no_date=True))
        r = w.read_response()
        eq((r.status, (error_of(r) or ("",))[0]),
           (400, "com.amazon.coral.service#IncompleteSignatureException"),
           "auth_proxy missing X-Amz-Date")
        w.send(request("GetItem", date=ok, token="TOK-FINE"))
        r = w.read_response()
        eq((r.status, (error_of(r) or ("",))[0]), (502, "com.amazon.coral.service#InternalFailure"),
           "auth_proxy accepted request, dead upstream: 502")
        check_dynamo(r, "auth_proxy 502", now=time.time() + skew)
        eq(w.pending(0.1), (b"", False), "auth_proxy: connection alive after every error")
        st = srv.stats()  # answered by the proxy itself: the upstream is dead
        eq(st["rejections"], {"signature_expired": 2, "signature_not_yet_current": 2,
                              "incomplete_signature": 1, "expired_token": 2,
                              "unrecognized_client": 1}, "auth_proxy: stats rejections")
        eq((st["forwarded"], st["upstream_errors"], st["requests"]), (0, 3, 11),
           "auth_proxy: stats forwarded, upstream_errors, requests")
    with server("auth_proxy", dead_port(), "--skew-seconds", -3600) as srv:
        w = Wire(srv.port)
        sent = amz(time.time())
        w.send(request("GetItem", date=sent))
        r = w.read_response()
        check_skew_message(r, "auth_proxy slow clock", sent, time.time() - 3600, "+")
        check_dynamo(r, "auth_proxy slow clock", now=time.time() - 3600)


class FakeUpstream(socketserver.ThreadingTCPServer):
    """Stands in for DynamoDB Local; answers by operation, in the ways an upstream may frame."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeHandler)
        self.received = []  # (upstream connection number, raw request bytes)
        self.conns = 0
        self.lock = threading.Lock()


class FakeHandler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        with srv.lock:
            srv.conns += 1
            cid = srv.conns
        w = Wire.__new__(Wire)
        w.s, w.buf, w.eof, w.recv_sizes = self.request, b"", False, []
        self.request.settimeout(10)
        try:
            while True:
                try:
                    head = w.read_until(b"\r\n\r\n")
                except EOFError:
                    return
                fields = dict(line.split(b": ", 1) for line in head[:-4].split(b"\r\n")[1:])
                raw = head + w.read_exact(int(fields.get(b"Content-Length", 0)))
                with srv.lock:
                    srv.received.append((cid, raw))
                op = fields.get(b"X-Amz-Target", b"").decode().rsplit(".", 1)[-1]
                body = b'{"TableNames":["%d"]}' % cid
                plain = (b"HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2001 00:00:00 GMT\r\n"
                         b"Content-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: UP%d\r\n"
                         % cid)
                if op == "DescribeTable":  # chunked, with an interim response first
                    out = (b"HTTP/1.1 100 Continue\r\n\r\n" + plain +
                           b"Transfer-Encoding: chunked\r\n\r\n5\r\n" + body[:5] + b"\r\n" +
                           b"%x\r\n" % (len(body) - 5) + body[5:] + b"\r\n0\r\n\r\n")
                elif op == "PutItem":  # carries its own crc and closes the connection
                    out = (plain + b"x-amz-crc32: %d\r\nConnection: close\r\n"
                           b"Content-Length: %d\r\n\r\n" % (zlib.crc32(body), len(body)) + body)
                elif op == "Scan":  # an error without a crc, like DynamoDB Local's
                    body = (b'{"__type":"com.amazonaws.dynamodb.v20120810#'
                            b'ResourceNotFoundException","message":"no table"}')
                    out = plain.replace(b"200 OK", b"400 Bad Request") + \
                        b"Content-Length: %d\r\n\r\n" % len(body) + body
                else:
                    out = plain + b"Content-Length: %d\r\n\r\n" % len(body) + body
                self.request.sendall(out)
                if op == "PutItem":
                    return
        except (OSError, EOFError):
            pass


def test_auth_proxy_forwarding():
    up = FakeUpstream()
    threading.Thread(target=up.serve_forever, daemon=True).start()
    skew = 120
    try:
        with server("auth_proxy", up.server_address[1], "--skew-seconds", skew) as srv:
            w = Wire(srv.port)
            sent = []
            for op in ("ListTables", "DescribeTable", "Scan", "PutItem", "ListTables"):
                req = request(op, date=amz(time.time() + skew))
                sent.append(req)
                w.send(req)
                r = w.read_response()
                what = f"auth_proxy forward {op}"
                eq(r.status, 400 if op == "Scan" else 200, f"{what}: status")
                check_dynamo(r, what, now=time.time() + skew)
                check(r.header("transfer-encoding") is None, f"{what}: re-framed, no chunked")
                check(r.header("x-amzn-requestid", ).startswith("UP"),
                      f"{what}: upstream's x-amzn-RequestId kept", r.header("x-amzn-requestid"))
                check(r.header("connection") is None, f"{what}: client connection stays open")
                if op != "Scan":
                    check(r.body.startswith(b'{"TableNames":["'), f"{what}: upstream body", r.body)
            eq(w.pending(0.1), (b"", False), "auth_proxy forward: client connection alive")
            w2 = Wire(srv.port)
            req = request("ListTables", date=amz(time.time() + skew))
            sent.append(req)
            w2.send(req)
            eq(w2.read_response().status, 200, "auth_proxy forward: second client connection")
            eq([raw for _, raw in up.received], sent, "auth_proxy forward: request bytes as is")
            eq([cid for cid, _ in up.received], [1, 1, 1, 1, 2, 3],
               "auth_proxy forward: one keep-alive upstream per client connection, "
               "reconnected after the upstream closed")
            st = srv.stats()
            eq((st["forwarded"], st["upstream_errors"]), (6, 0), "auth_proxy forward: stats")
            eq(st["responses"], {"forwarded": 6}, "auth_proxy forward: stats responses")
    finally:
        up.shutdown()
        up.server_close()


def test_auth_proxy_ddblocal(ddb_state):
    with server("auth_proxy", ddb_state, "--expired-token", "TOKX") as srv:
        w = Wire(srv.port)
        w.send(request("ListTables", body={}))
        r = w.read_response()
        check(r.status == 200, "auth_proxy ddblocal: ListTables passes", r.raw)
        check_dynamo(r, "auth_proxy ddblocal ListTables")
        check("TableNames" in r.json(), "auth_proxy ddblocal: ListTables body", r.body)
        w.send(request("GetItem", body={"TableName": "no-such-table", "Key": {"PK": {"S": "a"}}}))
        r = w.read_response()
        eq((r.status, (error_of(r) or ("",))[0].rsplit("#", 1)[-1]),
           (400, "ResourceNotFoundException"), "auth_proxy ddblocal: upstream error relayed")
        check_dynamo(r, "auth_proxy ddblocal error (crc added)")
        check(b"\r\nServer: Jetty" in r.raw, "auth_proxy ddblocal: header names relayed as spelt")
        w.send(request("ListTables", body={}, token="TOKX"))
        eq(error_of(w.read_response()), EXPIRED, "auth_proxy ddblocal: expired token")
        w.send(request("ListTables", body={}))
        eq(w.read_response().status, 200, "auth_proxy ddblocal: keep-alive after a rejection")
        eq(srv.stats()["forwarded"], 3, "auth_proxy ddblocal: stats forwarded")


def test_sigterm_direct():
    """SIGTERM sent straight to the server, with a stream blocked on a full socket."""
    state = tempfile.mkdtemp(prefix="sigterm-", dir=ROOT)
    subprocess.run(["bash", SH, "start", state, "endless_chunked"], check=True,
                   capture_output=True, timeout=30)
    pid = int(open(os.path.join(state, "pid")).read())
    port = int(open(os.path.join(state, "port")).read())
    w = Wire(port)
    w.send(request("GetItem"))
    w.read_exact(1000)
    time.sleep(0.3)
    os.kill(pid, 15)
    deadline = time.time() + 3
    while alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    check(not alive(pid), "SIGTERM: server exits within 3 s by itself")
    w.close()
    subprocess.run(["bash", SH, "stop", state], check=True, timeout=30)


def test_watch_pid():
    """--watch-pid: the server ends by itself when the process that started it dies."""
    owner = subprocess.Popen(["sleep", "60"])
    state = tempfile.mkdtemp(prefix="watch-", dir=ROOT)
    try:
        subprocess.run(["bash", SH, "start", state, "hang", "--watch-pid", str(owner.pid)],
                       check=True, capture_output=True, timeout=30)
        pid = int(open(os.path.join(state, "pid")).read())
        w = Wire(int(open(os.path.join(state, "port")).read()))
        w.send(request("GetItem"))
        time.sleep(1)
        check(alive(pid), "watch-pid: runs while the watched process lives")
        owner.kill()
        owner.wait()
        deadline = time.time() + 3
        while alive(pid) and time.time() < deadline:
            time.sleep(0.05)
        check(not alive(pid), "watch-pid: exits once the watched process is gone")
        check("watched process gone" in open(os.path.join(state, "log")).read(),
              "watch-pid: logged why it stopped")
        w.close()
    finally:
        owner.kill()
        subprocess.run(["bash", SH, "stop", state], timeout=30)


def our_processes():
    pids = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                cmd = open(f"/proc/{p}/cmdline", "rb").read()
            except OSError:
                continue
            if b"hostile_server.py" in cmd and ROOT.encode() in cmd:
                pids.append(int(p))
    return pids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ddblocal-state", help="a running ddblocal.sh fixture's STATE_DIR")
    args = ap.parse_args()
    global ROOT
    ROOT = tempfile.mkdtemp(prefix="hostile-selftest-")
    tests = [test_normal, test_extra_response, test_garbage_after, test_late_garbage, test_continue_100,
             test_endless_chunked, test_many_headers, test_trickle, test_hang,
             test_reset_after_request, test_close_after_partial, test_auth_proxy_rejections,
             test_auth_proxy_forwarding, test_sigterm_direct, test_watch_pid]
    if args.ddblocal_state:
        ddb_state = os.path.abspath(args.ddblocal_state)
        tests.append(lambda: test_auth_proxy_ddblocal(ddb_state))
        tests[-1].__name__ = "test_auth_proxy_ddblocal"
    for t in tests:
        t0 = time.time()
        before = failed
        try:
            t()
        except Exception:
            check(False, f"{getattr(t, '__name__', 'test')} raised", traceback.format_exc())
        print(f"{'ok  ' if failed == before else 'FAIL'} {getattr(t, '__name__', 'test')} "
              f"({time.time() - t0:.1f}s)", flush=True)
    check(not our_processes(), "no hostile_server.py process left", our_processes())
    print(f"{passed} passed, {failed} failed")
    if failed == 0:
        subprocess.run(["rm", "-rf", ROOT])
    else:
        print(f"state dirs and logs kept in {ROOT}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
