#!/usr/bin/env python3
"""A hostile HTTP/1.1 server for ddb's client tests: it misbehaves on purpose (standard library only).

    hostile_server.py MODE [--state-dir DIR] [--port 0] [mode options]

Listens on 127.0.0.1 (port 0 = the kernel picks one) and writes the bound port to DIR/listen_port
once it listens. Serves HTTP/1.1 keep-alive, many requests per connection and many connections at
once; GET /_stats is always answered (correctly) with JSON counters. MODE picks the misbehaviour;
see README.md. Stops by itself on SIGTERM or SIGINT, open connections included.
"""
import argparse
import asyncio
import base64
import datetime
import email.utils
import json
import os
import re
import signal
import socket
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from http_wire import HeaderLookup, HttpError, parse_headers, read_head  # noqa: E402

MODES = ("normal", "extra_response", "garbage_after", "late_garbage", "continue_100", "endless_chunked",
         "many_headers", "trickle", "hang", "auth_proxy", "reset_after_request",
         "close_after_partial")
CONTENT_TYPE = b"application/x-amz-json-1.0"
HEADER_LIMIT = 64 * 1024
BODY_LIMIT = 32 * 1024 * 1024
SDK_HEADERS_KEPT = 100
AMZ_DATE = "%Y%m%dT%H%M%SZ"
SKEW_LIMIT = 300  # AWS accepts a request whose X-Amz-Date is within 5 minutes of its clock
CHUNK = 64 * 1024
# Never relayed from the upstream as is: the proxy frames the body itself and owns Date.
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"te",
              b"trailer", b"upgrade", b"content-length", b"date"}
CREDENTIAL_RE = re.compile(rb"Credential=([^/,\s]+)/")

REJECTIONS = {
    "signature_expired": "com.amazon.coral.service#InvalidSignatureException",
    "signature_not_yet_current": "com.amazon.coral.service#InvalidSignatureException",
    "incomplete_signature": "com.amazon.coral.service#IncompleteSignatureException",
    "expired_token": "com.amazon.coral.service#ExpiredTokenException",
    "unrecognized_client": "com.amazon.coral.service#UnrecognizedClientException",
}


BadRequest = HttpError  # a malformed request: answered with its status, then the connection closes


class Request(HeaderLookup):
    __slots__ = ("raw_head", "method", "path", "version", "headers", "body")

    @property
    def wants_close(self):
        conn = self.tokens("connection")
        return b"close" in conn or (self.version == b"HTTP/1.0" and b"keep-alive" not in conn)

    @property
    def operation(self):
        return (self.header("x-amz-target") or b"").decode("latin-1").rsplit(".", 1)[-1]


def content_length(headers):
    values = {v for k, v in headers if k.lower() == b"content-length"}
    if not values:
        return None
    if len(values) > 1 or not all(v.isdigit() for v in values):
        raise BadRequest(400, "Bad Request")
    return int(values.pop())


async def read_request(reader):
    head = await read_head(reader)
    if head is None:
        return None
    lines = head[:-4].split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        raise BadRequest(400, "Bad Request")
    req = Request()
    req.raw_head = head
    req.method, req.path, req.version = parts
    req.headers = parse_headers(lines[1:])
    if req.header("transfer-encoding") is not None:
        raise BadRequest(501, "Not Implemented")  # ddb always sends Content-Length
    n = content_length(req.headers) or 0
    if n > BODY_LIMIT:
        raise BadRequest(413, "Content Too Large")
    req.body = await reader.readexactly(n)
    return req


def http_date(ts):
    return email.utils.formatdate(ts, usegmt=True).encode()  # IMF-fixdate, locale independent


