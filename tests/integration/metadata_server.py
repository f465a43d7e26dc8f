#!/usr/bin/env python3
"""A local stand-in for the AWS credential endpoints, for integration_credentials.

Plays EC2 instance metadata (IMDSv2: PUT /latest/api/token, then GETs with the token; 401
without), the container credentials endpoint (GET /container/creds, checks Authorization) and STS
AssumeRoleWithWebIdentity (POST /, form body, XML answer). GET /_stats returns the request counts.

Binds 127.0.0.1 on a free port and prints "PORT PID" on one line. The first credentials of each
kind expire after --first-expiry seconds, later ones after an hour; --delay-ms slows the
credential answers so that concurrent callers overlap; --imds-status makes IMDS refuse tokens.
"""
import argparse
import datetime
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE = "test-role"
CREDS_PATH = "/latest/meta-data/iam/security-credentials/"

args = None
lock = threading.Lock()
counts = {}
tokens = set()


def count(kind):
    with lock:
        counts[kind] = counts.get(kind, 0) + 1
        return counts[kind]


def expiration(n):
    seconds = args.first_expiry if n == 1 else 3600
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def credentials_json(kind, n, imds=False):
    doc = {
        # DynamoDB Local accepts only letters and digits in an access key id.
        "AccessKeyId": ("AKID%s%d" if args.plain_keys else "AKID_%s_%d") % (kind.upper(), n),
        "SecretAccessKey": "secret-%s-%d" % (kind, n),
        "Token": "token-%s-%d" % (kind, n),
        "Expiration": expiration(n),
    }
    if imds:
        doc["Code"] = "Success"
        doc["Type"] = "AWS-HMAC"
    return json.dumps(doc)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def delay(self):
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000.0)

    def do_PUT(self):
        self.body()
        if self.path != "/latest/api/token":
            return self.reply(404, "not found")
        count("all")
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            count("unauthorized")
            return self.reply(400, "missing ttl")
        n = count("token")
        if args.imds_status != 200:  # IMDS refusing, as when the instance has it disabled
            return self.reply(args.imds_status, "refused")
        token = "imds-token-%d" % n
        with lock:
            tokens.add(token)
        self.reply(200, token)

    def do_GET(self):
        if self.path == "/_stats":
            with lock:
                return self.reply(200, json.dumps(counts), "application/json")
        count("all")
        if self.path.startswith(CREDS_PATH):
            with lock:
                ok = self.headers.get("X-aws-ec2-metadata-token") in tokens
            if not ok:
                count("unauthorized")
                return self.reply(401, "")
            if self.path == CREDS_PATH:
                count("role")
                return self.reply(200, ROLE)
            if self.path == CREDS_PATH + ROLE:
                n = count("imds")
                self.delay()
                return self.reply(200, credentials_json("imds", n, imds=True), "application/json")
            return self.reply(404, "no such role")
        if self.path == "/container/creds":
            if self.headers.get("Authorization") != args.container_token:
                count("unauthorized")
                return self.reply(401, '{"message":"bad token"}', "application/json")
            n = count("container")
            self.delay()
            return self.reply(200, credentials_json("container", n), "application/json")
        self.reply(404, "not found")

    def do_POST(self):
        form = urllib.parse.parse_qs(self.body())
        count("all")
        if self.path != "/":
            return self.reply(404, "not found")
        get = lambda k: (form.get(k) or [""])[0]
        if (get("Action") != "AssumeRoleWithWebIdentity" or get("Version") != "2011-06-15"
                or get("RoleArn") != args.role_arn or not get("RoleSessionName")):
            count("bad_request")
            return self.reply(400, "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>"
                              "<Message>bad request</Message></Error></ErrorResponse>", "text/xml")
        if get("WebIdentityToken") != args.web_identity_token:
            count("unauthorized")
            return self.reply(400, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
                              "<Message>bad token</Message></Error></ErrorResponse>", "text/xml")
        n = count("sts")
        self.delay()
        xml = ("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
               "<AssumeRoleWithWebIdentityResult><Credentials>"
               "<AccessKeyId>AKID_STS_%d</AccessKeyId><SecretAccessKey>secret-sts-%d</SecretAccessKey>"
               "<SessionToken>token-sts-%d</SessionToken><Expiration>%s</Expiration>"
               "</Credentials><SubjectFromWebIdentityToken>sub</SubjectFromWebIdentityToken>"
               "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
               % (n, n, n, expiration(n)))
        self.reply(200, xml, "text/xml")


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--first-expiry", type=int, default=3600)
    p.add_argument("--plain-keys", action="store_true", help="access key ids of letters and digits only")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--imds-status", type=int, default=200, help="the status of every token request")
    p.add_argument("--container-token", default="container-secret")
    p.add_argument("--web-identity-token", default="web-identity-jwt")
    p.add_argument("--role-arn", default="arn:aws:iam::123456789012:role/test")
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("%d %d" % (server.server_address[1], os.getpid()), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
