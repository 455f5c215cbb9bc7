#!/usr/bin/python3
"""python3-grpcio (Debian) as an independent gRPC peer for the interop tests.

Messages come from a FileDescriptorSet written by the C# test (Debian's python3-protobuf cannot import
_pb2 modules from the newer protoc), built with descriptor_pool + message_factory.

  interop.py client <descriptor set> (<case> <tag> <host:port>)...   runs the cases one after another,
                                                                printing "PASS <case> <detail>" or
                                                                "FAIL <case> <reason>" for each
  interop.py server <descriptor set>                            serves InteropService (gzip responses),
                                                                prints "LISTENING <port>" and
                                                                "CANCELLED <tag> <reason>"
"""
import sys
import threading
import time
from concurrent import futures

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SERVICE = 'digitaltwin.testing.v1.InteropService'
BIG = 16 * 1024 * 1024
LIMITS = [('grpc.max_receive_message_length', BIG), ('grpc.max_send_message_length', BIG)]


def load_messages(path):
    with open(path, 'rb') as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for proto in files.file:
        pool.Add(proto)
    factory = message_factory.MessageFactory(pool)

    def message(name):
        descriptor = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, 'GetMessageClass'):
            return message_factory.GetMessageClass(descriptor)
        return factory.GetPrototype(descriptor)

    return message


def pattern(size):
    return bytes(i % 251 for i in range(size))


def check(condition, text):
    if not condition:
        raise AssertionError(text)


def expect_error(action, code):
    try:
        action()
    except grpc.RpcError as error:
        check(error.code() == code, f'expected {code}, got {error.code()}: {error.details()}')
        return error
    raise AssertionError(f'expected {code} but the call succeeded')


