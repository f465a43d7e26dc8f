"""HTTP/1.1 message heads as the test servers of tests/integration read them (standard library).

Shared by hostile/hostile_server.py and faultproxy/faultproxy.py; they import it after putting
this folder on sys.path.
"""
import asyncio


class HttpError(Exception):
    """A malformed or oversized message: answered with `status` and the connection is closed."""

    def __init__(self, status, reason):
        super().__init__(f"{status} {reason}")
        self.status, self.reason = status, reason


class HeaderLookup:
    """header() and tokens() over self.headers, a list of (name, value) bytes as spelt."""

    __slots__ = ()

    def header(self, name):
        name = name.encode().lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def tokens(self, name):
        return {t.strip().lower() for t in (self.header(name) or b"").split(b",") if t.strip()}


async def read_head(reader):
    """The start line and header lines up to CRLFCRLF; None on a clean EOF between messages."""
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            if not e.partial.strip(b"\r\n"):
                return None
            raise HttpError(400, "Bad Request") from e
        except asyncio.LimitOverrunError as e:
            raise HttpError(431, "Request Header Fields Too Large") from e
        if head.strip(b"\r\n"):
            return head.lstrip(b"\r\n")  # RFC 9112 2.2: ignore empty lines before a message


def parse_headers(lines):
    """(name, value) pairs from header lines; names kept as spelt, since proxies relay them."""
    headers = []
    for line in lines:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, "Bad Request")
        headers.append((name, value.strip()))
    return headers
