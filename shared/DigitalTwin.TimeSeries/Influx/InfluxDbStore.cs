// The InfluxDB store's write side: batches become line protocol in the on-disk buffer (WriteAsync
// returns then), background senders POST them (v1 /write or v2 /api/v2/write), retrying with
// exponential backoff until InfluxDB accepts them, so an influxd restart loses nothing.
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using DigitalTwin.TimeSeries.LineProtocol;
using DigitalTwin.TimeSeries.Points;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DigitalTwin.TimeSeries.Influx;

public sealed partial class InfluxDbStore : ITimeSeriesStore
{
    private readonly InfluxDbOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILogger _logger;
    private readonly SegmentBuffer _buffer;
    private readonly Channel<Segment> _queue = Channel.CreateUnbounded<Segment>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _senders;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly LineProtocolWriter _lineProtocol = new(1 << 20);
    private readonly Lock _statsLock = new();
    private readonly Random _jitter = new();
    private long _sentPoints;
    private long _sentRequests;
    private long _retries;
    private long _rejectedSegments;
    private string? _lastError;
    private int _disposed;

    public InfluxDbStore(InfluxDbOptions options, HttpClient? http = null, ILogger<InfluxDbStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxConcurrentRequests + 2,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.GZip,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _buffer = new SegmentBuffer(options.BufferDirectory, options.MaxBufferBytes, options.MaxMemoryBytes, options.SyncSegments);
        _buffer.Full += () => BufferFull?.Invoke(this, EventArgs.Empty);
        foreach (var segment in _buffer.Recovered())
        {
            _queue.Writer.TryWrite(segment);
        }

        _senders = new Task[options.MaxConcurrentRequests];
        for (var i = 0; i < _senders.Length; i++)
        {
            _senders[i] = Task.Run(() => SendLoopAsync(_stopping.Token));
        }
    }

    /// <summary>Raised when a writer has to wait because the on-disk buffer is full.</summary>
    public event EventHandler? BufferFull;

    /// <summary>Raised after every failed attempt (the segment stays buffered and is retried).</summary>
    public event EventHandler<string>? SendFailed;

    public InfluxDbStatus Status
    {
        get
        {
            lock (_statsLock)
            {
                return new InfluxDbStatus(_buffer.PendingSegments, _buffer.BufferedBytes, _sentPoints, _sentRequests, _retries, _rejectedSegments, _lastError);
            }
        }
    }