def run_client(target, descriptors, case, tag):
    message = load_messages(descriptors)
    EchoRequest = message('digitaltwin.testing.v1.EchoRequest')
    EchoResponse = message('digitaltwin.testing.v1.EchoResponse')
    options = LIMITS
    compression = grpc.Compression.Gzip if case == 'gzip' else None
    channel = grpc.insecure_channel(target, options=options, compression=compression)

    def method(kind, name, request=EchoRequest, response=EchoResponse, service=SERVICE):
        factory = getattr(channel, kind)
        return factory(f'/{service}/{name}', request_serializer=request.SerializeToString,
                       response_deserializer=response.FromString)

    unary = method('unary_unary', 'Unary')
    server_stream = method('unary_stream', 'ServerStream')
    client_stream = method('stream_unary', 'ClientStream')
    bidi = method('stream_stream', 'Bidi')

    if case == 'unary':
        response = unary(EchoRequest(payload=b'hello from grpcio', tag=tag), timeout=30)
        check(response.payload == b'hello from grpcio' and response.tag == tag, f'bad echo {response}')
        return 'echoed'
    if case == 'server_stream':
        indexes = [m.index for m in server_stream(EchoRequest(response_count=25, response_size=3), timeout=30)]
        check(indexes == list(range(25)), f'indexes {indexes}')
        return f'{len(indexes)} messages'
    if case == 'client_stream':
        response = client_stream(iter([EchoRequest(payload=bytes(i + 1)) for i in range(10)]), timeout=30)
        check(response.received_count == 10 and response.received_bytes == 55, f'counts {response}')  # sum of i+1, i < 10
        return 'counted'
    if case == 'bidi':
        requests = iter([EchoRequest(tag=f'ping {i}') for i in range(5)])
        tags = [m.tag for m in bidi(requests, timeout=30)]
        check(tags == [f'ping {i}' for i in range(5)], f'tags {tags}')
        return 'five pongs'
    if case == 'error_status':
        spec = EchoRequest(tag=tag)
        spec.status.code = 5
        spec.status.message = 'cell 42 not found: 100% ünïcödé'
        spec.status.trailers['x-trailer'] = 'trailer value'
        spec.status.binary_trailers['x-detail-bin'] = bytes([0, 1, 2, 253, 254, 255])
        error = expect_error(lambda: unary(spec, timeout=30), grpc.StatusCode.NOT_FOUND)
        check(error.details() == 'cell 42 not found: 100% ünïcödé', f'details {error.details()!r}')
        trailers = dict(error.trailing_metadata())
        check(trailers.get('x-trailer') == 'trailer value', f'trailers {trailers}')
        check(trailers.get('x-detail-bin') == bytes([0, 1, 2, 253, 254, 255]), f'trailers {trailers}')
        return 'status, message and trailers'
    if case == 'deadline':
        # Connect first, so the deadline is spent waiting in the handler rather than on connection set-up.
        unary(EchoRequest(tag='warm-up'), timeout=30)
        expect_error(lambda: unary(EchoRequest(tag=tag, wait_for_cancellation=True), timeout=1.0),
                     grpc.StatusCode.DEADLINE_EXCEEDED)
        return 'deadline exceeded'
    if case == 'cancel':
        # No timeout here: the server must see a plain cancellation, not a call with a deadline.
        call = server_stream(EchoRequest(tag=tag, response_count=1, wait_for_cancellation=True))
        next(call)
        call.cancel()
        error = expect_error(lambda: next(call), grpc.StatusCode.CANCELLED)
        return f'cancelled ({error.code()})'
    if case == 'metadata':
        blob = bytes([0, 255, 1, 254, 2])
        response, call = unary.with_call(EchoRequest(tag=tag, echo_metadata=True), timeout=30,
                                         metadata=[('x-echo-text', 'plain text'), ('x-echo-blob-bin', blob)])
        for name, received in (('headers', dict(call.initial_metadata())), ('trailers', dict(call.trailing_metadata()))):
            check(received.get('x-echo-text') == 'plain text', f'{name} {received}')
            check(received.get('x-echo-blob-bin') == blob, f'{name} {received}')
        return 'headers and trailers echoed'
    if case == 'large':
        size = 8 * 1024 * 1024 + 17
        response = unary(EchoRequest(payload=pattern(size), response_size=9 * 1024 * 1024), timeout=60)
        check(response.received_bytes == size, f'received {response.received_bytes}')
        check(response.payload == pattern(9 * 1024 * 1024), 'response payload differs from the pattern')
        return '8 MiB up, 9 MiB down'
    if case == 'gzip':
        response = unary(EchoRequest(payload=bytes(64 * 1024), response_size=32 * 1024), timeout=30)
        check(response.request_encoding == 'gzip', f'request encoding {response.request_encoding!r}')
        check(response.response_encoding == 'gzip', f'response encoding {response.response_encoding!r}')
        check(response.payload == pattern(32 * 1024), 'payload differs')
        return 'gzip both ways'
    if case == 'health':
        Request = message('grpc.health.v1.HealthCheckRequest')
        Response = message('grpc.health.v1.HealthCheckResponse')
        check_call = method('unary_unary', 'Check', Request, Response, 'grpc.health.v1.Health')
        watch_call = method('unary_stream', 'Watch', Request, Response, 'grpc.health.v1.Health')
        check(check_call(Request(service=''), timeout=30).status == 1, 'server not SERVING')
        check(check_call(Request(service=SERVICE), timeout=30).status == 1, 'service not SERVING')
        expect_error(lambda: check_call(Request(service='no.such.Service'), timeout=30), grpc.StatusCode.NOT_FOUND)
        watch = watch_call(Request(service=SERVICE), timeout=30)
        first = next(watch)
        watch.cancel()
        check(first.status == 1, f'watch said {first.status}')
        return 'check and watch'
    if case == 'reflection':
        results = []
        for version in ('v1', 'v1alpha'):
            Request = message(f'grpc.reflection.{version}.ServerReflectionRequest')
            Response = message(f'grpc.reflection.{version}.ServerReflectionResponse')
            info = method('stream_stream', 'ServerReflectionInfo', Request, Response, f'grpc.reflection.{version}.ServerReflection')
            answers = list(info(iter([Request(list_services=''), Request(file_containing_symbol=SERVICE)]), timeout=30))
            names = [s.name for s in answers[0].list_services_response.service]
            for expected in (SERVICE, 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection',
                             'grpc.reflection.v1alpha.ServerReflection'):
                check(expected in names, f'{version}: {expected} missing from {names}')
            files = [descriptor_pb2.FileDescriptorProto.FromString(b).name
                     for b in answers[1].file_descriptor_response.file_descriptor_proto]
            check(files[0] == 'digitaltwin/testing/v1/interop_service.proto', f'{version}: files {files}')
            check(set(files) == {'digitaltwin/testing/v1/interop_service.proto', 'digitaltwin/testing/v1/interop_messages.proto',
                                 'google/protobuf/duration.proto'}, f'{version}: files {files}')
            results.append(f'{version}: {len(names)} services')
        return '; '.join(results)
    raise SystemExit(f'unknown case {case!r}')


