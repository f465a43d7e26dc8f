#!/usr/bin/env python3
"""A local stand-in for AWS STS, for the credential chain's integration tests.

Follows the Query API's wire format (https://docs.aws.amazon.com/STS/latest/APIReference/):
POST / with a form body (Content-Type application/x-www-form-urlencoded), XML answers.

- AssumeRole: the request must be SigV4-signed (service "sts") with a key the server knows: one
  given with --key AKID=SECRET, or one it issued itself (so roles can be chained). It checks the
  signature in full, the session token of issued keys, and the form fields (RoleArn,
  RoleSessionName, optional ExternalId and DurationSeconds 900..43200).
- AssumeRoleWithWebIdentity: unsigned, the token must be --web-identity-token.
- A RoleArn containing "denied" is refused with AccessDenied (403).

Issued keys are letters and digits (DynamoDB Local accepts no others): ASIASTS<n>, with secret
stssecret<n> and token ststoken<n>, expiring after --expiry seconds. GET /_requests returns every
STS request seen as JSON: action, the signing access key id, region and service, the form fields.

Binds 127.0.0.1 on a free port and prints "PORT PID" on one line. With STS_DEBUG set in its
environment, a signature that does not match prints the canonical request to stderr.
"""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
requests = []
keys = {}  # access key id -> (secret, session token or None)
issued = [0]


def error_xml(kind, code, message):
    return ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>%s</Type>"
            "<Code>%s</Code><Message>%s</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
            % (kind, code, message))


def issue(duration):
    with lock:
        issued[0] += 1
        n = issued[0]
        akid, secret, token = "ASIASTS%d" % n, "stssecret%d" % n, "ststoken%d" % n
        keys[akid] = (secret, token)
    seconds = duration or args.expiry
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return akid, secret, token, t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def check_sigv4(handler, body):
    """Returns (access key id, region, service, None) or (.., error code)."""
    auth = handler.headers.get("Authorization") or ""
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return None, None, None, "MissingAuthenticationToken"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    scope = parts.get("Credential", "").split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        return None, None, None, "IncompleteSignature"
    akid, date, region, service = scope[:4]
    with lock:
        known = keys.get(akid)
    if known is None:
        return akid, region, service, "InvalidClientTokenId"
    secret, token = known
    if token is not None and handler.headers.get("X-Amz-Security-Token") != token:
        return akid, region, service, "InvalidClientTokenId"
    signed = parts.get("SignedHeaders", "").split(";")
    if "host" not in signed:
        return akid, region, service, "IncompleteSignature"
    amz_date = handler.headers.get("X-Amz-Date") or ""
    canonical_headers = "".join("%s:%s\n" % (h, " ".join((handler.headers.get(h) or "").split()))
                                for h in signed)
    path = urllib.parse.urlsplit(handler.path).path or "/"
    canonical = "\n".join(["POST", path, "", canonical_headers, ";".join(signed),
                           hashlib.sha256(body).hexdigest()])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, "/".join(scope[1:]),
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = sign(("AWS4" + secret).encode(), date)
    k = sign(sign(sign(k, region), service), "aws4_request")
    expected = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts.get("Signature", "")):
        if os.environ.get("STS_DEBUG"):
            print(repr(canonical), repr(to_sign), auth, file=sys.stderr, flush=True)
        return akid, region, service, "SignatureDoesNotMatch"
    return akid, region, service, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="text/xml"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "req-1")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/_requests":
            with lock:
                return self.reply(200, json.dumps(requests), "application/json")
        self.reply(404, "not found", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode(), keep_blank_values=True).items()}
        action = form.get("Action", "")
        record = {"action": action, "fields": form}
        with lock:
            requests.append(record)
        if form.get("Version") != "2011-06-15":
            return self.reply(400, error_xml("Sender", "InvalidAction", "bad version"))
        role = form.get("RoleArn", "")
        session = form.get("RoleSessionName", "")
        if not role.startswith("arn:") or not session:
            return self.reply(400, error_xml("Sender", "ValidationError", "RoleArn and RoleSessionName needed"))
        duration = form.get("DurationSeconds")
        if duration is not None and not (duration.isdigit() and 900 <= int(duration) <= 43200):
            return self.reply(400, error_xml("Sender", "ValidationError", "bad DurationSeconds"))
        if action == "AssumeRole":
            akid, region, service, err = check_sigv4(self, raw)
            record.update({"access_key_id": akid, "region": region, "service": service})
            if err:
                return self.reply(403, error_xml("Sender", err, "the request signature is not valid"))
            if service != "sts":
                return self.reply(403, error_xml("Sender", "SignatureDoesNotMatch", "wrong service"))
        elif action == "AssumeRoleWithWebIdentity":
            if form.get("WebIdentityToken") != args.web_identity_token:
                return self.reply(400, error_xml("Sender", "InvalidIdentityToken", "bad token"))
        else:
            return self.reply(400, error_xml("Sender", "InvalidAction", "unknown action"))
        if "denied" in role:
            return self.reply(403, error_xml("Sender", "AccessDenied", "not authorized to perform sts:AssumeRole"))
        akid, secret, token, expiration = issue(int(duration) if duration else 0)
        record["issued"] = akid
        xml = ("<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><%sResult>"
               "<AssumedRoleUser><Arn>%s/%s</Arn><AssumedRoleId>AROA1:%s</AssumedRoleId></AssumedRoleUser>"
               "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
               "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
               "</%sResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%sResponse>"
               % (action, action, role, session, session, akid, secret, token, expiration, action, action))
        self.reply(200, xml)


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--key", action="append", default=[], help="AKID=SECRET a signer may use")
    p.add_argument("--expiry", type=int, default=3600)
    p.add_argument("--web-identity-token", default="web-identity-jwt")
    args = p.parse_args()
    for k in args.key:
        akid, secret = k.split("=", 1)
        keys[akid] = (secret, None)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("%d %d" % (server.server_address[1], os.getpid()), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
