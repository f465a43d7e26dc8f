#!/usr/bin/python3
"""Writes the canned DynamoDB responses and the nginx.conf that serves them (canned-server.sh).

    make-canned.py STATE_DIR PORT CPU

STATE_DIR/body/<Operation>.json   the response bodies (deterministic DynamoDB JSON)
STATE_DIR/body/crc32.txt             "<Operation> <crc32>" per body, decimal as DynamoDB sends it
STATE_DIR/nginx.conf                one worker pinned to CPU, the response chosen by X-Amz-Target

The items follow ddb-bench's layout with seed 1: GetItem answers item 0 of
PK "BENCH#1#0", SK "ITEM#0000000000"; a Query page holds 1000 items of partition "BENCHQ#1"
(about 1 MB) and always carries a LastEvaluatedKey, so a reader follows pages until it has read
as many items as it wants.
"""
import json
import os
import sys
import zlib

SEED = 1
GET_ITEM_BYTES = 200      # "data" of the GetItem item
QUERY_PAGE_ITEMS = 1000
QUERY_ITEM_BYTES = 960    # "data" of each Query item: about 1 MB a page
TABLE = "bench"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def data(seed: int, i: int, n: int) -> str:
    """n printable bytes derived from seed and i, as the peers generate them (a 32-bit LCG over
    alphanumerics: nothing to escape in JSON or nginx)."""
    x = (seed * 2654435761 + i * 2246822519 + 1) & 0xFFFFFFFF
    out = []
    for _ in range(n):
        x = (x * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append(ALNUM[(x >> 24) % 62])
    return "".join(out)


def item(pk: str, i: int, nbytes: int) -> dict:
    return {"PK": {"S": pk}, "SK": {"S": f"ITEM#{i:010d}"},
            "data": {"S": data(SEED, i, nbytes)}, "n": {"N": str(i)}}


def table_description(status: str) -> dict:
    return {
        "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                                 {"AttributeName": "SK", "AttributeType": "S"}],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST",
                               "LastUpdateToPayPerRequestDateTime": 1764115200.0},
        "CreationDateTime": 1764115200.0,
        "DeletionProtectionEnabled": False,
        "ItemCount": 0,
        "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"},
                      {"AttributeName": "SK", "KeyType": "RANGE"}],
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0,
                                  "WriteCapacityUnits": 0},
        "TableArn": f"arn:aws:dynamodb:us-east-1:000000000000:table/{TABLE}",
        "TableId": "00000000-0000-4000-8000-000000000000",
        "TableName": TABLE,
        "TableSizeBytes": 0,
        "TableStatus": status,
    }


def bodies() -> dict:
    qpk = f"BENCHQ#{SEED}"
    items = [item(qpk, i, QUERY_ITEM_BYTES) for i in range(QUERY_PAGE_ITEMS)]
    last = items[-1]
    query = {"Count": len(items), "Items": items,
             "LastEvaluatedKey": {"PK": last["PK"], "SK": last["SK"]},
             "ScannedCount": len(items)}
    return {
        "GetItem": {"Item": item(f"BENCH#{SEED}#0", 0, GET_ITEM_BYTES)},
        "PutItem": {},
        "Query": query,
        "TransactWriteItems": {},
        "BatchWriteItem": {"UnprocessedItems": {}},
        "CreateTable": {"TableDescription": table_description("ACTIVE")},
        "DescribeTable": {"Table": table_description("ACTIVE")},
        "Unknown": {"__type": "com.amazon.coral.service#UnknownOperationException"},
    }


def main() -> None:
    state, port, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bdir = os.path.join(state, "body")
    os.makedirs(bdir, exist_ok=True)
    crcs = {}
    for op, obj in bodies().items():
        raw = json.dumps(obj, separators=(",", ":")).encode()
        with open(os.path.join(bdir, op + ".json"), "wb") as f:
            f.write(raw)
        crcs[op] = zlib.crc32(raw) & 0xFFFFFFFF
    with open(os.path.join(bdir, "crc32.txt"), "w") as f:
        for op, c in crcs.items():
            f.write(f"{op} {c}\n")

    # One location per operation, reached by an internal rewrite on X-Amz-Target. Every body is
    # served by the static module from its file: a POST there gets 405, which error_page turns
    # into a 200 with the same file (error_page redirects as GET). The 1 MB Query page cannot be
    # a `return 200 "..."` string (nginx's config tokens are limited to a 4 KB buffer), and one
    # mechanism for all keeps the costs comparable. open_file_cache keeps the files open.
    targets = "\n".join(f'        "DynamoDB_20120810.{op}" {op};' for op in crcs if op != "Unknown")
    locations = []
    for op, c in crcs.items():
        status = 400 if op == "Unknown" else 200
        locations.append(f"""        location = /canned/{op} {{
            internal;
            error_page 405 ={status} /body/{op}.json;
            return 405;
        }}
        location = /body/{op}.json {{
            internal;
            add_header x-amz-crc32 {c} always;
            add_header x-amzn-RequestId CANNED{op.upper()}0000000000000000000000000000000 always;
        }}""")
    mask = "1" + "0" * cpu
    user_line = "user root;" if os.geteuid() == 0 else ""
    conf = f"""# Generated by benchmarks/canned/make-canned.py; everything lives under {state}.
{user_line}
daemon on;
master_process on;
worker_processes 1;
worker_cpu_affinity {mask};
worker_rlimit_nofile 16384;
pid {state}/nginx.pid;
lock_file {state}/nginx.lock;
error_log {state}/error.log warn;
events {{ worker_connections 8192; multi_accept on; }}
http {{
    access_log off;
    types {{ }}
    default_type application/x-amz-json-1.0;
    charset off;
    server_tokens off;
    client_body_temp_path {state}/tmp/client_body;
    proxy_temp_path       {state}/tmp/proxy;
    fastcgi_temp_path     {state}/tmp/fastcgi;
    uwsgi_temp_path       {state}/tmp/uwsgi;
    scgi_temp_path        {state}/tmp/scgi;
    client_max_body_size 32m;       # BatchWriteItem requests reach 16 MB
    client_body_buffer_size 64k;
    keepalive_timeout 600s;
    keepalive_requests 1000000000;
    sendfile on;
    tcp_nopush off;
    tcp_nodelay on;
    etag off;
    if_modified_since off;
    open_file_cache max=64 inactive=1h;
    open_file_cache_valid 1h;

    map $http_x_amz_target $canned_op {{
        default Unknown;
{targets}
    }}

    server {{
        listen 127.0.0.1:{port} backlog=4096;
        server_name _;
        root {state};
        location / {{
            rewrite ^ /canned/$canned_op last;
        }}
{chr(10).join(locations)}
    }}
}}
"""
    with open(os.path.join(state, "nginx.conf"), "w") as f:
        f.write(conf)


if __name__ == "__main__":
    main()
