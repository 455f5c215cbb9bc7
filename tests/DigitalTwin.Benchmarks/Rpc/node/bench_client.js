// grpc-js load generator for the rpc benchmark: runs one workload for warm-up + measured seconds and
// prints {"operations": n, "seconds": s} for the measured part.
// Usage: node bench_client.js <host:port> <proto root> <unary|server-stream|client-stream> <concurrency> <warmup s> <measure s>
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [target, protoRoot, workload, concurrencyText, warmupText, measureText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const warmupMs = Number(warmupText) * 1000;
const measureMs = Number(measureText) * 1000;
const definition = protoLoader.loadSync('digitaltwin/bench/v1/bench_service.proto', { includeDirs: [protoRoot], longs: Number });
const Client = grpc.loadPackageDefinition(definition).digitaltwin.bench.v1.BenchService;
const client = new Client(target, grpc.credentials.createInsecure());

const PAYLOAD = { data: Buffer.alloc(16) };
const STREAM_SIZE = 64;
const STREAM_BATCH = 10000;
// Client streams are counted when their summary arrives; small batches keep that count fine-grained.
const CLIENT_STREAM_BATCH = 1000;

let measuring = false;
let operations = 0;
let stopping = false;
const count = (n) => {
  if (measuring) operations += n;
};

function unaryWorker() {
  return new Promise((resolve, reject) => {
    const next = () => {
      if (stopping) return resolve();
      client.unary(PAYLOAD, (error) => {
        if (error) return reject(error);
        count(1);
        next();
      });
    };
    next();
  });
}

function serverStreamWorker() {
  return new Promise((resolve, reject) => {
    const next = () => {
      if (stopping) return resolve();
      const call = client.serverStream({ count: STREAM_BATCH, size: STREAM_SIZE });
      call.on('data', () => count(1));
      call.on('error', reject);
      call.on('end', next);
    };
    next();
  });
}

function clientStreamWorker() {
  const message = { data: Buffer.alloc(STREAM_SIZE) };
  return new Promise((resolve, reject) => {
    const next = () => {
      if (stopping) return resolve();
      let sent = 0;
      const call = client.clientStream((error, summary) => {
        if (error) return reject(error);
        count(summary.count);
        next();
      });
      const pump = () => {
        while (sent < CLIENT_STREAM_BATCH) {
          sent++;
          if (!call.write(message)) {
            call.once('drain', pump);
            return;
          }
        }
        call.end();
      };
      pump();
    };
    next();
  });
}

const worker = { 'unary': unaryWorker, 'server-stream': serverStreamWorker, 'client-stream': clientStreamWorker }[workload];
if (!worker) {
  process.stderr.write(`unknown workload ${workload}\n`);
  process.exit(2);
}

// One call first, so connecting and JIT compiling never fall into the timed windows.
let started = 0n;
client.unary(PAYLOAD, (error) => {
  if (error) {
    process.stderr.write(`first call failed: ${error.stack || error}\n`);
    process.exit(1);
  }
  Promise.all(Array.from({ length: concurrency }, () => worker())).catch((error) => {
    process.stderr.write(`workload failed: ${error.stack || error}\n`);
    process.exit(1);
  });
  setTimeout(() => {
    measuring = true;
    started = process.hrtime.bigint();
    setTimeout(() => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      measuring = false;
      stopping = true;
      process.stdout.write(JSON.stringify({ operations, seconds }) + '\n');
      process.exit(0);
    }, measureMs);
  }, warmupMs);
});
