// grpc-js client that runs interop cases against servers, one after another, printing "PASS <case> <detail>"
// or "FAIL <case> <reason>" per case (stack traces go to stderr for the C# test to show).
// Usage: node interop_client.js <test proto root> <runtime proto root> (<case> <tag> <host:port>)...
'use strict';
const assert = require('assert/strict');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [protoRoot, runtimeProtoRoot, ...runs] = process.argv.slice(2);
const loadOptions = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };
const testing = grpc.loadPackageDefinition(protoLoader.loadSync('digitaltwin/testing/v1/interop_service.proto',
  { ...loadOptions, includeDirs: [protoRoot] })).digitaltwin.testing.v1;
const health = grpc.loadPackageDefinition(protoLoader.loadSync('grpc/health/v1/health.proto',
  { ...loadOptions, includeDirs: [runtimeProtoRoot] })).grpc.health.v1;
const reflectionV1 = grpc.loadPackageDefinition(protoLoader.loadSync('grpc/reflection/v1/reflection.proto',
  { ...loadOptions, includeDirs: [runtimeProtoRoot] })).grpc.reflection.v1;
const reflectionV1Alpha = grpc.loadPackageDefinition(protoLoader.loadSync('grpc/reflection/v1alpha/reflection.proto',
  { ...loadOptions, includeDirs: [runtimeProtoRoot] })).grpc.reflection.v1alpha;

const big = 16 * 1024 * 1024;

// The case being run: its server, tag and a fresh client (gzip turned on for the gzip case).
let target = '';
let tag = '';
let client = null;
function connect(testCase) {
  const channelOptions = { 'grpc.max_receive_message_length': big, 'grpc.max_send_message_length': big };
  if (testCase === 'gzip') channelOptions['grpc.default_compression_algorithm'] = 2;
  client = new testing.InteropService(target, grpc.credentials.createInsecure(), channelOptions);
}

function pattern(size) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

const unary = (request, metadata = new grpc.Metadata(), options = {}) => new Promise((resolve, reject) => {
  const call = client.unary(request, metadata, options, (error, response) => (error ? reject(error) : resolve({ response, call })));
});

function collect(call) {
  return new Promise((resolve, reject) => {
    const messages = [];
    call.on('data', (m) => messages.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(messages));
  });
}

async function expectError(promise, code) {
  try {
    await promise;
  } catch (error) {
    assert.equal(error.code, code, `expected status ${code}, got ${error.code}: ${error.details}`);
    return error;
  }
  throw new Error(`expected status ${code} but the call succeeded`);
}

function reflectionList(stub) {
  return new Promise((resolve, reject) => {
    const call = stub.serverReflectionInfo();
    const answers = [];
    call.on('data', (m) => answers.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(answers));
    call.write({ listServices: '' });
    call.write({ fileContainingSymbol: 'digitaltwin.testing.v1.InteropService' });
    call.end();
  });
}

