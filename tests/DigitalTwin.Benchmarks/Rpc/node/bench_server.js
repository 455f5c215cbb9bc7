// grpc-js server of digitaltwin.bench.v1.BenchService for the rpc benchmark. Prints "LISTENING <port>".
// Usage: node bench_server.js <proto root>
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [protoRoot] = process.argv.slice(2);
const definition = protoLoader.loadSync('digitaltwin/bench/v1/bench_service.proto', { includeDirs: [protoRoot], longs: Number });
const service = grpc.loadPackageDefinition(definition).digitaltwin.bench.v1.BenchService.service;

const handlers = {
  unary(call, callback) {
    callback(null, call.request);
  },

  // Streams count messages, waiting for 'drain' whenever the transport pushes back.
  serverStream(call) {
    const message = { data: Buffer.alloc(call.request.size) };
    let sent = 0;
    const pump = () => {
      while (sent < call.request.count) {
        sent++;
        if (!call.write(message)) {
          call.once('drain', pump);
          return;
        }
      }
      call.end();
    };
    pump();
  },

  clientStream(call, callback) {
    let count = 0;
    let bytes = 0;
    call.on('data', (m) => {
      count++;
      bytes += m.data.length;
    });
    call.on('end', () => callback(null, { count, bytes }));
  },
};

const server = new grpc.Server();
server.addService(service, handlers);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`bind failed: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on('SIGTERM', () => server.forceShutdown());