def run_server(descriptors):
    message = load_messages(descriptors)
    EchoRequest = message('digitaltwin.testing.v1.EchoRequest')
    EchoResponse = message('digitaltwin.testing.v1.EchoResponse')
    output = threading.Lock()

    def say(line):
        with output:
            sys.stdout.write(line + '\n')
            sys.stdout.flush()

    def respond(req, index, received_bytes, received_count):
        payload = pattern(req.response_size) if req.response_size > 0 else req.payload
        return EchoResponse(payload=payload, index=index, tag=req.tag, received_bytes=received_bytes,
                            received_count=received_count)

    def begin(req, context):
        trailers = []
        if req.echo_metadata:
            trailers = [(k, v) for k, v in context.invocation_metadata() if k.startswith('x-echo-')]
            context.send_initial_metadata(trailers)
        return trailers

    def finish(req, context, trailers):
        if req.HasField('status') and req.status.code != 0:
            extra = list(req.status.trailers.items()) + list(req.status.binary_trailers.items())
            context.set_trailing_metadata(trailers + extra)
            context.set_code(next(c for c in grpc.StatusCode if c.value[0] == req.status.code))
            context.set_details(req.status.message)
            return False
        context.set_trailing_metadata(trailers)
        return True

    def wait_cancelled(req, context):
        # Without a deadline grpcio reports None or an effectively infinite time.
        remaining = context.time_remaining()
        had_deadline = remaining is not None and remaining < 24 * 3600
        done = threading.Event()
        context.add_callback(done.set)
        done.wait()
        # "deadline" when the call carried one: whether our timer or the client's RST_STREAM at its deadline
        # gets here first depends on transit time, which a busy machine stretches unpredictably.
        say(f'CANCELLED {req.tag} {"deadline" if had_deadline else "cancelled"}')

    def unary(req, context):
        trailers = begin(req, context)
        if req.wait_for_cancellation:
            wait_cancelled(req, context)
            return EchoResponse()
        response = respond(req, 0, len(req.payload), 1)
        response.request_encoding = dict(context.invocation_metadata()).get('grpc-encoding', '')
        return response if finish(req, context, trailers) else EchoResponse()

    def server_stream(req, context):
        trailers = begin(req, context)
        for i in range(req.response_count):
            if i > 0 and req.HasField('delay'):
                time.sleep(req.delay.ToTimedelta().total_seconds())
            yield respond(req, i, len(req.payload), 1)
        if req.wait_for_cancellation:
            wait_cancelled(req, context)
            return
        finish(req, context, trailers)

    def client_stream(requests, context):
        first, total, count, trailers = None, 0, 0, []
        for req in requests:
            if first is None:
                first = req
                trailers = begin(req, context)
            total += len(req.payload)
            count += 1
        first = first or EchoRequest()
        response = respond(first, 0, total, count)
        return response if finish(first, context, trailers) else EchoResponse()

    def bidi(requests, context):
        total, count, trailers, last = 0, 0, [], None
        for req in requests:
            if count == 0:
                trailers = begin(req, context)
            count += 1
            total += len(req.payload)
            last = req
            yield respond(req, count - 1, total, count)
            if req.HasField('status') and req.status.code != 0:
                break
        if last is not None:
            finish(last, context, trailers)

    handlers = {
        'Unary': grpc.unary_unary_rpc_method_handler(unary, EchoRequest.FromString, EchoResponse.SerializeToString),
        'ServerStream': grpc.unary_stream_rpc_method_handler(server_stream, EchoRequest.FromString, EchoResponse.SerializeToString),
        'ClientStream': grpc.stream_unary_rpc_method_handler(client_stream, EchoRequest.FromString, EchoResponse.SerializeToString),
        'Bidi': grpc.stream_stream_rpc_method_handler(bidi, EchoRequest.FromString, EchoResponse.SerializeToString),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=LIMITS, compression=grpc.Compression.Gzip)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port('127.0.0.1:0')
    server.start()
    say(f'LISTENING {port}')
    server.wait_for_termination()


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == 'client':
        descriptors, runs = sys.argv[2], sys.argv[3:]
        for i in range(0, len(runs) - 2, 3):
            case, tag, target = runs[i:i + 3]
            try:
                detail = run_client(target, descriptors, case, tag)
            except Exception as error:  # noqa: BLE001 - every failure is reported to the C# test
                import traceback
                traceback.print_exc()
                print(f'FAIL {case} {" ".join(str(error).split())}', flush=True)
                continue
            print(f'PASS {case} {detail}', flush=True)
        return
    if len(sys.argv) == 3 and sys.argv[1] == 'server':
        run_server(sys.argv[2])
        return
    sys.stderr.write(__doc__)
    sys.exit(2)


if __name__ == '__main__':
    main()
