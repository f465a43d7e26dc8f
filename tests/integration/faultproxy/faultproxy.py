#!/usr/bin/env python3
"""Seedable fault-injecting HTTP/1.1 proxy between ddb and DynamoDB Local (standard library only).

    faultproxy.py --upstream-port P --config CONFIG_JSON --state-dir DIR [--port 0] [--seed N]

Listens on 127.0.0.1 (port 0 = the kernel picks one), writes the bound port to DIR/listen_port,
and logs one JSON line per request to DIR/faults.log. Each client connection gets its own
keep-alive connection to the upstream. Faults are drawn per request, in arrival order, from
random.Random(seed): every request draws exactly four numbers, so the fault sequence depends only
on the seed and the order of requests. See README.md for the config format.
"""
import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import http_wire  # noqa: E402
from http_wire import HeaderLookup, HttpError  # noqa: E402

# Faults in the order their probabilities are laid out on [0, 1).
FAULTS = ("throttle", "http500", "http503", "close_before_response", "close_mid_response",
          "delay", "corrupt_body")
# Faults that can happen before forwarding (the write never happened) and after (it happened).
BOTH_WHEN = {"throttle", "http500", "http503", "close_before_response", "delay"}
# Faults that need the upstream response: always "after".
AFTER_ONLY = {"close_mid_response", "corrupt_body"}
OP_KEYS = set(FAULTS) | {"delay_ms", "after_fraction", "throttle_types"}
TOP_KEYS = {"seed", "default", "operations", "connection_close", "idle_close_ms",
            "max_body_bytes"}

THROTTLE_BODIES = {
    "ProvisionedThroughputExceededException": (
        "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API."),
    "ThrottlingException": (
        "com.amazon.coral.availability#ThrottlingException",
        "Rate of requests exceeds the allowed throughput."),
}
HTTP_ERRORS = {
    "http500": (500, "Internal Server Error",
                "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error"),
    "http503": (503, "Service Unavailable",
                "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", "Service unavailable"),
}
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"te",
              b"trailer", b"upgrade", b"expect", b"content-length"}
HEADER_LIMIT = 64 * 1024


class ConfigError(Exception):
    pass


def _prob(where, key, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise ConfigError(f"{where}.{key} must be a number in [0, 1], got {v!r}")
    return float(v)


def _op_table(where, d, base):
    if not isinstance(d, dict):
        raise ConfigError(f"{where} must be an object")
    unknown = set(d) - OP_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(OP_KEYS)})")
    t = dict(base)
    t.update(d)  # an operation's table overrides the default key by key
    for f in FAULTS:
        t[f] = _prob(where, f, t.get(f, 0))
    t["after_fraction"] = _prob(where, "after_fraction", t.get("after_fraction", 0.5))
    ms = t.get("delay_ms", 3000)
    if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
        raise ConfigError(f"{where}.delay_ms must be a number >= 0")
    t["delay_ms"] = ms
    types = t.get("throttle_types", list(THROTTLE_BODIES))
    if not isinstance(types, list) or not types or any(x not in THROTTLE_BODIES for x in types):
        raise ConfigError(f"{where}.throttle_types must be a non-empty subset of "
                          f"{list(THROTTLE_BODIES)}")
    t["throttle_types"] = types
    total = sum(t[f] for f in FAULTS)
    if total > 1 + 1e-9:
        raise ConfigError(f"{where}: fault probabilities sum to {total} > 1")
    return t