    public async ValueTask WriteAsync(PointBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        batch.Validate();
        if (batch.Count == 0)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var start = 0;
            while (start < batch.Count)
            {
                _lineProtocol.Reset();
                var lines = 0;
                while (start + lines < batch.Count && (_lineProtocol.Length < _options.MaxSegmentBytes || lines == 0))
                {
                    var before = _lineProtocol.Length;
                    _lineProtocol.AppendPoint(batch, start + lines);
                    if (_lineProtocol.Length > _options.MaxSegmentBytes && lines > 0)
                    {
                        _lineProtocol.Truncate(before);
                        break;
                    }

                    lines++;
                }

                var segment = await _buffer.AppendAsync(_lineProtocol.Written.ToArray(), lines, cancellationToken).ConfigureAwait(false);
                _queue.Writer.TryWrite(segment);
                start += lines;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Waits until every segment written before the call has been accepted (or rejected) by InfluxDB.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = _buffer.LastSequence();
        while (true)
        {
            var changed = _buffer.Changed();
            var oldest = _buffer.OldestPending();
            if (oldest is null || oldest > target)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var drain = new CancellationTokenSource(_options.DrainOnDispose, _options.TimeProvider))
        {
            try
            {
                await FlushAsync(drain.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _logger.LogWarning("InfluxDB store closing with {Segments} segments ({Bytes} bytes) still buffered in {Directory}; they are sent on the next start.",
                    _buffer.PendingSegments, _buffer.BufferedBytes, _options.BufferDirectory);
            }
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_senders).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Senders stop on cancellation; unsent segments stay on disk.
        }

        _stopping.Dispose();
        _writeGate.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task SendLoopAsync(CancellationToken stopping)
    {
        while (await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var segment))
            {
                await SendUntilDoneAsync(segment, stopping).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends one segment until InfluxDB accepts or refuses it; transient failures back off and retry.</summary>
    private async Task SendUntilDoneAsync(Segment segment, CancellationToken stopping)
    {
        while (true)
        {
            stopping.ThrowIfCancellationRequested();
            Outcome outcome;
            try
            {
                var body = await _buffer.ReadAsync(segment, stopping).ConfigureAwait(false);
                outcome = await SendBodyAsync(body, stopping).ConfigureAwait(false);
            }
            catch (FileNotFoundException ex)
            {
                _logger.LogError("InfluxDB buffer segment {Segment} disappeared ({Message}); its {Lines} lines are lost.", segment.Sequence, ex.Message, segment.Lines);
                _buffer.Abandon(segment);
                return;
            }
            catch (IOException ex)
            {
                outcome = Outcome.Retry($"segment {segment.Path}: {ex.Message}", null);
            }

            switch (outcome.Kind)
            {
                case OutcomeKind.Accepted:
                    _buffer.Complete(segment);
                    lock (_statsLock)
                    {
                        _sentPoints += segment.Lines;
                        _sentRequests += outcome.Requests;
                    }

                    return;
                case OutcomeKind.Refused:
                    _logger.LogError("InfluxDB refused segment {Segment} ({Lines} lines) for good: {Reason}. Kept in rejected/.", segment.Sequence, segment.Lines, outcome.Message);
                    _buffer.Reject(segment, outcome.Message);
                    lock (_statsLock)
                    {
                        _rejectedSegments++;
                        _lastError = outcome.Message;
                    }

                    return;
                default:
                    segment.Attempts++;
                    lock (_statsLock)
                    {
                        _retries++;
                        _lastError = outcome.Message;
                    }

                    SendFailed?.Invoke(this, outcome.Message);
                    var delay = Backoff(segment.Attempts, outcome.RetryAfter);
                    if (segment.Attempts == 1 || segment.Attempts % 10 == 0)
                    {
                        _logger.LogWarning("InfluxDB write failed (attempt {Attempt}): {Reason}; retrying in {Delay} ms.", segment.Attempts, outcome.Message, (int)delay.TotalMilliseconds);
                    }

                    await Task.Delay(delay, _options.TimeProvider, stopping).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task<Outcome> SendBodyAsync(ReadOnlyMemory<byte> body, CancellationToken stopping)
    {
        HttpResponseMessage response;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, WriteUri()) { Content = Content(body) };
            Authorize(request);
            response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            return Outcome.Retry($"{_options.Endpoint}: {ex.Message}", null);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return Outcome.Accepted(1);
            }

            var text = await response.Content.ReadAsStringAsync(stopping).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var message = $"HTTP {status} from {WriteUri().GetLeftPart(UriPartial.Path)}: {text.Trim()}";
            if (response.StatusCode == HttpStatusCode.NotFound && _options.Api == InfluxApi.V1 && _options.CreateDatabase && text.Contains("database not found", StringComparison.Ordinal))
            {
                await CreateDatabaseAsync(stopping).ConfigureAwait(false);
                return Outcome.Retry(message, TimeSpan.Zero);
            }

            if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge && SplitAtLine(body) is { } half)
            {
                var first = await SendBodyAsync(body[..half], stopping).ConfigureAwait(false);
                if (first.Kind != OutcomeKind.Accepted)
                {
                    return first;
                }

                var second = await SendBodyAsync(body[half..], stopping).ConfigureAwait(false);
                return second.Kind == OutcomeKind.Accepted ? Outcome.Accepted(first.Requests + second.Requests) : second;
            }

            // 400 (bad line protocol, field type conflict: InfluxDB kept the valid lines) and 422 never succeed on retry.
            if (status is 400 or 422)
            {
                return Outcome.Refused(message);
            }

            return Outcome.Retry(message, response.Headers.RetryAfter?.Delta);
        }
    }

    private async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var query = $"CREATE DATABASE {Escaping.QuoteIdentifier(_options.Database)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.Endpoint, "query"))
        {
            Content = new FormUrlEncodedContent([new("q", query)]),
        };
        Authorize(request);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Created InfluxDB database {Database}: HTTP {Status}.", _options.Database, (int)response.StatusCode);
    }

    private HttpContent Content(ReadOnlyMemory<byte> body)
    {
        HttpContent content;
        if (_options.Gzip)
        {
            var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(body.Span);
            }

            content = new ByteArrayContent(compressed.GetBuffer(), 0, (int)compressed.Length);
            content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            content = new ReadOnlyMemoryContent(body);
        }

        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        return content;
    }

    private Uri WriteUri()
    {
        var query = new StringBuilder();
        if (_options.Api == InfluxApi.V1)
        {
            query.Append("write?db=").Append(Uri.EscapeDataString(_options.Database));
            if (_options.RetentionPolicy is not null)
            {
                query.Append("&rp=").Append(Uri.EscapeDataString(_options.RetentionPolicy));
            }
        }
        else
        {
            query.Append("api/v2/write?org=").Append(Uri.EscapeDataString(_options.Organization!))
                .Append("&bucket=").Append(Uri.EscapeDataString(_options.Bucket!));
        }

        query.Append("&precision=ns");
        return new Uri(_options.Endpoint, query.ToString());
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (_options.Api == InfluxApi.V2)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", _options.Token);
        }
        else if (_options.Username is not null)
        {
            var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.Username}:{_options.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", pair);
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } hinted)
        {
            return hinted < TimeSpan.Zero ? TimeSpan.Zero : hinted > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : hinted;
        }

        var exponential = _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, _options.MaxBackoff.TotalMilliseconds);
        double jitter;
        lock (_jitter)
        {
            jitter = 0.5 + (_jitter.NextDouble() * 0.5);
        }

        return TimeSpan.FromMilliseconds(capped * jitter);
    }

    private static int? SplitAtLine(ReadOnlyMemory<byte> body)
    {
        var middle = body.Length / 2;
        var newline = body.Span[middle..].IndexOf((byte)'\n');
        var split = newline < 0 ? -1 : middle + newline + 1;
        return split > 0 && split < body.Length ? split : null;
    }

    private enum OutcomeKind
    {
        Accepted,
        Retry,
        Refused,
    }

    private readonly record struct Outcome(OutcomeKind Kind, string Message, TimeSpan? RetryAfter, int Requests)
    {
        public static Outcome Accepted(int requests) => new(OutcomeKind.Accepted, string.Empty, null, requests);

        public static Outcome Retry(string message, TimeSpan? retryAfter) => new(OutcomeKind.Retry, message, retryAfter, 0);

        public static Outcome Refused(string message) => new(OutcomeKind.Refused, message, null, 0);
    }
}

/// <summary>What the InfluxDB store has buffered and sent.</summary>
public sealed record InfluxDbStatus(int PendingSegments, long BufferedBytes, long SentPoints, long SentRequests, long Retries,
    long RejectedSegments, string? LastError);
