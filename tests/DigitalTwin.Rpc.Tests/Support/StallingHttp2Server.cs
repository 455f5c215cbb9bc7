// A minimal HTTP/2 peer on 127.0.0.1 that accepts one connection, settles SETTINGS, reads request DATA and then drops
// the socket without GOAWAY or RST_STREAM: a server killed with SIGKILL mid-stream. It either never grants credit
// beyond the RFC 9113 default window (65 535 bytes), so the client blocks on flow control, or grants 16 MiB at once.
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace DigitalTwin.Rpc.Tests.Support;

public sealed class StallingHttp2Server : IDisposable
{
    private const int FrameHeaderSize = 9;
    private const byte DataFrame = 0x0;
    private const byte SettingsFrame = 0x4;
    private const byte WindowUpdateFrame = 0x8;
    private const ushort InitialWindowSizeSetting = 0x4;
    private const int LargeWindow = 16 << 20;
    private const byte AckFlag = 0x1;
    private const int DefaultWindow = 65_535;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource _windowFull = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _serving;
    private readonly bool _grantCredit;
    private readonly int _signalAfter;

    /// <param name="grantCredit">Grant 16 MiB of stream and connection window instead of the default 65 535 bytes.</param>
    /// <param name="signalAfter">DATA bytes after which <see cref="WindowFull"/> completes (at most 65 535 without credit).</param>
    public StallingHttp2Server(bool grantCredit = false, int signalAfter = DefaultWindow)
    {
        _grantCredit = grantCredit;
        _signalAfter = signalAfter;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _serving = Task.Run(ServeAsync);
    }

    public Uri Address { get; }

    /// <summary>Completes once the client has sent <c>signalAfter</c> bytes of DATA (without credit it must then wait).</summary>
    public Task WindowFull => _windowFull.Task;

    /// <summary>Closes the connection without GOAWAY or RST_STREAM, as the kernel does for a killed process.</summary>
    public Task DropAsync()
    {
        _drop.TrySetResult();
        return _serving;
    }

    public void Dispose()
    {
        _drop.TrySetResult();
        _listener.Stop();
    }

    private async Task ServeAsync()
    {
        using var socket = await _listener.AcceptSocketAsync();
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var preface = new byte[24];
        await stream.ReadExactlyAsync(preface);
        if (_grantCredit)
        {
            var settings = Frame(SettingsFrame, 0, 6);
            BinaryPrimitives.WriteUInt16BigEndian(settings.AsSpan(FrameHeaderSize), InitialWindowSizeSetting);
            BinaryPrimitives.WriteUInt32BigEndian(settings.AsSpan(FrameHeaderSize + 2), LargeWindow);
            var update = Frame(WindowUpdateFrame, 0, 4);
            BinaryPrimitives.WriteUInt32BigEndian(update.AsSpan(FrameHeaderSize), LargeWindow);
            await stream.WriteAsync(settings);
            await stream.WriteAsync(update);
        }
        else
        {
            await stream.WriteAsync(Frame(SettingsFrame, 0));
        }

        var header = new byte[FrameHeaderSize];
        var data = 0;
        var reading = Task.Run(async () =>
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var payload = new byte[length];
                await stream.ReadExactlyAsync(payload);
                if (header[3] == SettingsFrame && (header[4] & AckFlag) == 0)
                {
                    await stream.WriteAsync(Frame(SettingsFrame, AckFlag));
                }
                else if (header[3] == DataFrame && (data += length) >= _signalAfter)
                {
                    _windowFull.TrySetResult();
                }
            }
        });
        await Task.WhenAny(_drop.Task, reading);
        socket.Close(0);
        _windowFull.TrySetException(new InvalidOperationException("the connection ended before the client filled the window"));
    }

    private static byte[] Frame(byte type, byte flags, int payloadLength = 0)
    {
        var frame = new byte[FrameHeaderSize + payloadLength];
        frame[0] = (byte)(payloadLength >> 16);
        frame[1] = (byte)(payloadLength >> 8);
        frame[2] = (byte)payloadLength;
        frame[3] = type;
        frame[4] = flags;
        return frame;
    }
}
