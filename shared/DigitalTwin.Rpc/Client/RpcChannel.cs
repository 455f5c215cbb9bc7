// A connection to one server address over HTTP/2: h2c with prior knowledge for http://, TLS with ALPN h2
// for https://. Calls share its pooled connections; dispose it when done.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using DigitalTwin.Rpc.Client;
using DigitalTwin.Rpc.Protocol;

namespace DigitalTwin.Rpc;

public sealed class RpcChannel : IDisposable
{
    private readonly ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);
    private readonly bool _ownsHandler;
    private readonly HttpCallInvoker _callInvoker;
    private volatile bool _disposed;

    private RpcChannel(Uri address, RpcChannelOptions options)
    {
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Address '{address}' must use http:// (h2c) or https:// (TLS).", nameof(address));
        }

        if (options.MaxReceiveMessageSize is < 0 || options.MaxSendMessageSize is < 0)
        {
            throw new ArgumentException("RpcChannelOptions message size limits must be ≥ 0 or null.", nameof(options));
        }

        var compression = MessageCompression.Canonical(options.RequestCompression);
        if (options.RequestCompression is { Length: > 0 } && compression is null)
        {
            throw new ArgumentException($"RpcChannelOptions.RequestCompression '{options.RequestCompression}' is not supported; use \"gzip\", \"deflate\" or null.", nameof(options));
        }

        Address = address;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize ?? int.MaxValue;
        MaxSendMessageSize = options.MaxSendMessageSize ?? int.MaxValue;
        RequestCompression = compression == GrpcProtocol.IdentityEncoding ? null : compression;
        _ownsHandler = options.HttpHandler is null;
        Invoker = new HttpMessageInvoker(options.HttpHandler ?? CreateHandler(options), disposeHandler: _ownsHandler);
        _callInvoker = new HttpCallInvoker(this);
    }

    /// <summary>The server address, e.g. http://127.0.0.1:5001.</summary>
    public Uri Address { get; }

    internal HttpMessageInvoker Invoker { get; }

    internal int MaxReceiveMessageSize { get; }

    internal int MaxSendMessageSize { get; }

    internal string? RequestCompression { get; }

    internal bool IsDisposed => _disposed;

    public static RpcChannel ForAddress(string address, RpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"'{address}' is not an absolute address such as http://127.0.0.1:5001.", nameof(address));
        }

        return new RpcChannel(uri, options ?? new RpcChannelOptions());
    }

    public static RpcChannel ForAddress(Uri address, RpcChannelOptions? options = null) =>
        new(address ?? throw new ArgumentNullException(nameof(address)), options ?? new RpcChannelOptions());

    public CallInvoker CreateCallInvoker() => _callInvoker;

    public void Dispose()
    {
        _disposed = true;
        Invoker.Dispose();
    }

    internal Uri GetMethodUri(string fullName) =>
        _methodUris.GetOrAdd(fullName, static (name, baseAddress) => new Uri(baseAddress, name), Address);

    private static SocketsHttpHandler CreateHandler(RpcChannelOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
            InitialHttp2StreamWindowSize = options.InitialStreamWindowSize,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = options.ServerCertificateValidation,
        };
        return handler;
    }
}
