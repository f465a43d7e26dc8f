#!/usr/bin/env python3
"""A local stand-in for the IAM Identity Center (SSO) portal, for the credential chain's
integration tests.

Follows GetRoleCredentials' wire format (https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html):
GET /federation/credentials?role_name=R&account_id=A with the header x-amz-sso_bearer_token,
unsigned; the answer is JSON:
{"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}}, the
expiration in epoch milliseconds.

- The bearer token must be --token (else 401 UnauthorizedException, "Session token not found or
  invalid", as the portal says it), the role --role and the account --account (else 403
  ForbiddenException, "No access"); a missing parameter is 400 InvalidRequestException.
- Errors carry the x-amzn-ErrorType header and a body {"__type": TYPE, "message": MESSAGE}.

Issued keys are letters and digits (DynamoDB Local accepts no others): ASIASSO<n>, with secret
ssosecret<n> and token ssotoken<n>, expiring after --expiry seconds. GET /_requests returns every
request seen as JSON: path, role_name, account_id, the bearer token and what was issued.

Binds 127.0.0.1 on a free port and prints "PORT PID" on one line.
"""
import argparse
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
requests = []
issued = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, error_type=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "req-1")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, error_type, message):
        self.reply(status, json.dumps({"__type": error_type, "message": message}), error_type)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_requests":
            with lock:
                return self.reply(200, json.dumps(requests))
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        token = self.headers.get("x-amz-sso_bearer_token")
        record = {"path": url.path, "role_name": query.get("role_name"), "account_id": query.get("account_id"),
                  "bearer_token": token, "authorization": self.headers.get("Authorization")}
        with lock:
            requests.append(record)
        if url.path != "/federation/credentials":
            return self.error(404, "ResourceNotFoundException", "no such path")
        if not query.get("role_name") or not query.get("account_id"):
            return self.error(400, "InvalidRequestException", "role_name and account_id are required")
        if token != args.token:
            return self.error(401, "UnauthorizedException", "Session token not found or invalid")
        if query["role_name"] != args.role or query["account_id"] != args.account:
            return self.error(403, "ForbiddenException", "No access")
        with lock:
            issued[0] += 1
            n = issued[0]
        record["issued"] = "ASIASSO%d" % n
        expiration = int((time.time() + args.expiry) * 1000)
        self.reply(200, json.dumps({"roleCredentials": {
            "accessKeyId": "ASIASSO%d" % n, "secretAccessKey": "ssosecret%d" % n,
            "sessionToken": "ssotoken%d" % n, "expiration": expiration}}))


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--token", default="sso-access-token")
    p.add_argument("--role", default="ReadWrite")
    p.add_argument("--account", default="111122223333")
    p.add_argument("--expiry", type=int, default=3600)
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("%d %d" % (server.server_address[1], os.getpid()), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
