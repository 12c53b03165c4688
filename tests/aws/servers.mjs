// Local DynamoDB (dynalite, in memory) and SQS (fauxqs) servers for the aws
// backend tests. Both listen on 127.0.0.1 on free ports. When both listen,
// prints one line of JSON to stdout:
//   {"dynamodb":"http://127.0.0.1:P1","sqs":"http://127.0.0.1:P2"}
// and then serves until stdin reaches EOF (the parent keeps a pipe to it, so
// a parent that dies takes this process with it), SIGTERM or SIGINT; then it
// closes both servers and exits 0. Startup errors go to stderr, exit 1.
//
// Started by src/testing/aws_local_servers.cc; dependencies come from
// package-lock.json here (`npm ci`, scripts/install-npm.sh).

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const kHost = "127.0.0.1";
// A server that does not close in this time is abandoned: exit anyway.
const kCloseTimeoutMs = 3000;

function fail(what, err) {
  process.stderr.write(`servers.mjs: ${what}: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}

function startDynalite() {
  const dynalite = require("dynalite");
  // No delays: tables are ACTIVE as soon as CreateTable returns.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, kHost, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

async function startFauxqs() {
  // fauxqs's own startFauxqs() listens on 0.0.0.0; build the app and listen
  // on loopback ourselves. Its SqsStore is not exported, so load it from the
  // same dist/ directory the package entry point resolves to.
  const appUrl = import.meta.resolve("fauxqs");
  const { buildApp } = await import(appUrl);
  const { SqsStore } = await import(new URL("./sqs/sqsStore.js", appUrl).href);
  const sqsStore = new SqsStore();
  const app = buildApp({ logger: false, stores: { sqsStore } });
  const address = await app.listen({ port: 0, host: kHost });
  const port = new URL(address).port;
  // By default queue URLs are http://sqs.<region>.localhost:<port>/..., a
  // name that does not resolve everywhere. Make every QueueUrl point at the
  // address actually listened on; later requests must send it back exactly.
  sqsStore.host = "";
  const buildQueueUrl = sqsStore.buildQueueUrl.bind(sqsStore);
  sqsStore.buildQueueUrl = (name, _port, _requestHost, region) =>
    buildQueueUrl(name, port, `${kHost}:${port}`, region);
  return { app, url: `http://${kHost}:${port}` };
}

function closeDynalite(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open.
    if (server.closeAllConnections) server.closeAllConnections();
  });
}

async function main() {
  let dynamo;
  let sqs;
  try {
    dynamo = await startDynalite();
  } catch (err) {
    fail("dynalite did not start", err);
  }
  try {
    sqs = await startFauxqs();
  } catch (err) {
    fail("fauxqs did not start", err);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), kCloseTimeoutMs);
    timer.unref();
    await Promise.allSettled([closeDynalite(dynamo), sqs.app.close()]);
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();  // read (and drop) stdin so that EOF is seen
  // A reader that went away: nobody can use the servers any more.
  process.stdout.on("error", stop);

  const { port } = dynamo.address();
  const line = JSON.stringify({ dynamodb: `http://${kHost}:${port}`, sqs: sqs.url });
  process.stdout.write(line + "\n");
}

main().catch((err) => fail("unexpected error", err));