const cases = {
  async unary() {
    const { response } = await unary({ payload: Buffer.from('hello from grpc-js'), tag });
    assert.equal(response.payload.toString(), 'hello from grpc-js');
    assert.equal(response.tag, tag);
    return 'echoed';
  },

  async server_stream() {
    const messages = await collect(client.serverStream({ responseCount: 25, responseSize: 3, tag }));
    assert.deepEqual(messages.map((m) => m.index), [...Array(25).keys()]);
    assert.deepEqual([...messages[24].payload], [0, 1, 2]);
    return `${messages.length} messages`;
  },

  async client_stream() {
    const response = await new Promise((resolve, reject) => {
      const call = client.clientStream((error, r) => (error ? reject(error) : resolve(r)));
      for (let i = 0; i < 10; i++) call.write({ payload: Buffer.alloc(i + 1) });
      call.end();
    });
    assert.equal(response.receivedCount, 10);
    assert.equal(response.receivedBytes, 55); // Σ (i + 1) for i < 10
    return 'counted';
  },

  async bidi() {
    const call = client.bidi();
    const seen = [];
    const done = new Promise((resolve, reject) => {
      call.on('error', reject);
      call.on('end', resolve);
    });
    for (let i = 0; i < 5; i++) {
      const next = new Promise((resolve) => call.once('data', resolve));
      call.write({ tag: `ping ${i}` });
      const pong = await next;
      seen.push(pong.tag);
    }
    call.end();
    await done;
    assert.deepEqual(seen, ['ping 0', 'ping 1', 'ping 2', 'ping 3', 'ping 4']);
    return 'ping-pong';
  },

  async error_status() {
    const error = await expectError(unary({
      tag,
      status: {
        code: grpc.status.NOT_FOUND,
        message: 'cell 42 not found: 100% ünïcödé',
        trailers: { 'x-trailer': 'trailer value' },
        binaryTrailers: { 'x-detail-bin': Buffer.from([0, 1, 2, 253, 254, 255]) },
      },
    }), grpc.status.NOT_FOUND);
    assert.equal(error.details, 'cell 42 not found: 100% ünïcödé');
    assert.deepEqual(error.metadata.get('x-trailer'), ['trailer value']);
    assert.deepEqual([...error.metadata.get('x-detail-bin')[0]], [0, 1, 2, 253, 254, 255]);
    return 'status, message and trailers';
  },

  async deadline() {
    // Connect first, so the deadline is spent waiting in the handler rather than on connection set-up.
    await unary({ tag: 'warm-up' });
    await expectError(unary({ tag, waitForCancellation: true }, new grpc.Metadata(), { deadline: Date.now() + 1000 }), grpc.status.DEADLINE_EXCEEDED);
    return 'deadline exceeded';
  },

  async cancel() {
    const call = client.serverStream({ tag, responseCount: 1, waitForCancellation: true });
    const result = await new Promise((resolve, reject) => {
      call.on('data', () => call.cancel());
      call.on('error', resolve);
      call.on('end', () => reject(new Error('stream ended instead of being cancelled')));
    });
    assert.equal(result.code, grpc.status.CANCELLED);
    return 'cancelled';
  },

  async metadata() {
    const metadata = new grpc.Metadata();
    metadata.add('x-echo-text', 'plain text');
    metadata.add('x-echo-blob-bin', Buffer.from([0, 255, 1, 254, 2]));
    const call = client.unary({ tag, echoMetadata: true }, metadata, () => {});
    const [headers, status] = await Promise.all([
      new Promise((resolve) => call.on('metadata', resolve)),
      new Promise((resolve) => call.on('status', resolve)),
    ]);
    assert.equal(status.code, grpc.status.OK);
    assert.deepEqual(headers.get('x-echo-text'), ['plain text']);
    assert.deepEqual([...headers.get('x-echo-blob-bin')[0]], [0, 255, 1, 254, 2]);
    assert.deepEqual(status.metadata.get('x-echo-text'), ['plain text']);
    assert.deepEqual([...status.metadata.get('x-echo-blob-bin')[0]], [0, 255, 1, 254, 2]);
    return 'headers and trailers echoed';
  },

  async large() {
    const size = 8 * 1024 * 1024 + 17;
    const payload = pattern(size);
    const { response } = await unary({ payload, responseSize: 9 * 1024 * 1024, tag });
    assert.equal(response.payload.length, 9 * 1024 * 1024);
    assert.ok(response.payload.equals(pattern(9 * 1024 * 1024)), 'response payload differs from the pattern');
    assert.equal(response.receivedBytes, size);
    return '8 MiB up, 9 MiB down';
  },

  async gzip() {
    const { response } = await unary({ payload: Buffer.alloc(64 * 1024, 7), tag, responseSize: 32 * 1024 });
    assert.equal(response.requestEncoding, 'gzip');
    assert.equal(response.responseEncoding, 'gzip');
    assert.equal(response.receivedBytes, 64 * 1024);
    assert.ok(response.payload.equals(pattern(32 * 1024)));
    return 'gzip both ways';
  },

  async health() {
    const stub = new health.Health(target, grpc.credentials.createInsecure());
    const check = (service) => new Promise((resolve, reject) => stub.check({ service }, (e, r) => (e ? reject(e) : resolve(r))));
    assert.equal((await check('')).status, 'SERVING');
    assert.equal((await check('digitaltwin.testing.v1.InteropService')).status, 'SERVING');
    await expectError(check('no.such.Service'), grpc.status.NOT_FOUND);
    const watch = stub.watch({ service: '' });
    const first = await new Promise((resolve, reject) => {
      watch.on('data', resolve);
      watch.on('error', reject);
    });
    watch.cancel();
    assert.equal(first.status, 'SERVING');
    return 'check and watch';
  },

  async reflection() {
    const results = [];
    for (const [name, pkg] of [['v1', reflectionV1], ['v1alpha', reflectionV1Alpha]]) {
      const stub = new pkg.ServerReflection(target, grpc.credentials.createInsecure());
      const [list, files] = await reflectionList(stub);
      const services = list.listServicesResponse.service.map((s) => s.name);
      for (const expected of ['digitaltwin.testing.v1.InteropService', 'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']) {
        assert.ok(services.includes(expected), `${name}: ${expected} missing from ${services}`);
      }
      assert.equal(files.messageResponse, 'fileDescriptorResponse');
      assert.equal(files.fileDescriptorResponse.fileDescriptorProto.length, 3, `${name}: service file and its two dependencies`);
      results.push(`${name}: ${services.length} services`);
    }
    return results.join('; ');
  },
};

async function main() {
  for (let i = 0; i + 2 < runs.length; i += 3) {
    const testCase = runs[i];
    [tag, target] = [runs[i + 1], runs[i + 2]];
    const run = cases[testCase];
    if (!run) {
      process.stdout.write(`FAIL ${testCase} unknown case; known: ${Object.keys(cases).join(', ')}\n`);
      continue;
    }
    connect(testCase);
    try {
      process.stdout.write(`PASS ${testCase} ${await run()}\n`);
    } catch (error) {
      process.stderr.write(`${testCase}: ${error && error.stack ? error.stack : error}\n`);
      process.stdout.write(`FAIL ${testCase} ${String(error && error.message ? error.message : error).replace(/\s+/g, ' ')}\n`);
    } finally {
      client.close();
    }
  }
}

main().then(() => process.exit(0));
