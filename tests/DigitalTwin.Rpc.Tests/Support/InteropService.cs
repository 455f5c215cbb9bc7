// The interop test service written the way the contracts project writes services: method declarations,
// a typed client and an implementation whose behaviour each request chooses (status, delay, metadata, size).
using System.Collections.Concurrent;
using DigitalTwin.Testing.V1;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Features;

namespace DigitalTwin.Rpc.Tests.Support;

public static class InteropServiceMethods
{
    public const string ServiceName = "digitaltwin.testing.v1.InteropService";

    public static readonly Method<EchoRequest, EchoResponse> Unary =
        new(MethodType.Unary, ServiceName, "Unary", EchoRequest.Parser, EchoResponse.Parser);

    public static readonly Method<EchoRequest, EchoResponse> ServerStream =
        new(MethodType.ServerStreaming, ServiceName, "ServerStream", EchoRequest.Parser, EchoResponse.Parser);

    public static readonly Method<EchoRequest, EchoResponse> ClientStream =
        new(MethodType.ClientStreaming, ServiceName, "ClientStream", EchoRequest.Parser, EchoResponse.Parser);

    public static readonly Method<EchoRequest, EchoResponse> Bidi =
        new(MethodType.DuplexStreaming, ServiceName, "Bidi", EchoRequest.Parser, EchoResponse.Parser);
}

public sealed class InteropServiceClient : ClientBase
{
    public InteropServiceClient(RpcChannel channel)
        : base(channel)
    {
    }

    public InteropServiceClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    public AsyncUnaryCall<EchoResponse> UnaryAsync(EchoRequest request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(InteropServiceMethods.Unary, options, request);

    public AsyncServerStreamingCall<EchoResponse> ServerStream(EchoRequest request, CallOptions options = default) =>
        CallInvoker.AsyncServerStreamingCall(InteropServiceMethods.ServerStream, options, request);

    public AsyncClientStreamingCall<EchoRequest, EchoResponse> ClientStream(CallOptions options = default) =>
        CallInvoker.AsyncClientStreamingCall(InteropServiceMethods.ClientStream, options);

    public AsyncDuplexStreamingCall<EchoRequest, EchoResponse> Bidi(CallOptions options = default) =>
        CallInvoker.AsyncDuplexStreamingCall(InteropServiceMethods.Bidi, options);
}

/// <summary>Server side of the interop service; records how calls waiting for cancellation ended.</summary>
public sealed class InteropServiceImpl
{
    private const int MaxResponseSize = 32 * 1024 * 1024;
    private const int MaxResponseCount = 100_000;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _cancellations = new(StringComparer.Ordinal);

    /// <summary>Completes once the call tagged so is cancelled: "deadline" if it carried a deadline, else "cancelled".</summary>
    public Task<string> CancellationObserved(string tag) => Signal(tag).Task;

    /// <summary>Completes when the call tagged so starts waiting for its cancellation.</summary>
    public Task<string> WaitingForCancellation(string tag) => Signal("started:" + tag).Task;

    public ServiceDefinition Bind() => ServiceDefinition
        .CreateBuilder(InteropServiceReflection.Descriptor.Services[0])
        .AddMethod(InteropServiceMethods.Unary, UnaryAsync)
        .AddMethod(InteropServiceMethods.ServerStream, ServerStreamAsync)
        .AddMethod(InteropServiceMethods.ClientStream, ClientStreamAsync)
        .AddMethod(InteropServiceMethods.Bidi, BidiAsync)
        .Build();

    private async Task<EchoResponse> UnaryAsync(EchoRequest request, ServerCallContext context)
    {
        await BeginAsync(request, context);
        var response = Respond(request, 0, request.Payload.Length, 1);
        var http = context.GetHttpContext()!;
        response.RequestEncoding = http.Request.Headers["grpc-encoding"].ToString();
        response.ResponseEncoding = http.Response.Headers["grpc-encoding"].ToString();
        response.ServerDeadlineUnixMs = context.Deadline == DateTime.MaxValue
            ? 0
            : new DateTimeOffset(context.Deadline, TimeSpan.Zero).ToUnixTimeMilliseconds();
        End(request, context);
        return response;
    }

    private async Task ServerStreamAsync(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        await BeginAsync(request, context);
        for (var i = 0; i < request.ResponseCount; i++)
        {
            if (i > 0 && request.Delay is not null)
            {
                await Task.Delay(request.Delay.ToTimeSpan(), context.CancellationToken);
            }

            await responseStream.WriteAsync(Respond(request, i, request.Payload.Length, 1));
        }

        if (request.ResetStream)
        {
            context.GetHttpContext()!.Features.Get<IHttpResetFeature>()!.Reset(0x8);
            return;
        }

        if (request.WaitForCancellation)
        {
            await WaitForCancellationAsync(request, context);
        }

        End(request, context);
    }