def amz_date(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(AMZ_DATE)


def request_id():
    return base64.b32encode(os.urandom(35)).decode()[:52]  # shaped like DynamoDB's ids


def json_bytes(doc):
    return json.dumps(doc, separators=(",", ":")).encode()


def head_lines(status, reason, body, now, close=False, chunked=False):
    """Status line and header lines of a DynamoDB-shaped response (no trailing blank line)."""
    lines = [b"HTTP/1.1 %d %s" % (status, reason.encode()),
             b"x-amzn-RequestId: " + request_id().encode(),
             b"x-amz-crc32: %d" % zlib.crc32(body),
             b"Content-Type: " + CONTENT_TYPE,
             b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % len(body),
             b"Date: " + http_date(now)]
    if close:
        lines.append(b"Connection: close")
    return lines


def response(status, reason, body, now, close=False):
    return b"\r\n".join(head_lines(status, reason, body, now, close)) + b"\r\n\r\n" + body


def canned_body(req, n):
    """GetItem names the request it answers, so a client can tell answers apart."""
    if req.operation == "GetItem":
        return json_bytes({"Item": {"PK": {"S": str(n)}}})
    return b"{}"


class Upstream:
    """One keep-alive connection to the upstream, owned by one client connection."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, raw):
        """Sends the request bytes and returns (status line, headers, body) of the final
        response. Retries once on a fresh connection, only when a reused one failed before
        any response byte came (the upstream may have closed it while idle)."""
        for attempt in (0, 1):
            reused = self.writer is not None
            if not reused:
                self.reader, self.writer = await asyncio.open_connection(
                    "127.0.0.1", self.port, limit=HEADER_LIMIT)
            got_bytes = False
            try:
                self.writer.write(raw)
                await self.writer.drain()
                while True:
                    head = await read_head(self.reader)
                    if head is None:
                        raise ConnectionResetError("upstream closed the connection")
                    got_bytes = True
                    lines = head[:-4].split(b"\r\n")
                    parts = lines[0].split(b" ", 2)
                    status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0
                    if status == 0:
                        raise BadRequest(502, "Bad Gateway")
                    headers = parse_headers(lines[1:])
                    if status < 200:
                        continue  # interim response
                    body, close = await self.read_body(status, headers)
                    if close:
                        self.close()
                    return lines[0], headers, body
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 0 and reused and not got_bytes:
                    continue
                raise
            except BaseException:
                self.close()
                raise

    async def read_body(self, status, headers):
        tokens = lambda name: {t.strip().lower() for k, v in headers if k.lower() == name
                               for t in v.split(b",")}
        close = b"close" in tokens(b"connection")
        if status in (204, 304):
            return b"", close
        if b"chunked" in tokens(b"transfer-encoding"):
            parts = []
            while True:
                n = int((await self.reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                if n == 0:
                    while await self.reader.readuntil(b"\r\n") != b"\r\n":
                        pass  # trailers
                    return b"".join(parts), close
                parts.append(await self.reader.readexactly(n))
                await self.reader.readexactly(2)
        n = content_length(headers)
        if n is not None:
            return await self.reader.readexactly(n), close
        return await self.reader.read(), True  # delimited by the upstream's close


class Conn:
    __slots__ = ("id", "reader", "writer", "leftover", "upstream")

    def __init__(self, cid, reader, writer, upstream_port):
        self.id, self.reader, self.writer = cid, reader, writer
        self.leftover = False  # bytes past a response were sent: a correct client closes
        self.upstream = Upstream(upstream_port) if upstream_port else None

    def gone(self):
        return self.writer.is_closing() or self.reader.at_eof()

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()


class Server:
    def __init__(self, args):
        self.args = args
        self.mode = args.mode
        self.n = 0
        self.conn_ids = 0
        self.tasks = set()  # strong references: the event loop keeps only weak ones
        self.stats = {
            "mode": self.mode, "requests": 0, "connections": 0, "open_connections": 0,
            "stats_requests": 0, "bad_requests": 0, "operations": {}, "responses": {},
            "rejections": {k: 0 for k in REJECTIONS}, "forwarded": 0, "upstream_errors": 0,
            "requests_after_leftover": 0, "aborted_by_client": 0,
            "streams_active": 0, "streams_ended": 0, "stream_bytes": 0,
            "sdk_headers": [],  # the last SDK_HEADERS_KEPT requests' retry headers, oldest first
        }

    def now(self):
        return time.time() + self.args.skew_seconds

    def count(self, kind, key="responses"):
        d = self.stats[key]
        d[kind] = d.get(kind, 0) + 1

    def log(self, msg):
        print(f"hostile_server: {msg}", flush=True)

    async def handle(self, reader, writer):
        self.conn_ids += 1
        conn = Conn(self.conn_ids, reader, writer, self.args.upstream_port)
        task = asyncio.current_task()
        self.tasks.add(task)
        self.stats["connections"] += 1
        self.stats["open_connections"] += 1
        try:
            await self.serve(conn)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass  # the client went away
        except BadRequest as e:
            self.stats["bad_requests"] += 1
            body = json_bytes({"__type": "com.amazon.coral.service#SerializationException",
                               "message": str(e)})
            try:
                await conn.send(response(e.status, e.reason, body, self.now(), close=True))
            except (ConnectionError, OSError):
                pass
        except asyncio.CancelledError:
            pass  # shutting down
        except Exception as e:  # one broken connection must not take the server down
            self.log(f"conn {conn.id}: {type(e).__name__}: {e}")
        finally:
            self.stats["open_connections"] -= 1
            if conn.upstream:
                conn.upstream.close()
            writer.close()
            self.tasks.discard(task)

    async def serve(self, conn):
        handler = getattr(self, "mode_" + self.mode)
        while True:
            req = await read_request(conn.reader)
            if req is None:
                return
            if req.method == b"GET" and req.path == b"/_stats":
                self.stats["stats_requests"] += 1
                await conn.send(response(200, "OK", json_bytes(self.stats), self.now(),
                                         req.wants_close))
            else:
                self.n += 1
                n = self.n  # self.n moves on while this request's answer is written
                self.stats["requests"] += 1
                self.count(req.operation or req.method.decode("latin-1"), "operations")
                if conn.leftover:
                    self.stats["requests_after_leftover"] += 1
                self.record_sdk_headers(req, n)
                kind = await handler(conn, req, n)
                self.count(kind)
                self.log(f"#{n} conn {conn.id} {req.method.decode('latin-1')} "
                         f"{req.operation or req.path.decode('latin-1')} -> {kind}")
                if kind in ("many_headers", "reset", "close_after_partial", "aborted"):
                    return
            if req.wants_close:
                return

    def record_sdk_headers(self, req, n):
        """Kept so a test can check that the attempts of one operation share an invocation id."""
        kept = self.stats["sdk_headers"]
        kept.append({"n": n,
                     "invocation_id": (req.header("amz-sdk-invocation-id") or b"").decode("latin-1"),
                     "request": (req.header("amz-sdk-request") or b"").decode("latin-1")})
        del kept[:-SDK_HEADERS_KEPT]

    # Each mode answers one request and returns the kind of answer (counted in /_stats).

    async def mode_normal(self, conn, req, n):
        await conn.send(response(200, "OK", canned_body(req, n), self.now(), req.wants_close))
        return "normal"

    async def mode_extra_response(self, conn, req, n):
        stale = json_bytes({"Item": {"PK": {"S": f"stale-{n}"}}})
        # One write, so the stale answer sits in the client's buffer with the real one.
        await conn.send(response(200, "OK", canned_body(req, n), self.now()) +
                        response(200, "OK", stale, self.now()))
        conn.leftover = True
        return "extra_response"

    async def mode_garbage_after(self, conn, req, n):
        await conn.send(response(200, "OK", canned_body(req, n), self.now()) + b"XYZ\r\n")
        conn.leftover = True
        return "garbage_after"

    async def mode_late_garbage(self, conn, req, n):
        await conn.send(response(200, "OK", canned_body(req, n), self.now()))
        # Later, on its own: it reaches a client that has finished reading the answer.
        await asyncio.sleep(self.args.late_ms / 1000)
        await conn.send(b"XYZ\r\n")
        conn.leftover = True
        return "late_garbage"

    async def mode_continue_100(self, conn, req, n):
        interim = b"HTTP/1.1 100 Continue\r\n\r\n"
        if n % 2 == 0:
            interim += b"HTTP/1.1 102 Processing\r\n\r\n"
        await conn.send(interim)
        # A pause, so the interim and final responses usually arrive in separate reads.
        await asyncio.sleep(self.args.interim_delay_ms / 1000)
        await conn.send(response(200, "OK", canned_body(req, n), self.now(), req.wants_close))
        return "continue_100_102" if n % 2 == 0 else "continue_100"

    async def mode_endless_chunked(self, conn, req, n):
        # Valid JSON so far, padded with whitespace forever: only a body limit stops a client.
        start = b'{"Item":{"PK":{"S":"' + str(n).encode() + b'"}},"Filler":['
        first = start + b" " * (CHUNK - len(start))
        rest = b" " * CHUNK
        frame = lambda data: b"%x\r\n" % len(data) + data + b"\r\n"
        self.stats["streams_active"] += 1
        try:
            # x-amz-crc32 cannot cover an endless body; it covers the first chunk.
            head = head_lines(200, "OK", first, self.now(), chunked=True)
            await conn.send(b"\r\n".join(head) + b"\r\n\r\n" + frame(first))
            self.stats["stream_bytes"] += len(first)
            data = frame(rest)
            while not conn.gone():
                await conn.send(data)
                self.stats["stream_bytes"] += CHUNK
        except (ConnectionError, OSError):
            pass
        finally:
            self.stats["streams_active"] -= 1
            self.stats["streams_ended"] += 1
        self.stats["aborted_by_client"] += 1
        return "aborted"

    async def mode_many_headers(self, conn, req, n):
        body = canned_body(req, n)
        lines = head_lines(200, "OK", body, self.now(), close=True)
        value = b"f" * 50
        filler = [b"X-Filler-%d: %s" % (i, value) for i in range(self.args.header_count)]
        await conn.send(b"\r\n".join(lines[:1] + filler + lines[1:]) + b"\r\n\r\n" + body)
        return "many_headers"

    async def mode_trickle(self, conn, req, n):
        data = response(200, "OK", canned_body(req, n), self.now(), req.wants_close)
        for i in range(len(data)):
            await asyncio.sleep(self.args.trickle_interval_ms / 1000)
            if conn.gone():
                self.stats["aborted_by_client"] += 1
                return "aborted"
            await conn.send(data[i:i + 1])
        return "trickle"

    async def mode_hang(self, conn, req, n):
        # Never answers: the next read_request waits for more requests or the client's close.
        return "hang"

    def nth(self, n):
        return n % self.args.every == 0

    async def mode_reset_after_request(self, conn, req, n):
        if not self.nth(n):
            return await self.mode_normal(conn, req, n)
        sock = conn.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.writer.transport.abort()  # close() with linger 0: RST, not FIN
        return "reset"

    async def mode_close_after_partial(self, conn, req, n):
        if not self.nth(n):
            return await self.mode_normal(conn, req, n)
        lines = head_lines(200, "OK", canned_body(req, n), self.now())
        keep = 1 + (len(lines) - 1) // 2  # the status line and half the header lines
        await conn.send(b"".join(line + b"\r\n" for line in lines[:keep]))
        return "close_after_partial"  # serve() returns: a FIN after the partial head

    # auth_proxy: the request checks AWS makes and DynamoDB Local does not.

    def reject(self, req):
        """(kind, message) when AWS would refuse the request, else None."""
        token = req.header("x-amz-security-token")
        if token is not None and token.decode("latin-1") in self.args.expired_token:
            return "expired_token", "The security token included in the request is expired"
        m = CREDENTIAL_RE.search(req.header("authorization") or b"")
        if m and m.group(1).decode("latin-1") in self.args.unrecognized_key:
            return "unrecognized_client", "The security token included in the request is invalid."
        raw = (req.header("x-amz-date") or b"").decode("latin-1")
        try:
            signed = datetime.datetime.strptime(raw, AMZ_DATE).replace(
                tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            return ("incomplete_signature", "Authorization header requires existence of either "
                    "a 'X-Amz-Date' or a 'Date' header.")
        now = int(self.now())
        if now - signed > SKEW_LIMIT:
            return "signature_expired", (f"Signature expired: {raw} is now earlier than "
                                         f"{amz_date(now - SKEW_LIMIT)} ({amz_date(now)} - 5 min.)")
        if signed - now > SKEW_LIMIT:
            return "signature_not_yet_current", (
                f"Signature not yet current: {raw} is still later than "
                f"{amz_date(now + SKEW_LIMIT)} ({amz_date(now)} + 5 min.)")
        return None

    async def mode_auth_proxy(self, conn, req, n):
        close = req.wants_close
        rejected = self.reject(req)
        if rejected:
            kind, message = rejected
            self.count(kind, "rejections")
            body = json_bytes({"__type": REJECTIONS[kind], "message": message})
            await conn.send(response(400, "Bad Request", body, self.now(), close))
            return "rejected"
        try:
            status, headers, body = await conn.upstream.exchange(req.raw_head + req.body)
        except (ConnectionError, OSError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError, BadRequest, ValueError) as e:
            self.stats["upstream_errors"] += 1
            self.log(f"#{n} upstream: {type(e).__name__}: {e}")
            body = json_bytes({"__type": "com.amazon.coral.service#InternalFailure",
                               "message": "upstream connection failed"})
            await conn.send(response(502, "Bad Gateway", body, self.now(), close))
            return "upstream_error"
        self.stats["forwarded"] += 1
        names = {k.lower() for k, _ in headers}
        out = [status] + [k + b": " + v for k, v in headers if k.lower() not in HOP_BY_HOP]
        # Like DynamoDB (DynamoDB Local omits x-amz-crc32 on errors), every response has these.
        if b"x-amz-crc32" not in names:
            out.append(b"x-amz-crc32: %d" % zlib.crc32(body))
        if b"x-amzn-requestid" not in names:
            out.append(b"x-amzn-RequestId: " + request_id().encode())
        if b"content-type" not in names:
            out.append(b"Content-Type: " + CONTENT_TYPE)
        out += [b"Content-Length: %d" % len(body), b"Date: " + http_date(self.now())]
        if close:
            out.append(b"Connection: close")
        await conn.send(b"\r\n".join(out) + b"\r\n\r\n" + body)
        return "forwarded"


def start_time(pid):
    """The start time of `pid` (field 22 of /proc/PID/stat); None if gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


async def watch(pid, stop):
    # The start time tells a reused pid from the process we watch.
    started = start_time(pid)
    while started is not None and start_time(pid) == started:
        await asyncio.sleep(0.5)
    stop.set()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=MODES)
    ap.add_argument("--state-dir", help="write the bound port to DIR/listen_port")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--upstream-port", type=int, help="auth_proxy: DynamoDB Local's port")
    ap.add_argument("--skew-seconds", type=float, default=0,
                    help="the server's clock (Date headers; auth_proxy's checks) is real + S")
    ap.add_argument("--expired-token", action="append", default=[], metavar="T",
                    help="auth_proxy: X-Amz-Security-Token T is expired (repeatable)")
    ap.add_argument("--unrecognized-key", action="append", default=[], metavar="K",
                    help="auth_proxy: access key id K is unknown (repeatable)")
    ap.add_argument("--every", type=int, default=1, metavar="N",
                    help="reset_after_request, close_after_partial: only every Nth request")
    ap.add_argument("--trickle-interval-ms", type=float, default=1000)
    ap.add_argument("--late-ms", type=float, default=30, help="late_garbage: the pause before the garbage")
    ap.add_argument("--interim-delay-ms", type=float, default=10,
                    help="continue_100: pause between the 1xx and the final response")
    ap.add_argument("--header-count", type=int, default=10000, help="many_headers")
    ap.add_argument("--watch-pid", type=int, metavar="PID",
                    help="exit, as on SIGTERM, once process PID is gone (a test that dies "
                         "before its stop step leaves no server behind)")
    args = ap.parse_args()
    if (args.mode == "auth_proxy") != (args.upstream_port is not None):
        ap.error("--upstream-port is required by auth_proxy and only by it")
    if args.every < 1:
        ap.error("--every must be >= 1")
    return args


async def main():
    args = parse_args()
    srv = Server(args)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await asyncio.start_server(srv.handle, "127.0.0.1", args.port,
                                        limit=HEADER_LIMIT, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    if args.state_dir:
        tmp = os.path.join(args.state_dir, "listen_port.tmp")
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, os.path.join(args.state_dir, "listen_port"))  # never seen half-written
    upstream = f" -> 127.0.0.1:{args.upstream_port}" if args.upstream_port else ""
    srv.log(f"{args.mode} on 127.0.0.1:{port}{upstream} (pid {os.getpid()})")
    if args.watch_pid:
        watcher = asyncio.ensure_future(watch(args.watch_pid, stop))
    await stop.wait()
    srv.log("watched process gone, stopping" if args.watch_pid and watcher.done()
            else "signal received, stopping")
    server.close()
    for t in list(srv.tasks):
        t.cancel()
    try:
        await asyncio.wait_for(asyncio.gather(*srv.tasks, return_exceptions=True), 5)
    except asyncio.TimeoutError:
        srv.log("some connections did not finish; exiting anyway")
    srv.log("stopped")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    sys.exit(0)
