// Endpoint request delegates: validate the HTTP request as a gRPC call, run the handler of one method
// kind, and map every outcome (success, RpcException, cancellation, deadline, crash) to a gRPC status.
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace DigitalTwin.Rpc.Server;

internal abstract class ServerCallHandler(IMethod method, ServerRuntime runtime)
{
    public IMethod Method { get; } = method;

    protected ServerRuntime Runtime { get; } = runtime;

    public Task HandleAsync(HttpContext httpContext)
    {
        if (!string.Equals(httpContext.Request.Path.Value, Method.FullName, StringComparison.Ordinal))
        {
            // Routing matches paths case-insensitively; gRPC paths are case-sensitive.
            return UnimplementedHandler.RespondAsync(httpContext, Runtime);
        }

        if (!RequestValidation.TryAccept(httpContext, Runtime))
        {
            return Task.CompletedTask;
        }

        var call = new HttpServerCallContext(httpContext, Method, Runtime);
        if (!call.Initialize())
        {
            call.Dispose();
            return Task.CompletedTask;
        }

        return RunAsync(call);
    }

    protected abstract Task InvokeAsync(HttpServerCallContext call);

    private async Task RunAsync(HttpServerCallContext call)
    {
        try
        {
            await InvokeAsync(call).ConfigureAwait(false);
            if (call.DeadlineExceeded)
            {
                ServerLog.DeadlineExceeded(Runtime.Logger, call.Method, call.Peer);
                call.Complete(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
                return;
            }

            call.Complete(call.Status, null);
        }
        catch (Exception ex)
        {
            Fail(call, ex);
        }
        finally
        {
            call.Dispose();
        }
    }

    private void Fail(HttpServerCallContext call, Exception ex)
    {
        if (call.DeadlineExceeded)
        {
            ServerLog.DeadlineExceeded(Runtime.Logger, call.Method, call.Peer);
            call.Complete(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
            return;
        }

        if (call.HttpContext.RequestAborted.IsCancellationRequested)
        {
            ServerLog.CallCancelled(Runtime.Logger, call.Method, call.Peer);
            call.Complete(Status.DefaultCancelled, null);
            return;
        }

        if (ex is RpcException rpc)
        {
            call.Complete(rpc.Status, rpc.Trailers);
            return;
        }

        if (ex is OperationCanceledException && call.CancellationToken.IsCancellationRequested)
        {
            call.Complete(new Status(StatusCode.Cancelled, "The call was cancelled."), null);
            return;
        }

        ServerLog.HandlerError(Runtime.Logger, call.Method, ex);
        var detail = Runtime.EnableDetailedErrors
            ? $"Exception was thrown by handler. {ex.GetType().Name}: {ex.Message}"
            : "Exception was thrown by handler.";
        call.Complete(new Status(StatusCode.Unknown, detail), null);
    }
}

internal sealed class UnaryCallHandler<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler, ServerRuntime runtime)
    : ServerCallHandler(method, runtime)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    protected override async Task InvokeAsync(HttpServerCallContext call)
    {
        var request = await call.ReadSingleMessageAsync(method.RequestParser).ConfigureAwait(false);
        var response = await handler(request, call).ConfigureAwait(false) ?? throw NullResponse(method);
        call.WriteMessage(response);
    }

    internal static InvalidOperationException NullResponse(IMethod method) =>
        new($"The handler of {method.FullName} returned a null response message.");
}

internal sealed class ServerStreamingCallHandler<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler, ServerRuntime runtime)
    : ServerCallHandler(method, runtime)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    protected override async Task InvokeAsync(HttpServerCallContext call)
    {
        var request = await call.ReadSingleMessageAsync(method.RequestParser).ConfigureAwait(false);
        await handler(request, new ServerResponseStreamWriter<TResponse>(call), call).ConfigureAwait(false);
    }
}

internal sealed class ClientStreamingCallHandler<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler, ServerRuntime runtime)
    : ServerCallHandler(method, runtime)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    protected override async Task InvokeAsync(HttpServerCallContext call)
    {
        var reader = new ServerRequestStreamReader<TRequest>(call, method.RequestParser);
        var response = await handler(reader, call).ConfigureAwait(false) ?? throw UnaryCallHandler<TRequest, TResponse>.NullResponse(method);
        call.WriteMessage(response);
    }
}

internal sealed class DuplexStreamingCallHandler<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler, ServerRuntime runtime)
    : ServerCallHandler(method, runtime)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    protected override Task InvokeAsync(HttpServerCallContext call) =>
        handler(new ServerRequestStreamReader<TRequest>(call, method.RequestParser), new ServerResponseStreamWriter<TResponse>(call), call);
}

/// <summary>Checks that a request is a gRPC call at the HTTP level (HTTP/2, POST, gRPC content-type).</summary>
internal static class RequestValidation
{
    public static bool TryAccept(HttpContext httpContext, ServerRuntime runtime)
    {
        var request = httpContext.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            httpContext.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return false;
        }

        if (!Protocol.GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            ServerLog.UnsupportedContentType(runtime.Logger, request.Path.Value ?? string.Empty, HttpServerCallContext.FormatPeer(httpContext.Connection), request.ContentType);
            httpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            httpContext.Response.Headers[Protocol.GrpcProtocol.StatusTrailer] = HttpServerCallContext.StatusText(StatusCode.Internal);
            httpContext.Response.Headers[Protocol.GrpcProtocol.MessageTrailer] =
                Protocol.PercentEncoding.Encode($"Content-Type '{request.ContentType}' is not supported; expected application/grpc or application/grpc+proto.");
            return false;
        }

        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            ServerLog.NotHttp2(runtime.Logger, request.Path.Value ?? string.Empty, HttpServerCallContext.FormatPeer(httpContext.Connection), request.Protocol);
            httpContext.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            httpContext.Response.Headers.Upgrade = "h2c";
            httpContext.Response.Headers[Protocol.GrpcProtocol.StatusTrailer] = HttpServerCallContext.StatusText(StatusCode.Internal);
            httpContext.Response.Headers[Protocol.GrpcProtocol.MessageTrailer] = $"Request protocol '{request.Protocol}' is not supported; gRPC needs HTTP/2.";
            return false;
        }

        return true;
    }
}

/// <summary>Answers calls to services or methods this server does not have with UNIMPLEMENTED.</summary>
internal static class UnimplementedHandler
{
    public static Task RespondAsync(HttpContext httpContext, ServerRuntime runtime)
    {
        if (!RequestValidation.TryAccept(httpContext, runtime))
        {
            return Task.CompletedTask;
        }

        var path = httpContext.Request.Path.Value ?? string.Empty;
        ServerLog.Unimplemented(runtime.Logger, path, HttpServerCallContext.FormatPeer(httpContext.Connection));
        var response = httpContext.Response;
        response.ContentType = Protocol.GrpcProtocol.ContentType;
        response.Headers[Protocol.GrpcProtocol.StatusTrailer] = HttpServerCallContext.StatusText(StatusCode.Unimplemented);
        response.Headers[Protocol.GrpcProtocol.MessageTrailer] = Protocol.PercentEncoding.Encode($"Method {path} is not implemented by this server.");
        return Task.CompletedTask;
    }
}
