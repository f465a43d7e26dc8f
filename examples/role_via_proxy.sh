#!/usr/bin/env bash
# The seed scenario as it runs on a developer laptop against AWS: credentials from an AWS profile
# that assumes a role (STS AssumeRole, SigV4-signed with keys a credential_process prints), and
# every request, to DynamoDB and to STS, through an HTTP proxy that wants basic auth. Nothing of
# it is configured in code: the example reads the profile and HTTP_PROXY as the AWS SDKs do.
# The parts: DynamoDB Local (the ddblocal fixture), tinyproxy, and tests/integration/sts_server.py
# (STS's documented wire format; it checks every signature).
#   role_via_proxy.sh EXAMPLE_BINARY          (DDB_LOCAL_STATE: the ddblocal fixture's folder)
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
sts_pid=
cleanup() {
  [ -n "$sts_pid" ] && kill "$sts_pid" 2>/dev/null || true
  "$root/tests/integration/proxy/tinyproxy.sh" stop "$work/proxy" || true
  rm -rf "$work"
}
trap cleanup EXIT

# STS, on a free port (it prints "PORT PID").
coproc STS { exec python3 "$root/tests/integration/sts_server.py" --key AKIDBASE=secretbase; }
read -r sts_port sts_pid <&"${STS[0]}"
# The proxy, with a user.
"$root/tests/integration/proxy/tinyproxy.sh" start "$work/proxy" laptop pr0xy-pass
proxy_port=$(cat "$work/proxy/port")
ddb_port=$(cat "$DDB_LOCAL_STATE/port")

# The profile: role "seed" assumed with the keys of profile "base", which come from a process.
cat >"$work/creds.sh" <<'JSON'
#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "AKIDBASE", "SecretAccessKey": "secretbase"}'
JSON
chmod +x "$work/creds.sh"
cat >"$work/config" <<CONFIG
[profile seed]
role_arn = arn:aws:iam::123456789012:role/seed
source_profile = base
role_session_name = seed-example
region = eu-west-1

[profile base]
credential_process = $work/creds.sh
CONFIG

table="SingleTable_role_$$"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_REGION -u AWS_DEFAULT_REGION \
  AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/none" AWS_PROFILE=seed \
  AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_STS="http://127.0.0.1:$sts_port" \
  AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port" \
  HTTP_PROXY="http://laptop:pr0xy-pass@127.0.0.1:$proxy_port" NO_PROXY= no_proxy= http_proxy= \
  DDB_CREDENTIALS=chain DB_TABLE_NAME="$table" DDB_ENDPOINT= \
  "$bin"

# What the servers saw: the role assumed once, with the process's keys; DynamoDB's requests and
# STS's through the proxy.
seen=$(python3 - "$sts_port" <<'PY'
import json, sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/_requests" % sys.argv[1]).read().decode())
PY
)
python3 - "$seen" <<'PY'
import json, sys
reqs = json.loads(sys.argv[1])
roles = [r for r in reqs if r.get("action") == "AssumeRole"]
assert len(roles) == 1, "expected one AssumeRole, STS saw: %r" % reqs
r = roles[0]
assert r.get("access_key_id") == "AKIDBASE", r
assert r.get("region") == "eu-west-1", r
assert r["fields"].get("RoleArn") == "arn:aws:iam::123456789012:role/seed", r
assert r["fields"].get("RoleSessionName") == "seed-example", r
print("STS: AssumeRole of %s signed with %s in %s" % (r["fields"]["RoleArn"], r["access_key_id"], r["region"]))
PY
dynamo=$(grep -c "POST http://127.0.0.1:$ddb_port/" "$work/proxy/log" || true)
sts=$(grep -c "POST http://127.0.0.1:$sts_port/" "$work/proxy/log" || true)
echo "proxy: $dynamo DynamoDB requests, $sts STS requests"
[ "$dynamo" -ge 10 ] || { echo "FAILED: DynamoDB requests did not go through the proxy"; cat "$work/proxy/log"; exit 1; }
[ "$sts" -eq 1 ] || { echo "FAILED: STS did not go through the proxy"; exit 1; }