def load_config(path, seed_override=None):
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    if not isinstance(raw, dict):
        raise ConfigError("config must be a JSON object")
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise ConfigError(f"unknown top-level keys {sorted(unknown)} (known: {sorted(TOP_KEYS)})")
    cfg = {"seed": raw.get("seed", 0) if seed_override is None else seed_override}
    if isinstance(cfg["seed"], bool) or not isinstance(cfg["seed"], (int, str)):
        raise ConfigError("seed must be an integer or a string")
    default_raw = raw.get("default", {})
    cfg["default"] = _op_table("default", default_raw, {})
    ops = raw.get("operations", {})
    if not isinstance(ops, dict):
        raise ConfigError("operations must be an object")
    cfg["operations"] = {op: _op_table(f"operations.{op}", d, default_raw)
                         for op, d in ops.items()}
    cc = raw.get("connection_close", False)
    cfg["connection_close"] = 1.0 if cc is True else 0.0 if cc is False else \
        _prob("config", "connection_close", cc)
    idle = raw.get("idle_close_ms", 0)
    if isinstance(idle, bool) or not isinstance(idle, (int, float)) or idle < 0:
        raise ConfigError("idle_close_ms must be a number >= 0")
    cfg["idle_close_ms"] = idle
    mb = raw.get("max_body_bytes", 32 * 1024 * 1024)
    if isinstance(mb, bool) or not isinstance(mb, int) or mb <= 0:
        raise ConfigError("max_body_bytes must be a positive integer")
    cfg["max_body_bytes"] = mb
    return cfg


class Message(HeaderLookup):
    __slots__ = ("start", "headers", "body")

    def __init__(self, start, headers, body):
        self.start, self.headers, self.body = start, headers, body


async def read_head(reader):
    """(start line, headers); None on a clean EOF before any byte."""
    head = await http_wire.read_head(reader)
    if head is None:
        return None
    lines = head[:-4].split(b"\r\n")
    return lines[0], http_wire.parse_headers(lines[1:])


async def read_body(reader, msg, limit, until_eof=False):
    """Reads a Content-Length or chunked body (or to EOF), at most `limit` bytes."""
    if b"chunked" in msg.tokens("transfer-encoding"):
        parts, size = [], 0
        while True:
            line = await reader.readuntil(b"\r\n")
            try:
                n = int(line.split(b";")[0].strip(), 16)
            except ValueError as e:
                raise HttpError(400, "Bad Request") from e
            if n == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                return b"".join(parts)
            size += n
            if size > limit:
                raise HttpError(413, "Content Too Large")
            parts.append(await reader.readexactly(n))
            await reader.readexactly(2)
    cl = msg.header("content-length")
    if cl is not None:
        try:
            n = int(cl)
        except ValueError as e:
            raise HttpError(400, "Bad Request") from e
        if n < 0:
            raise HttpError(400, "Bad Request")
        if n > limit:
            raise HttpError(413, "Content Too Large")
        return await reader.readexactly(n)
    if not until_eof:
        return b""
    parts, size = [], 0
    while chunk := await reader.read(65536):
        size += len(chunk)
        if size > limit:
            raise HttpError(502, "Bad Gateway")
        parts.append(chunk)
    return b"".join(parts)


def serialize(start, headers, body, close):
    out = [start]
    out += [k + b": " + v for k, v in headers if k.lower() not in HOP_BY_HOP]
    out.append(b"Content-Length: %d" % len(body))
    out.append(b"Connection: close" if close else b"Connection: keep-alive")
    return b"\r\n".join(out) + b"\r\n\r\n"


def error_response(status, reason, type_, message):
    body = json.dumps({"__type": type_, "message": message}, separators=(",", ":")).encode()
    headers = [(b"Date", time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()).encode()),
               (b"Content-Type", b"application/x-amz-json-1.0"),
               (b"x-amzn-RequestId", uuid.uuid4().hex.upper().encode()),
               (b"x-amz-crc32", str(zlib.crc32(body)).encode())]
    return Message(b"HTTP/1.1 %d %s" % (status, reason.encode()), headers, body)


