// grpc-js server of digitaltwin.testing.v1.InteropService with the same request-driven behaviour as the
// C# test service. Prints "LISTENING <port>" once bound and "CANCELLED <tag> <reason>" for watched calls.
// grpc-js decompresses requests but cannot compress responses (server-interceptors.js says so).
// Usage: node interop_server.js <proto root>
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [protoRoot] = process.argv.slice(2);
const definition = protoLoader.loadSync('digitaltwin/testing/v1/interop_service.proto', {
  includeDirs: [protoRoot], keepCase: false, longs: Number, enums: String, defaults: true,
});
const service = grpc.loadPackageDefinition(definition).digitaltwin.testing.v1.InteropService.service;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const delayMs = (d) => (d ? Number(d.seconds) * 1000 + d.nanos / 1e6 : 0);

function pattern(size) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

function respond(req, index, receivedBytes, receivedCount) {
  return {
    payload: req.responseSize > 0 ? pattern(req.responseSize) : req.payload,
    index, tag: req.tag, receivedBytes, receivedCount,
  };
}

// Echoes x-echo-* request metadata as response headers; returns the same entries as trailers.
function begin(call, req) {
  const trailers = new grpc.Metadata();
  if (req.echoMetadata) {
    const headers = new grpc.Metadata();
    for (const [key, value] of Object.entries(call.metadata.getMap())) {
      if (key.startsWith('x-echo-')) {
        headers.add(key, value);
        trailers.add(key, value);
      }
    }
    call.sendMetadata(headers);
  }
  return trailers;
}

function statusError(spec, trailers) {
  const metadata = trailers.clone();
  for (const [key, value] of Object.entries(spec.trailers || {})) metadata.add(key, value);
  for (const [key, value] of Object.entries(spec.binaryTrailers || {})) metadata.add(key, Buffer.from(value));
  return { code: spec.code, details: spec.message, metadata };
}

// "deadline" when the call carried one: whether our timer or the client's RST_STREAM at its deadline gets
// here first depends on transit time, which a busy machine stretches unpredictably.
function watchCancellation(call, tag) {
  const report = () => {
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : Number(deadline);
    process.stdout.write(`CANCELLED ${tag} ${Number.isFinite(at) ? 'deadline' : 'cancelled'}\n`);
  };
  if (call.cancelled) report();
  else call.on('cancelled', report);
}

const handlers = {
  async unary(call, callback) {
    const req = call.request;
    const trailers = begin(call, req);
    if (req.waitForCancellation) {
      watchCancellation(call, req.tag);
      return;
    }
    if (req.delay) await sleep(delayMs(req.delay));
    if (req.status && req.status.code !== 0) {
      callback(statusError(req.status, trailers));
      return;
    }
    callback(null, respond(req, 0, req.payload.length, 1), trailers);
  },

  async serverStream(call) {
    const req = call.request;
    const trailers = begin(call, req);
    if (req.waitForCancellation) watchCancellation(call, req.tag);
    for (let i = 0; i < req.responseCount; i++) {
      if (i > 0 && req.delay) await sleep(delayMs(req.delay));
      if (call.cancelled) return;
      call.write(respond(req, i, req.payload.length, 1));
    }
    if (req.waitForCancellation) return;
    if (req.status && req.status.code !== 0) {
      call.emit('error', statusError(req.status, trailers));
      return;
    }
    call.end(trailers);
  },

  clientStream(call, callback) {
    let first = null;
    let trailers = new grpc.Metadata();
    let bytes = 0;
    let count = 0;
    call.on('data', (req) => {
      if (!first) {
        first = req;
        trailers = begin(call, req);
      }
      bytes += req.payload.length;
      count++;
    });
    call.on('end', () => {
      const req = first || { payload: Buffer.alloc(0), responseSize: 0, tag: '' };
      if (req.status && req.status.code !== 0) {
        callback(statusError(req.status, trailers));
        return;
      }
      callback(null, respond(req, 0, bytes, count), trailers);
    });
  },

  bidi(call) {
    let count = 0;
    let bytes = 0;
    let trailers = new grpc.Metadata();
    let ended = false;
    call.on('data', (req) => {
      if (ended) return;
      if (count === 0) trailers = begin(call, req);
      count++;
      bytes += req.payload.length;
      call.write(respond(req, count - 1, bytes, count));
      if (req.status && req.status.code !== 0) {
        ended = true;
        call.emit('error', statusError(req.status, trailers));
      }
    });
    call.on('end', () => {
      if (!ended) call.end(trailers);
    });
  },
};

const options = {
  'grpc.max_receive_message_length': 32 * 1024 * 1024,
  'grpc.max_send_message_length': 32 * 1024 * 1024,
};
const server = new grpc.Server(options);
server.addService(service, handlers);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`bind failed: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on('SIGTERM', () => server.forceShutdown());
