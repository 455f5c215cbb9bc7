// The request-stream reader and response-stream writer handed to streaming server handlers.
using Google.Protobuf;

namespace DigitalTwin.Rpc.Server;

internal sealed class ServerRequestStreamReader<T>(HttpServerCallContext call, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private static readonly Task<bool> TrueTask = Task.FromResult(true);
    private static readonly Task<bool> FalseTask = Task.FromResult(false);
    private T? _current;
    private bool _reading;
    private bool _ended;

    public T Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first and check that it returned true.");

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (call.IsCompleted)
        {
            throw new InvalidOperationException("The request stream cannot be read after the call has completed.");
        }

        if (_reading)
        {
            throw new InvalidOperationException("MoveNext is already in progress; read the request stream one message at a time.");
        }

        if (_ended)
        {
            return FalseTask;
        }

        if (!cancellationToken.CanBeCanceled || cancellationToken == call.CancellationToken)
        {
            return Read(call.CancellationToken);
        }

        return ReadLinkedAsync(cancellationToken);
    }

    private Task<bool> Read(CancellationToken cancellationToken)
    {
        _reading = true;
        var pending = call.ReadNextMessageAsync(parser, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            _reading = false;
            return Accept(pending.Result) ? TrueTask : FalseTask;
        }

        return AwaitRead(pending);
    }

    private async Task<bool> AwaitRead(ValueTask<T?> pending)
    {
        try
        {
            return Accept(await pending.ConfigureAwait(false));
        }
        finally
        {
            _reading = false;
        }
    }

    private async Task<bool> ReadLinkedAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(call.CancellationToken, cancellationToken);
        return await Read(linked.Token).ConfigureAwait(false);
    }

    private bool Accept(T? message)
    {
        _current = message;
        _ended = message is null;
        return message is not null;
    }
}

internal sealed class ServerResponseStreamWriter<T>(HttpServerCallContext call) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    private bool _writing;

    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (call.IsCompleted)
        {
            throw new InvalidOperationException("The response stream cannot be written after the call has completed.");
        }

        if (_writing)
        {
            throw new InvalidOperationException("A write is already in progress; await each WriteAsync before the next.");
        }

        var token = cancellationToken.CanBeCanceled ? cancellationToken : call.CancellationToken;
        call.CancellationToken.ThrowIfCancellationRequested();
        token.ThrowIfCancellationRequested();
        call.WriteMessage(message);
        var flush = call.FlushAsync(token);
        if (flush.IsCompletedSuccessfully)
        {
            return flush.Result.IsCanceled ? Task.FromCanceled(token) : Task.CompletedTask;
        }

        _writing = true;
        return AwaitFlush(flush, token);
    }

    private async Task AwaitFlush(ValueTask<System.IO.Pipelines.FlushResult> flush, CancellationToken token)
    {
        try
        {
            var result = await flush.ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(token);
            }
        }
        finally
        {
            _writing = false;
        }
    }
}