    private async Task<EchoResponse> ClientStreamAsync(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        EchoRequest? first = null;
        long bytes = 0;
        var count = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var request = requestStream.Current;
            if (first is null)
            {
                first = request;
                await BeginAsync(request, context);
            }

            bytes += request.Payload.Length;
            count++;
        }

        first ??= new EchoRequest();
        var response = Respond(first, 0, bytes, count);
        End(first, context);
        return response;
    }

    private async Task BidiAsync(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var count = 0;
        long bytes = 0;
        EchoRequest? last = null;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var request = requestStream.Current;
            if (count == 0)
            {
                await BeginAsync(request, context);
            }

            count++;
            bytes += request.Payload.Length;
            last = request;
            await responseStream.WriteAsync(Respond(request, count - 1, bytes, count));
            if (request.Status is { Code: not 0 })
            {
                End(request, context);
            }
        }

        if (last is not null)
        {
            End(last, context);
        }
    }

    private async Task BeginAsync(EchoRequest request, ServerCallContext context)
    {
        CheckBounds(request);
        if (request.ThrowException)
        {
            throw new InvalidOperationException("Handler failure requested by the test.");
        }

        if (request.EchoMetadata)
        {
            var headers = new Metadata();
            foreach (var entry in context.RequestHeaders)
            {
                if (entry.Key.StartsWith("x-echo-", StringComparison.Ordinal))
                {
                    headers.Add(entry);
                    context.ResponseTrailers.Add(entry);
                }
            }

            await context.WriteResponseHeadersAsync(headers);
        }

        if (request.Delay is not null && request.ResponseCount == 0)
        {
            await Task.Delay(request.Delay.ToTimeSpan(), context.CancellationToken);
        }

        if (request.WaitForCancellation && request.ResponseCount == 0)
        {
            await WaitForCancellationAsync(request, context);
        }
    }

    private async Task WaitForCancellationAsync(EchoRequest request, ServerCallContext context)
    {
        try
        {
            Signal("started:" + request.Tag).TrySetResult("waiting");
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            // "deadline" when the call carried one: whether our timer or the client's RST_STREAM at its deadline
            // gets here first depends on transit time, which a busy machine stretches unpredictably.
            Signal(request.Tag).TrySetResult(context.Deadline != DateTime.MaxValue ? "deadline" : "cancelled");
            throw;
        }
    }

    /// <summary>Fuzzed requests decode to arbitrary numbers; this keeps the service's own work bounded.</summary>
    private static void CheckBounds(EchoRequest request)
    {
        if (request.ResponseSize is < 0 or > MaxResponseSize || request.ResponseCount is < 0 or > MaxResponseCount
            || (request.Delay is not null && (request.Delay.Seconds is < 0 or > 60 || request.Delay.Nanos < 0)))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "response_size, response_count or delay out of range."));
        }
    }

    private static EchoResponse Respond(EchoRequest request, int index, long receivedBytes, int receivedCount)
    {
        CheckBounds(request);
        var payload = request.ResponseSize > 0 ? ByteString.CopyFrom(Pattern(request.ResponseSize)) : request.Payload;
        return new EchoResponse
        {
            Payload = payload,
            Index = index,
            Tag = request.Tag,
            ReceivedBytes = receivedBytes,
            ReceivedCount = receivedCount,
        };
    }

    private static void End(EchoRequest request, ServerCallContext context)
    {
        if (request.Status is not { } spec)
        {
            return;
        }

        var trailers = new Metadata();
        foreach (var (key, value) in spec.Trailers)
        {
            trailers.Add(key, value);
        }

        foreach (var (key, value) in spec.BinaryTrailers)
        {
            trailers.Add(key, value.ToByteArray());
        }

        if (spec.Code == 0)
        {
            foreach (var entry in trailers)
            {
                context.ResponseTrailers.Add(entry);
            }

            context.Status = new Status(StatusCode.OK, spec.Message);
            return;
        }

        throw new RpcException(new Status((StatusCode)spec.Code, spec.Message), trailers);
    }

    /// <summary>A deterministic payload (byte i = i mod 251) so corruption anywhere is detectable.</summary>
    public static byte[] Pattern(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)(i % 251);
        }

        return bytes;
    }

    private TaskCompletionSource<string> Signal(string tag) =>
        _cancellations.GetOrAdd(tag, static _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
}