class Upstream:
    """One keep-alive connection to the upstream, owned by one client connection."""

    def __init__(self, port, limit):
        self.port, self.limit = port, limit
        self.reader = self.writer = None
        self.used = False

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, req_head, body, method):
        """Sends one request and returns the final response; retries once, on a fresh
        connection, only when a reused connection failed before any response byte came."""
        for attempt in (0, 1):
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(
                    "127.0.0.1", self.port, limit=HEADER_LIMIT)
                self.used = False
            got_bytes = False
            try:
                self.writer.write(req_head + body)
                await self.writer.drain()
                while True:
                    head = await read_head(self.reader)
                    if head is None:
                        raise ConnectionResetError("upstream closed the connection")
                    got_bytes = True
                    start, headers = head
                    resp = Message(start, headers, b"")
                    parts = start.split(b" ", 2)
                    status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0
                    if 100 <= status < 200:
                        continue  # interim response
                    no_body = method == b"HEAD" or status in (204, 304)
                    close = b"close" in resp.tokens("connection") or (
                        resp.header("content-length") is None and
                        b"chunked" not in resp.tokens("transfer-encoding") and not no_body)
                    if not no_body:
                        resp.body = await read_body(self.reader, resp, self.limit, until_eof=True)
                    self.used = True
                    if close:
                        self.close()
                    return resp
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                reused = not fresh
                self.close()
                if attempt == 0 and reused and not got_bytes:
                    continue
                raise
            except BaseException:
                self.close()
                raise


