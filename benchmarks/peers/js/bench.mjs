#!/usr/bin/env node
// ddb-bench's workloads with the AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb, low-level
// client, DynamoDB JSON), taking ddb-bench's flags and printing its JSON ("client":"js-sdk-v3").
// Concurrency is N async loops on Node's one thread; one keep-alive agent with maxSockets = N.
//   node bench.mjs --endpoint URL --table NAME --op put|get|query|mixed|transact
//                  [--concurrency N] (--requests N | --duration S) [--items N] [--item-bytes B] ...
import http from "node:http";
import https from "node:https";
import fs from "node:fs";
import {
  DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand,
  BatchWriteItemCommand, CreateTableCommand, DescribeTableCommand,
} from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const USAGE = `usage: bench.mjs --endpoint URL [--region R] [--ca-file PEM] --table NAME [--create-table]
       --op put|get|query|mixed|transact [--concurrency N] [--threads T]
       (--requests N | --duration SECONDS) [--items N] [--item-bytes B]
       [--log-writes FILE] [--seed S] [--load] [--partitions P] [--page-size N]
       [--max-attempts N] [--quiet]`;

function usage(msg) {
  process.stderr.write(`bench.mjs: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1",
              concurrency: 16, threads: 1, itemBytes: 100, seed: 1, partitions: 100, pageSize: 0,
              maxAttempts: 0, createTable: false, load: false, quiet: false };
  const num = (name, v, min) => {
    if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) usage(`${name} needs a number`);
    const n = Number(v);
    if (n < min) usage(`${name} must be at least ${min}`);
    return n;
  };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k], v = argv[k + 1];
    switch (a) {
      case "--endpoint": o.endpoint = v; k++; break;
      case "--region": o.region = v; k++; break;
      case "--ca-file": o.caFile = v; k++; break;
      case "--table": o.table = v; k++; break;
      case "--create-table": o.createTable = true; break;
      case "--op": o.op = v; k++; break;
      case "--concurrency": o.concurrency = Math.floor(num(a, v, 1)); k++; break;
      case "--threads": o.threads = Math.floor(num(a, v, 1)); k++; break;
      case "--requests": o.requests = Math.floor(num(a, v, 0)); k++; break;
      case "--duration": o.duration = num(a, v, 0); k++; break;
      case "--items": o.items = Math.floor(num(a, v, 1)); k++; break;
      case "--item-bytes": o.itemBytes = Math.floor(num(a, v, 0)); k++; break;
      case "--log-writes": o.logWrites = v; k++; break;
      case "--seed": o.seed = Math.floor(num(a, v, 0)); k++; break;
      case "--load": o.load = true; break;
      case "--quiet": o.quiet = true; break;
      case "--partitions": o.partitions = Math.floor(num(a, v, 1)); k++; break;
      case "--page-size": o.pageSize = Math.floor(num(a, v, 0)); k++; break;
      case "--max-attempts": o.maxAttempts = Math.floor(num(a, v, 0)); k++; break;
      case "-h": case "--help": process.stdout.write(USAGE + "\n"); process.exit(0);
      default: usage(`unknown argument '${a}'`);
    }
    if (v === undefined && !["--create-table", "--load", "--quiet"].includes(a)) usage(`${a} needs a value`);
  }
  if (!o.endpoint) usage("--endpoint is required");
  if (!o.table) usage("--table is required");
  if (!["put", "get", "query", "mixed", "transact"].includes(o.op)) usage("--op must be put, get, query, mixed or transact");
  if ((o.requests === undefined) === (o.duration === undefined)) usage("give exactly one of --requests and --duration");
  if (o.requests === 0) usage("--requests must be at least 1");
  if (o.load && o.op !== "query") usage("--load applies to --op query only");
  if (o.items === undefined) o.items = o.op === "query" ? 1000 : o.requests !== undefined ? o.requests : 10000;
  return o;
}

const opt = parseArgs(process.argv.slice(2));

// --- items, exactly as ddb-bench derives them from the seed and an index (splitmix64)
const M64 = (1n << 64n) - 1n;
function splitmix64(x) {
  x = (x + 0x9e3779b97f4a7c15n) & M64;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & M64;
  return x ^ (x >> 31n);
}
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
function payloadOf(seed, i, n) {
  const state = splitmix64(BigInt(seed)) ^ splitmix64((BigInt(i) + 0x632be59bd9b4e019n) & M64);
  let s = "";
  for (let k = 0; k < n; k += 8) {
    let r = splitmix64((state + BigInt(k)) & M64);
    for (let b = 0; b < 8 && k + b < n; b++, r >>= 8n) s += ALPHABET[Number(r & 63n)];
  }
  return s;
}
// The payloads of the key space are made once (BigInt is slow): the measured work is the SDK's.
const payloads = new Map();
function payload(i) {
  let p = payloads.get(i);
  if (p === undefined) {
    p = payloadOf(opt.seed, i, opt.itemBytes);
    if (payloads.size < 200000) payloads.set(i, p);
  }
  return p;
}
const mixedIsGet = (i) =>
  (splitmix64(((BigInt(opt.seed) * 0x9e3779b97f4a7c15n) & M64) ^ BigInt(i)) & 1n) !== 0n;
const padded = (i) => String(i).padStart(10, "0");
const benchPk = (i) => `BENCH#${opt.seed}#${i % opt.partitions}`;
const makeItem = (pk, sk, i) => ({ PK: { S: pk }, SK: { S: sk }, data: { S: payload(i) }, n: { N: String(i) } });
const benchKey = (i) => ({ PK: { S: benchPk(i) }, SK: { S: "ITEM#" + padded(i) } });
const benchItem = (i) => makeItem(benchPk(i), "ITEM#" + padded(i), i);
const txItem = (i, which) => makeItem(benchPk(i), `TX${which}#` + padded(i), i);
const queryPk = `BENCHQ#${opt.seed}`;
const queryItem = (i) => makeItem(queryPk, "ITEM#" + padded(i), i);

// --- the client
const agentOptions = { keepAlive: true, maxSockets: opt.concurrency, maxFreeSockets: opt.concurrency };
const httpsAgentOptions = { ...agentOptions };
if (opt.caFile) httpsAgentOptions.ca = fs.readFileSync(opt.caFile);
const client = new DynamoDBClient({
  endpoint: opt.endpoint,
  region: opt.region,
  ...(opt.maxAttempts ? { maxAttempts: opt.maxAttempts } : {}),
  requestHandler: new NodeHttpHandler({
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(httpsAgentOptions),
  }),
});

// Response body bytes: the Content-Length of every HTTP response (all attempts).
let bodyBytes = 0;
client.middlewareStack.add((next) => async (args) => {
  const out = await next(args);
  const len = out.response?.headers?.["content-length"];
  if (len) bodyBytes += Number(len);
  return out;
}, { step: "deserialize", name: "countBodyBytes" });

const logFd = opt.logWrites ? fs.openSync(opt.logWrites, "a") : null;
function logWrite(item) {
  if (logFd !== null) fs.writeSync(logFd, JSON.stringify(item) + "\n");
}

// --- stats
let ops = 0, items = 0, retries = 0, failed = 0;
const errors = {};
let lat = new Float64Array(1 << 16), nlat = 0;
function record(ms) {
  if (nlat === lat.length) { const b = new Float64Array(lat.length * 2); b.set(lat); lat = b; }
  lat[nlat++] = ms;
}
function countError(e) {
  const name = e?.name || e?.code || "Error";
  errors[name] = (errors[name] || 0) + 1;
  failed++;
  const attempts = e?.$metadata?.attempts;
  if (attempts > 1) retries += attempts - 1;
}
const addRetries = (out) => { const a = out?.$metadata?.attempts; if (a > 1) retries += a - 1; };

// Times one call. As in ddb-bench, ops and latencies are of calls that succeeded; a call that
// finally failed counts as an error (by its error name); retries are counted either way.
async function timed(fn) {
  const t0 = process.hrtime.bigint();
  try {
    const out = await fn();
    record(Number(process.hrtime.bigint() - t0) / 1e6);
    addRetries(out);
    ops++;
    return out;
  } catch (e) {
    countError(e);
    return null;
  }
}

// --- the workloads
let next = 0;                    // the next op, claimed by the loops
let pages = 0;                   // query: Query calls finished
let deadline = Infinity;         // hrtime ns
const now = () => Number(process.hrtime.bigint());
function stopped() {
  if (opt.requests === undefined) return now() >= deadline;
  return opt.op === "query" && pages >= opt.requests;
}
function claim() {   // the next item index, or -1 when the run is over
  if (opt.requests === undefined) { if (now() >= deadline) return -1; }
  else if (next >= opt.requests) return -1;
  return next++ % opt.items;
}

async function put(i) {
  const item = benchItem(i);
  const out = await timed(() => client.send(new PutItemCommand({ TableName: opt.table, Item: item })));
  if (out) { items++; logWrite(item); }
}
async function get(i) {
  const t0 = process.hrtime.bigint();
  try {
    const out = await client.send(new GetItemCommand({ TableName: opt.table, Key: benchKey(i) }));
    addRetries(out);
    if (out.Item) { record(Number(process.hrtime.bigint() - t0) / 1e6); ops++; items++; }
    else { errors.NotFound = (errors.NotFound || 0) + 1; failed++; }
  } catch (e) {
    countError(e);
  }
}
async function transact(i) {
  const a = txItem(i, "A"), b = txItem(i, "B");
  const out = await timed(() => client.send(new TransactWriteItemsCommand({
    TransactItems: [{ Put: { TableName: opt.table, Item: a } }, { Put: { TableName: opt.table, Item: b } }],
  })));
  if (out) { items += 2; logWrite(a); logWrite(b); }
}

async function loop() {
  if (opt.op === "query") return queryLoop();
  for (let i; (i = claim()) >= 0;) {
    switch (opt.op) {
      case "put": await put(i); break;
      case "get": await get(i); break;
      case "mixed": if (mixedIsGet(i)) await get(i); else await put(i); break;
      case "transact": await transact(i); break;
    }
  }
}

// Passes over the query partition, page by page (ops = Query calls), up to --items items a pass
// (counted as read only up to that limit, as ddb's query_prefix limit does). With --requests every
// loop reads the partition once and the run stops early after that many pages; with --duration
// the loops read it again and again.
async function queryLoop() {
  do {
    let got = 0, start;
    while (!stopped()) {
      const input = {
        TableName: opt.table,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)",
        ExpressionAttributeValues: { ":pk": { S: queryPk }, ":p": { S: "ITEM#" } },
      };
      if (opt.pageSize) input.Limit = opt.pageSize;
      if (start) input.ExclusiveStartKey = start;
      const out = await timed(() => client.send(new QueryCommand(input)));
      pages++;
      if (!out) continue;            // retry the same page
      const n = Math.min(out.Items ? out.Items.length : 0, opt.items - got);
      got += n; items += n;
      start = out.LastEvaluatedKey;
      if (!start || got >= opt.items) break;
    }
  } while (opt.requests === undefined && !stopped());
}

async function createTable() {
  try {
    await client.send(new CreateTableCommand({
      TableName: opt.table,
      AttributeDefinitions: [{ AttributeName: "PK", AttributeType: "S" }, { AttributeName: "SK", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "PK", KeyType: "HASH" }, { AttributeName: "SK", KeyType: "RANGE" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
  } catch (e) {
    if (e.name !== "ResourceInUseException") throw e;
  }
  for (let k = 0; k < 600; k++) {
    const d = await client.send(new DescribeTableCommand({ TableName: opt.table }));
    if (d.Table?.TableStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`table ${opt.table} did not become ACTIVE`);
}

// Batch-writes the query partition (not timed), 25 items a request, unprocessed items resent.
async function loadQueryPartition() {
  let i = 0;
  async function writer() {
    for (;;) {
      const batch = [];
      while (batch.length < 25 && i < opt.items) batch.push(queryItem(i++));
      if (batch.length === 0) return;
      let req = { [opt.table]: batch.map((Item) => ({ PutRequest: { Item } })) };
      for (let attempt = 0; req && Object.keys(req).length; attempt++) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: req }));
        req = out.UnprocessedItems;
        if (req && Object.keys(req).length) await new Promise((r) => setTimeout(r, Math.min(1000, 10 << attempt)));
      }
      for (const it of batch) logWrite(it);
    }
  }
  await Promise.all(Array.from({ length: Math.min(opt.concurrency, 16) }, writer));
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k];
}
const round = (x, d = 3) => Number(x.toFixed(d));

async function main() {
  if (opt.createTable) await createTable();
  if (opt.load && opt.op === "query") await loadQueryPartition();

  const cpu0 = process.cpuUsage();
  const t0 = now();
  if (opt.duration !== undefined) deadline = t0 + opt.duration * 1e9;
  let lastOps = 0, lastT = t0;
  const progress = setInterval(() => {
    if (opt.quiet) return;
    const t = now();
    const rate = (ops - lastOps) / ((t - lastT) / 1e9);
    lastOps = ops; lastT = t;
    process.stderr.write(`[js-sdk-v3 ${((t - t0) / 1e9).toFixed(0)}s] ops=${ops} ops/s=${rate.toFixed(0)} errors=${failed}\n`);
  }, 1000);
  await Promise.all(Array.from({ length: opt.concurrency }, loop));
  clearInterval(progress);
  const seconds = (now() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);

  const sorted = lat.subarray(0, nlat).sort();
  const result = {
    client: "js-sdk-v3", op: opt.op, concurrency: opt.concurrency, threads: 1,
    ops, items, errors, retries,
    seconds: round(seconds, 6),
    ops_per_sec: round(ops / seconds, 1),
    items_per_sec: round(items / seconds, 1),
    bytes_per_sec: round(bodyBytes / seconds, 1),
    latency_ms: {
      p50: round(percentile(sorted, 50), 4), p90: round(percentile(sorted, 90), 4),
      p99: round(percentile(sorted, 99), 4), max: round(nlat ? sorted[nlat - 1] : 0, 4),
    },
    cpu_seconds: round((cpu.user + cpu.system) / 1e6, 6),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
  if (logFd !== null) fs.closeSync(logFd);
  client.destroy();
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`bench.mjs: ${e?.stack || e}\n`);
  process.exit(1);
});
