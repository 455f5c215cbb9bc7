// One client call over HTTP/2: builds the request (headers, grpc-timeout, metadata), reads response
// messages and the status from trailers (or a trailers-only response), and maps transport failures,
// deadlines and cancellation to gRPC statuses. Cancelling or disposing resets the HTTP/2 stream.
using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using DigitalTwin.Rpc.Protocol;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Client;

internal sealed class ClientCall<TRequest, TResponse> : IClientCallState, IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private const int NotCancelled = 0;
    private const int CancelledByClient = 1;
    private const int CancelledByDispose = 2;

    /// <summary>Request bytes a writer may queue before waiting for the transport (bounds memory per call).</summary>
    private const int MaxPendingBytes = 64 * 1024;
    private const int InitialPendingBytes = 16 * 1024;

    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    private readonly RpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationToken _token;
    private readonly string? _requestCompression;
    private readonly Lock _lock = new();
    private CancellationTokenRegistration _userRegistration;
    private DateTime _deadline = DateTime.MaxValue;
    private int _cancelReason;
    private HttpRequestMessage? _request;
    private StreamingRequestContent? _streamingContent;
    private Task<HttpResponseMessage?>? _startTask;
    private Task<Metadata>? _headersTask;
    private HttpResponseMessage? _response;
    private Stream? _responseStream;
    private string? _responseEncoding;
    private ResponseFrameReader? _reader;
    private Status? _status;
    private Metadata? _trailers;
    private RpcException? _failure;
    private TResponse? _current;
    private bool _reading;
    private bool _writing;
    private bool _requestCompleted;
    private bool _hasTimer;
    private Stream? _requestStream;
    private byte[]? _pending;
    private int _pendingLength;
    private bool _draining;
    private Exception? _sendError;
    private TaskCompletionSource _sendProgress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClientCall(RpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        ObjectDisposedException.ThrowIf(channel.IsDisposed, channel);
        _token = _cts.Token;
        _channel = channel;
        _method = method ?? throw new ArgumentNullException(nameof(method));
        _options = options;
        var compression = options.RequestCompression is null ? channel.RequestCompression : MessageCompression.Canonical(options.RequestCompression);
        if (options.RequestCompression is { Length: > 0 } && compression is null)
        {
            throw new ArgumentException($"CallOptions.RequestCompression '{options.RequestCompression}' is not supported; use \"gzip\", \"deflate\" or null.", nameof(options));
        }

        _requestCompression = compression == GrpcProtocol.IdentityEncoding ? null : compression;
        if (options.Headers is { } headers)
        {
            foreach (var entry in headers)
            {
                MetadataWire.EnsureSendable(entry);
            }
        }
    }

    public Task<Metadata> ResponseHeadersAsync
    {
        get
        {
            lock (_lock)
            {
                return _headersTask ??= ReadResponseHeadersAsync();
            }
        }
    }

    TResponse IAsyncStreamReader<TResponse>.Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first and check that it returned true.");

    public Task<TResponse> StartUnary(TRequest request)
    {
        if (!TryBegin(out var early))
        {
            return Task.FromException<TResponse>(early);
        }

        try
        {
            var framed = RequestFraming.Frame(request, _requestCompression, _channel.MaxSendMessageSize, out var length);
            Send(new FramedMessageContent(framed, length));
        }
        catch (RpcException ex)
        {
            return Task.FromException<TResponse>(FinishFailed(ex.Status, null, ex));
        }

        return ReadSingleResponseAsync();
    }

    public void StartServerStreaming(TRequest request)
    {
        if (!TryBegin(out _))
        {
            return;
        }

        try
        {
            var framed = RequestFraming.Frame(request, _requestCompression, _channel.MaxSendMessageSize, out var length);
            Send(new FramedMessageContent(framed, length));
        }
        catch (RpcException ex)
        {
            Finish(ex.Status, null, ex);
        }
    }

    public Task<TResponse> StartClientStreaming()
    {
        if (!TryBegin(out var early))
        {
            return Task.FromException<TResponse>(early);
        }

        _streamingContent = new StreamingRequestContent();
        Send(_streamingContent);
        return ReadSingleResponseAsync();
    }

    public void StartDuplexStreaming()
    {
        if (!TryBegin(out _))
        {
            return;
        }

        _streamingContent = new StreamingRequestContent();
        Send(_streamingContent);
    }

    public Status GetStatus() =>
        _status ?? throw new InvalidOperationException("The call has not finished yet: await the response or read the response stream to its end first.");

    public Metadata GetTrailers() =>
        _trailers ?? throw new InvalidOperationException("The call has not finished yet: await the response or read the response stream to its end first.");

    public void Dispose()
    {
        Cancel(CancelledByDispose);
        _userRegistration.Dispose();
    }

    async Task<bool> IAsyncStreamReader<TResponse>.MoveNext(CancellationToken cancellationToken)
    {
        if (_failure is not null)
        {
            throw _failure;
        }

        if (_status is not null)
        {
            return false;
        }

        if (_reading)
        {
            throw new InvalidOperationException("MoveNext is already in progress; read the response stream one message at a time.");
        }

        _reading = true;
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((ClientCall<TRequest, TResponse>)state!).Cancel(CancelledByClient), this)
            : default;
        try
        {
            if (await _startTask!.ConfigureAwait(false) is null)
            {
                return _failure is null ? false : throw _failure;
            }

            var message = await ReadMessageAsync().ConfigureAwait(false);
            if (message is not null)
            {
                _current = message;
                return true;
            }

            var status = FinishFromTrailers();
            if (status.StatusCode != StatusCode.OK)
            {
                throw _failure!;
            }

            return false;
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            _reading = false;
            await registration.DisposeAsync().ConfigureAwait(false);
            if (_status is not null)
            {
                _reader?.Release();
            }
        }
    }

    async Task IAsyncStreamWriter<TRequest>.WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_requestCompleted)
        {
            throw new InvalidOperationException("The request stream is already completed; no more messages can be written.");
        }

        if (_writing)
        {
            throw new InvalidOperationException("A write is already in progress; await each WriteAsync before the next.");
        }

        ThrowIfFinished();
        _writing = true;
        try
        {
            var stream = _requestStream ?? await WaitForRequestStreamAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                Task progress;
                lock (_lock)
                {
                    // A call that ended (e.g. the connection died) takes no more messages; its drain has stopped.
                    if (_sendError is not null || _status is not null)
                    {
                        break;
                    }

                    if (_pendingLength < MaxPendingBytes)
                    {
                        AppendFrame(message);
                        if (!_draining)
                        {
                            _draining = true;
                            ThreadPool.UnsafeQueueUserWorkItem(static call => _ = call.DrainAsync(), this, preferLocal: false);
                        }

                        return;
                    }

                    // Backpressure: the transport (HTTP/2 flow control) has not taken the last batch yet.
                    progress = _sendProgress.Task;
                }

                await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted && _status is null)
        {
            throw;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested && !_cts.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            ThrowIfFinished();
            throw Fail(ex);
        }
        finally
        {
            _writing = false;
        }

        ThrowIfFinished();
        throw Fail(_sendError!);
    }

    async Task IClientStreamWriter<TRequest>.CompleteAsync()
    {
        _requestCompleted = true;
        if (_streamingContent is null)
        {
            return;
        }

        // Everything written must reach the transport before END_STREAM.
        while (true)
        {
            Task progress;
            lock (_lock)
            {
                if (!_draining || _sendError is not null || _status is not null)
                {
                    break;
                }

                progress = _sendProgress.Task;
            }

            await progress.ConfigureAwait(false);
        }

        _streamingContent.Complete();
    }

    private async Task<Stream> WaitForRequestStreamAsync(CancellationToken cancellationToken)
    {
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_token, cancellationToken) : null;
        _requestStream = await _streamingContent!.StreamTask.WaitAsync(linked?.Token ?? _token).ConfigureAwait(false);
        return _requestStream;
    }

    /// <summary>Frames a message onto the pending batch (caller holds the lock).</summary>
    private void AppendFrame(TRequest message)
    {
        var framed = RequestFraming.Frame(message, _requestCompression, _channel.MaxSendMessageSize, out var length);
        try
        {
            if (_pending is null || _pending.Length - _pendingLength < length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_pendingLength + length, InitialPendingBytes));
                if (_pending is not null)
                {
                    _pending.AsSpan(0, _pendingLength).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_pending);
                }

                _pending = larger;
            }

            framed.AsSpan(0, length).CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(framed);
        }
    }

    /// <summary>
    /// Sends the pending batch from the thread pool: while one batch is on its way the writer keeps adding
    /// to the next, so a writer in a tight loop shares DATA frames and socket writes among many messages.
    /// </summary>
    private async Task DrainAsync()
    {
        byte[]? spare = null;
        var stream = _requestStream!;
        while (true)
        {
            byte[] batch;
            int length;
            lock (_lock)
            {
                if (_pendingLength == 0 || _status is not null)
                {
                    _draining = false;
                    SignalProgress();
                    break;
                }

                batch = _pending!;
                length = _pendingLength;
                _pending = spare;
                _pendingLength = 0;
                SignalProgress();
            }

            try
            {
                await stream.WriteAsync(batch.AsMemory(0, length), _token).ConfigureAwait(false);
                await stream.FlushAsync(_token).ConfigureAwait(false);
                spare = batch;
            }
            catch (Exception ex)
            {
                ArrayPool<byte>.Shared.Return(batch);
                lock (_lock)
                {
                    _sendError = ex;
                    _draining = false;
                    SignalProgress();
                }

                break;
            }
        }

        if (spare is not null)
        {
            ArrayPool<byte>.Shared.Return(spare);
        }
    }

    /// <summary>Wakes writers waiting for room or for the drain to finish (caller holds the lock).</summary>
    private void SignalProgress()
    {
        var previous = _sendProgress;
        _sendProgress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    /// <summary>Checks the deadline and links the caller's token; false (with the exception) when the call cannot start.</summary>
    private bool TryBegin(out RpcException early)
    {
        early = null!;
        if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            _deadline = deadline.Kind == DateTimeKind.Local ? deadline.ToUniversalTime() : deadline;
            var remaining = _deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                early = FinishFailed(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null, null);
                return false;
            }

            if (remaining < MaxTimerDelay)
            {
                _hasTimer = true;
                _cts.CancelAfter(remaining);
            }
        }

        if (_options.CancellationToken.IsCancellationRequested)
        {
            early = FinishFailed(new Status(StatusCode.Cancelled, "Call canceled by the client."), null, null);
            return false;
        }

        if (_options.CancellationToken.CanBeCanceled)
        {
            _userRegistration = _options.CancellationToken.UnsafeRegister(static state => ((ClientCall<TRequest, TResponse>)state!).Cancel(CancelledByClient), this);
        }

        // Reset the HTTP/2 stream as soon as the call is cancelled, even if nobody is reading.
        _token.UnsafeRegister(static state => ((ClientCall<TRequest, TResponse>)state!).AbortTransport(), this);
        return true;
    }

    private void Send(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetMethodUri(_method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        if (_deadline != DateTime.MaxValue)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(_deadline - DateTime.UtcNow));
        }

        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.TeTrailers);
        headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, MessageCompression.AcceptEncodingValue);
        if (_requestCompression is not null)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, _requestCompression);
        }

        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, MetadataWire.ToHeaderValue(entry));
            }
        }

        _request = request;
        _startTask = StartAsync(request);
    }

    /// <summary>Sends the request; the response once its headers are in, or null when the call already ended (status set).</summary>
    private async Task<HttpResponseMessage?> StartAsync(HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _channel.Invoker.SendAsync(request, _token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(ex);
            return null;
        }

        _response = response;
        if (_cts.IsCancellationRequested)
        {
            response.Dispose();
            Fail(new OperationCanceledException(_token));
            return null;
        }

        var status = CheckResponseHeaders(response);
        if (status is { } early)
        {
            // Trailers-only (or a non-gRPC answer): the call is over before any message.
            Finish(early, ReadMetadata(response.Headers, null), null);
            return null;
        }

        if (response.Headers.NonValidated.TryGetValues(GrpcProtocol.EncodingHeader, out var encoding))
        {
            _responseEncoding = encoding.ToString();
        }

        return response;
    }

    private async Task<Metadata> ReadResponseHeadersAsync()
    {
        if (_startTask is not null)
        {
            await _startTask.ConfigureAwait(false);
        }

        // After a trailers-only response its single header block serves as the headers too.
        if (_response is { StatusCode: HttpStatusCode.OK } response)
        {
            return ReadMetadata(response.Headers, null);
        }

        throw _failure ?? new RpcException(new Status(StatusCode.Internal, "The call ended without response headers."));
    }

    private async Task<TResponse> ReadSingleResponseAsync()
    {
        _reading = true;
        try
        {
            if (await _startTask!.ConfigureAwait(false) is null)
            {
                throw _failure ?? FinishFailed(new Status(StatusCode.Internal, "The server ended the call with OK but sent no response message."), _trailers, null);
            }

            var message = await ReadMessageAsync().ConfigureAwait(false);
            if (message is null)
            {
                var status = FinishFromTrailers();
                if (status.StatusCode == StatusCode.OK)
                {
                    throw FinishFailed(new Status(StatusCode.Internal, "The server ended the call with OK but sent no response message."), _trailers, null);
                }

                throw _failure!;
            }

            if (await ReadMessageAsync().ConfigureAwait(false) is not null)
            {
                throw FinishFailed(new Status(StatusCode.Internal, "The server sent more than one response message for a call with a single response."), null, null);
            }

            var final = FinishFromTrailers();
            return final.StatusCode == StatusCode.OK ? message : throw _failure!;
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            _reading = false;
            _reader?.Release();
        }
    }

    /// <summary>The next response message, or null at the end of the response body.</summary>
    private async ValueTask<TResponse?> ReadMessageAsync()
    {
        var reader = _reader ??= new ResponseFrameReader();
        var stream = _responseStream ??= await _response!.Content.ReadAsStreamAsync(_token).ConfigureAwait(false);
        while (true)
        {
            if (reader.TryPeekFrame(out var flag, out var length))
            {
                if (flag > 1)
                {
                    throw FinishFailed(new Status(StatusCode.Internal, $"Invalid Compressed-Flag {flag} in a response message."), null, null);
                }

                if (length > (uint)_channel.MaxReceiveMessageSize)
                {
                    throw FinishFailed(new Status(
                        StatusCode.ResourceExhausted,
                        $"Received message exceeds the maximum configured message size ({length} > {_channel.MaxReceiveMessageSize} bytes)."), null, null);
                }

                if (reader.HasPayload(length))
                {
                    var message = flag == 1 ? ParseCompressed(reader.Payload(length)) : Parse(reader.Payload(length));
                    reader.Consume(length);
                    return message;
                }
            }

            var needed = reader.TryPeekFrame(out _, out var declared) ? GrpcProtocol.MessageHeaderSize + (int)declared : GrpcProtocol.MessageHeaderSize;
            if (await reader.FillAsync(stream, needed, _token).ConfigureAwait(false) == 0)
            {
                if (reader.Buffered > 0)
                {
                    throw FinishFailed(new Status(StatusCode.Internal, "Incomplete message: the response ended inside a length-prefixed message."), null, null);
                }

                return null;
            }
        }
    }

    private TResponse Parse(ReadOnlySpan<byte> payload)
    {
        try
        {
            return _method.ResponseParser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw FinishFailed(new Status(StatusCode.Internal, "Failed to deserialize response message: " + ex.Message), null, null);
        }
    }

    private TResponse ParseCompressed(ReadOnlySpan<byte> payload)
    {
        var encoding = MessageCompression.Canonical(_responseEncoding);
        if (encoding is null or GrpcProtocol.IdentityEncoding)
        {
            throw FinishFailed(new Status(
                StatusCode.Internal,
                _responseEncoding is null or GrpcProtocol.IdentityEncoding
                    ? "Response message has the Compressed-Flag set but the response declares no grpc-encoding."
                    : $"Response compressed with unsupported grpc-encoding '{_responseEncoding}'; this client accepts {MessageCompression.AcceptEncodingValue}."), null, null);
        }

        var copy = ArrayPool<byte>.Shared.Rent(payload.Length);
        byte[]? bytes = null;
        try
        {
            payload.CopyTo(copy);
            bytes = MessageCompression.Decompress(encoding, new ReadOnlySequence<byte>(copy, 0, payload.Length), _channel.MaxReceiveMessageSize, out var length);
            return Parse(bytes.AsSpan(0, length));
        }
        catch (RpcException ex) when (_status is null)
        {
            throw FinishFailed(ex.Status, null, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>Non-null when the response headers already decide the call: a non-200 answer, a non-gRPC body, or trailers-only.</summary>
    private static Status? CheckResponseHeaders(HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        if (code != 200)
        {
            return new Status(GrpcProtocol.StatusFromHttpStatus(code), $"Bad gRPC response. HTTP status code: {code}.");
        }

        string? contentType = null;
        if (response.Content.Headers.NonValidated.TryGetValues("content-type", out var values))
        {
            contentType = values.ToString();
        }

        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            return new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: '{contentType}'.");
        }

        return response.Headers.NonValidated.Contains(GrpcProtocol.StatusTrailer) ? ParseStatus(response.Headers) : null;
    }

    private Status FinishFromTrailers()
    {
        var trailers = _response!.TrailingHeaders;
        var status = trailers.NonValidated.Contains(GrpcProtocol.StatusTrailer)
            ? ParseStatus(trailers)
            : new Status(StatusCode.Internal, "The response ended without a grpc-status trailer.");
        Finish(status, ReadMetadata(trailers, null), null);
        return _status!.Value;
    }

    private static Status ParseStatus(HttpHeaders headers)
    {
        var text = headers.NonValidated.TryGetValues(GrpcProtocol.StatusTrailer, out var statusValues) ? statusValues.ToString() : string.Empty;
        var message = headers.NonValidated.TryGetValues(GrpcProtocol.MessageTrailer, out var messageValues)
            ? PercentEncoding.Decode(messageValues.ToString())
            : string.Empty;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? new Status((StatusCode)code, message)
            : new Status(StatusCode.Unknown, $"Invalid grpc-status '{text}'. {message}".TrimEnd());
    }

    private static Metadata ReadMetadata(HttpHeaders headers, Metadata? into)
    {
        var metadata = into ?? new Metadata();
        foreach (var header in headers.NonValidated)
        {
            var key = GrpcProtocol.LowerKey(header.Key);
            if (GrpcProtocol.IsReservedHeader(key) || key is "date" or "server" or "alt-svc")
            {
                continue; // HTTP's own response headers are not call metadata
            }

            foreach (var value in header.Value)
            {
                MetadataWire.AddFromWire(metadata, key, value);
            }
        }

        return metadata;
    }

    /// <summary>Records the final status once; returns the exception a non-OK status surfaces as.</summary>
    private RpcException? Finish(Status status, Metadata? trailers, Exception? cause)
    {
        lock (_lock)
        {
            if (_status is not null)
            {
                return _failure;
            }

            _trailers = trailers ?? new Metadata();
            if (status.StatusCode != StatusCode.OK)
            {
                _failure = cause is null ? new RpcException(status, _trailers) : new RpcException(status, _trailers, cause);
            }

            _status = status;
        }

        Cleanup(status.StatusCode != StatusCode.OK);
        return _failure;
    }

    private RpcException FinishFailed(Status status, Metadata? trailers, Exception? cause) =>
        Finish(status, trailers, cause) ?? new RpcException(status, trailers);

    /// <summary>Maps any failure to the call's RpcException (deadline, cancellation and transport errors included).</summary>
    private RpcException Fail(Exception ex)
    {
        if (_failure is not null)
        {
            return _failure;
        }

        if (_status is { StatusCode: StatusCode.OK })
        {
            return ex as RpcException ?? new RpcException(new Status(StatusCode.Internal, ex.Message), _trailers, ex);
        }

        Status status;
        if (_cts.IsCancellationRequested)
        {
            status = Volatile.Read(ref _cancelReason) == NotCancelled && _deadline != DateTime.MaxValue
                ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")
                : new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }
        else if (ex is RpcException rpc)
        {
            status = rpc.Status;
        }
        else if (FindProtocolError(ex) is { } protocolError)
        {
            var code = GrpcProtocol.StatusFromHttp2Error(protocolError.ErrorCode);
            status = new Status(code, $"The server reset the stream (HTTP/2 error 0x{protocolError.ErrorCode:x}): {protocolError.Message}");
        }
        else if (ex is HttpRequestException or IOException or ObjectDisposedException)
        {
            status = new Status(StatusCode.Unavailable, $"Error talking to {_channel.Address}: {ex.GetType().Name}: {ex.Message}");
        }
        else if (ex is OperationCanceledException)
        {
            status = new Status(StatusCode.Cancelled, "Call canceled: " + ex.Message);
        }
        else
        {
            status = new Status(StatusCode.Internal, $"Error in the gRPC call: {ex.GetType().Name}: {ex.Message}");
        }

        return Finish(status, null, ex) ?? _failure ?? new RpcException(status);
    }

    private static HttpProtocolException? FindProtocolError(Exception ex)
    {
        for (var current = ex; current is not null; current = current.InnerException)
        {
            if (current is HttpProtocolException protocol)
            {
                return protocol;
            }
        }

        return null;
    }

    private void ThrowIfFinished()
    {
        if (_failure is not null)
        {
            throw _failure;
        }

        if (_status is not null)
        {
            throw new InvalidOperationException("The call has already finished; no more request messages can be written.");
        }
    }

    private void Cancel(int reason)
    {
        if (_status is not null)
        {
            return;
        }

        Interlocked.CompareExchange(ref _cancelReason, reason, NotCancelled);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call finished concurrently; nothing left to cancel.
        }

        if (reason == CancelledByDispose && !_reading)
        {
            Finish(new Status(StatusCode.Cancelled, "Call canceled by the client."), null, null);
        }
    }

    /// <summary>Resets the HTTP/2 stream (RST_STREAM CANCEL) and ends the request body.</summary>
    private void AbortTransport()
    {
        _streamingContent?.Abort();
        _response?.Dispose();
    }

    private void Cleanup(bool failed)
    {
        _userRegistration.Dispose();
        if (failed)
        {
            // A request-body write still waiting on the transport (HTTP/2 flow control) must not outlive the call.
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already cleaned up by a concurrent finish.
            }

            _streamingContent?.Abort();
        }
        else
        {
            _streamingContent?.Complete();
        }

        // Disposing a response that has not reached its end resets the stream; at the end it frees it.
        _response?.Dispose();
        _request?.Dispose();
        if (!_reading)
        {
            _reader?.Release();
        }

        if (_hasTimer)
        {
            _cts.Dispose(); // frees the deadline timer; the cached token stays usable
        }
    }
}