class Proxy:
    def __init__(self, cfg, upstream_port, log_path):
        self.cfg = cfg
        self.upstream_port = upstream_port
        self.rng = random.Random(cfg["seed"])
        self.n = 0
        self.conns = 0
        self.tasks = set()  # strong references: the event loop keeps only weak ones
        self.log = open(log_path, "a", buffering=1, encoding="utf-8")

    def write_log(self, rec):
        try:
            self.log.write(json.dumps(rec, separators=(",", ":")) + "\n")
        except OSError as e:
            print(f"faultproxy: cannot write the log: {e}", file=sys.stderr)

    def decide(self, op):
        """Draws the fault for the next request: always four numbers from the seeded RNG."""
        self.n += 1
        r_fault, r_when, r_variant, r_close = (self.rng.random() for _ in range(4))
        t = self.cfg["operations"].get(op, self.cfg["default"])
        fault, acc = None, 0.0
        for f in FAULTS:
            acc += t[f]
            if r_fault < acc:
                fault = f
                break
        when = None
        if fault in BOTH_WHEN:
            when = "after" if r_when < t["after_fraction"] else "before"
        elif fault in AFTER_ONLY:
            when = "after"
        d = {"n": self.n, "op": op, "fault": fault or "none", "when": when}
        if fault == "throttle":
            types = t["throttle_types"]
            d["type"] = types[min(int(r_variant * len(types)), len(types) - 1)]
        if fault == "delay":
            d["delay_ms"] = t["delay_ms"]
        d["close"] = r_close < self.cfg["connection_close"]
        if fault is None and d["close"]:
            d["fault"] = "connection_close"  # answered normally, then the connection is closed
        return d

    async def handle(self, reader, writer):
        self.conns += 1
        cid = self.conns
        task = asyncio.current_task()
        self.tasks.add(task)
        up = Upstream(self.upstream_port, self.cfg["max_body_bytes"])
        try:
            await self.serve(cid, reader, writer, up)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass  # the client went away
        except HttpError as e:
            await self.send(writer, error_response(e.status, e.reason,
                                                   "com.amazon.coral.service#SerializationException",
                                                   str(e)), close=True)
        except Exception as e:  # never let one connection take the proxy down
            print(f"faultproxy: connection {cid}: {type(e).__name__}: {e}", file=sys.stderr)
        finally:
            up.close()
            writer.close()
            self.tasks.discard(task)

    async def send(self, writer, msg, close, body=None):
        if writer.is_closing():
            return False
        body = msg.body if body is None else body
        try:
            writer.write(serialize(msg.start, msg.headers, body, close))
            writer.write(body)
            await writer.drain()  # bounded: wait for slow clients rather than buffer
            return True
        except (ConnectionError, OSError):
            return False

    async def serve(self, cid, reader, writer, up):
        idle = self.cfg["idle_close_ms"] / 1000
        while True:
            try:
                head = await (asyncio.wait_for(read_head(reader), idle) if idle
                              else read_head(reader))
            except asyncio.TimeoutError:
                self.write_log({"event": "idle_close", "conn": cid})
                return
            if head is None:
                return
            start, headers = head
            parts = start.split(b" ")
            if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
                raise HttpError(400, "Bad Request")
            method, version = parts[0], parts[2]
            req = Message(start, headers, b"")
            conn_tokens = req.tokens("connection")
            client_close = b"close" in conn_tokens or (
                version == b"HTTP/1.0" and b"keep-alive" not in conn_tokens)
            if b"100-continue" in req.tokens("expect"):
                cl = req.header("content-length")
                if cl is not None and cl.isdigit() and int(cl) > self.cfg["max_body_bytes"]:
                    raise HttpError(413, "Content Too Large")
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            req.body = await read_body(reader, req, self.cfg["max_body_bytes"])

            target = (req.header("x-amz-target") or b"").decode("latin-1")
            op = target.rsplit(".", 1)[-1]
            d = self.decide(op)
            d["conn"] = cid
            self.write_log(d)
            fault, when = d["fault"], d["when"]
            close = client_close or d["close"]

            if fault == "delay" and when == "before":
                await asyncio.sleep(d["delay_ms"] / 1000)
            synthetic = None
            if fault == "throttle":
                synthetic = error_response(400, "Bad Request", *THROTTLE_BODIES[d["type"]])
            elif fault in HTTP_ERRORS:
                synthetic = error_response(*HTTP_ERRORS[fault])
            if when == "before" and fault == "close_before_response":
                return
            resp = None
            if not (when == "before" and synthetic is not None):
                fwd = serialize(start, [(k, v) for k, v in headers], req.body, close=False)
                try:
                    resp = await up.exchange(fwd, req.body, method)
                except HttpError as e:
                    self.write_log({"event": "upstream_error", "n": d["n"], "error": str(e)})
                    resp = error_response(502, "Bad Gateway",
                                          "com.amazon.coral.service#InternalFailure", str(e))
                except (ConnectionError, OSError, asyncio.IncompleteReadError) as e:
                    self.write_log({"event": "upstream_error", "n": d["n"],
                                    "error": f"{type(e).__name__}: {e}"})
                    resp = error_response(502, "Bad Gateway",
                                          "com.amazon.coral.service#InternalFailure",
                                          "upstream connection failed")
            if fault == "close_before_response":
                return
            if fault == "delay" and when == "after":
                await asyncio.sleep(d["delay_ms"] / 1000)
            if synthetic is not None:
                resp = synthetic
            if fault == "close_mid_response":
                if writer.is_closing():
                    return
                writer.write(serialize(resp.start, resp.headers, resp.body, close=False))
                writer.write(resp.body[:len(resp.body) // 2])
                await writer.drain()
                return
            if resp.header("x-amz-crc32") is None:
                # DynamoDB sends x-amz-crc32 on every response, errors included; DynamoDB Local
                # omits it on errors. Add it as the service would, so clients can check.
                resp.headers.append((b"x-amz-crc32", str(zlib.crc32(resp.body)).encode()))
            body = resp.body
            if fault == "corrupt_body" and body:
                # Positions come from an RNG of their own, so the fault sequence is unaffected.
                prng = random.Random(f"{self.cfg['seed']}:{d['n']}")
                b = bytearray(body)
                for _ in range(prng.randint(1, 3)):
                    b[prng.randrange(len(b))] ^= prng.choice((0x01, 0x02, 0x04, 0x20))
                if zlib.crc32(b) == zlib.crc32(body):
                    b[0] ^= 0x01
                body = bytes(b)
            if not await self.send(writer, resp, close, body):
                return
            if close:
                return


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed", type=int, default=None, help="overrides the config's seed")
    args = ap.parse_args()
    try:
        cfg = load_config(args.config, args.seed)
    except (OSError, ValueError, ConfigError) as e:
        sys.exit(f"faultproxy: bad config {args.config}: {e}")
    proxy = Proxy(cfg, args.upstream_port, os.path.join(args.state_dir, "faults.log"))
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", args.port,
                                        limit=HEADER_LIMIT, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    tmp = os.path.join(args.state_dir, "listen_port.tmp")
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, os.path.join(args.state_dir, "listen_port"))
    print(f"faultproxy on 127.0.0.1:{port} -> 127.0.0.1:{args.upstream_port}, seed "
          f"{cfg['seed']}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
