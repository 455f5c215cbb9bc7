// Random and mutated requests (fixed seed) thrown at the server: every one must get an answer, the server
// must keep serving, a call on the same connection must carry on, and nothing may be logged as an error
// except the handler crash a fuzzed request can legitimately ask for.
using System.Diagnostics;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DigitalTwin.Rpc.Tests;

public sealed class FuzzTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private const int Seed = 20_261_122;
    private const int Cases = 3000;
    private const int Concurrency = 8;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(25);

    private static readonly string[] Paths =
    [
        "/digitaltwin.testing.v1.InteropService/Unary",
        "/digitaltwin.testing.v1.InteropService/ServerStream",
        "/digitaltwin.testing.v1.InteropService/ClientStream",
        "/digitaltwin.testing.v1.InteropService/Bidi",
        "/grpc.health.v1.Health/Check",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/digitaltwin.testing.v1.InteropService/Nope",
        "/x/y",
    ];

    private static readonly string[] ContentTypes = ["application/grpc", "application/grpc+proto", "application/grpc+json", "text/plain", "application/grpc;x=1"];
    private static readonly string[] Encodings = ["gzip", "deflate", "identity", "snappy", "GZIP", ""];
    private static readonly string[] Timeouts = ["1S", "500m", "2S", "0n", "99999999H", "x", "1", "12345678901S", "-1S"];

    [Fact]
    public async Task Server_survives_thousands_of_random_and_mutated_requests()
    {
        var random = new Random(Seed);
        var requests = Enumerable.Range(0, Cases).Select(_ => Generate(random)).ToArray();
        using var handler = new SocketsHttpHandler { UseProxy = false };
        using var channel = RpcChannel.ForAddress(fixture.Host.Address, new RpcChannelOptions { HttpHandler = handler });
        using var raw = new HttpMessageInvoker(handler, disposeHandler: false);
        var client = new InteropServiceClient(channel);
        using var bidi = client.Bidi();
        await PingAsync(bidi, "before");

        var clock = Stopwatch.StartNew();
        var next = -1;
        var answered = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var workers = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests.Length && clock.Elapsed < Budget)
            {
                var request = requests[index];
                try
                {
                    var response = await RawGrpc.SendAsync(raw, fixture.Host.Address, request.Path, request.Body, request.ContentType, request.Headers)
                        .OrFail($"answer to fuzz case {index}", TimeSpan.FromSeconds(10));
                    if (response.HttpStatus is not (200 or 404 or 405 or 415))
                    {
                        failures.Enqueue($"case {index}: unexpected {response}");
                    }
                    else if (response.HttpStatus == 200 && response.GrpcStatus is null)
                    {
                        failures.Enqueue($"case {index}: HTTP 200 without grpc-status ({response})");
                    }

                    Interlocked.Increment(ref answered);
                }
                catch (Exception ex)
                {
                    failures.Enqueue($"case {index} ({request.Path}, {request.Body.Length} bytes): {ex.GetType().Name}: {ex.Message}");
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).OrFail("fuzz workers", Budget + TimeSpan.FromSeconds(20));

        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.True(answered >= 1000, $"only {answered} fuzz cases ran within {Budget.TotalSeconds} s");
        await PingAsync(bidi, "after");
        var fresh = await client.UnaryAsync(new EchoRequest { Tag = "fresh" }).ResponseAsync.OrFail("a new call after the fuzzing");
        Assert.Equal("fresh", fresh.Tag);
        Assert.Empty(fixture.Host.Logs.UnexpectedErrors("Handler failure requested by the test."));
    }

    private static async Task PingAsync(AsyncDuplexStreamingCall<EchoRequest, EchoResponse> bidi, string tag)
    {
        await bidi.RequestStream.WriteAsync(new EchoRequest { Tag = tag }).OrFail($"bidi ping {tag}");
        Assert.True(await bidi.ResponseStream.MoveNext(CancellationToken.None).OrFail($"bidi pong {tag}"));
        Assert.Equal(tag, bidi.ResponseStream.Current.Tag);
    }

    private static FuzzRequest Generate(Random random)
    {
        var path = random.Next(10) < 7 ? Paths[random.Next(4)] : Paths[random.Next(Paths.Length)];
        var contentType = random.Next(10) < 8 ? "application/grpc" : ContentTypes[random.Next(ContentTypes.Length)];
        var headers = new List<(string, string)>
        {
            // Every fuzzed call carries a deadline, so a request that decodes to "wait forever" still ends.
            ("grpc-timeout", random.Next(10) < 8 ? "2S" : Timeouts[random.Next(Timeouts.Length)]),
        };
        if (random.Next(4) == 0)
        {
            headers.Add(("grpc-encoding", Encodings[random.Next(Encodings.Length)]));
        }

        if (random.Next(4) == 0)
        {
            var bytes = new byte[random.Next(0, 12)];
            random.NextBytes(bytes);
            headers.Add(("x-fuzz-bin", random.Next(2) == 0 ? Convert.ToBase64String(bytes) : "%%not base64"));
        }

        return new FuzzRequest(path, Body(random), contentType, headers);
    }

    private static byte[] Body(Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                var noise = new byte[random.Next(0, 64)];
                random.NextBytes(noise);
                return noise;
            case 1:
                var garbage = new byte[random.Next(0, 48)];
                random.NextBytes(garbage);
                return RawGrpc.Frame(garbage, flag: (byte)random.Next(0, 3));
            default:
                var frames = new List<byte>();
                var count = random.Next(0, 4);
                for (var i = 0; i < count; i++)
                {
                    frames.AddRange(RawGrpc.Frame(ValidRequest(random)));
                }

                return Mutate(random, frames.ToArray());
        }
    }

    private static EchoRequest ValidRequest(Random random) => new()
    {
        Payload = ByteString.CopyFrom(new byte[random.Next(0, 100)]),
        ResponseSize = random.Next(0, 2000),
        ResponseCount = random.Next(0, 5),
        Tag = "fuzz",
        EchoMetadata = random.Next(2) == 0,
        Delay = random.Next(20) == 0 ? Duration.FromTimeSpan(TimeSpan.FromMilliseconds(random.Next(0, 50))) : null,
        Status = random.Next(5) == 0 ? new StatusSpec { Code = random.Next(0, 17), Message = "fuzz" } : null,
    };

    /// <summary>Bit flips, truncation, length and flag tampering, splices — or nothing (a valid call).</summary>
    private static byte[] Mutate(Random random, byte[] body)
    {
        if (body.Length == 0 || random.Next(4) == 0)
        {
            return body;
        }

        var mutated = body.ToArray();
        switch (random.Next(5))
        {
            case 0:
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
                }

                return mutated;
            case 1:
                return mutated[..random.Next(mutated.Length)];
            case 2:
                if (mutated.Length >= 5)
                {
                    mutated[1 + random.Next(4)] = (byte)random.Next(256);
                }

                return mutated;
            case 3:
                mutated[0] = (byte)random.Next(256);
                return mutated;
            default:
                var extra = new byte[random.Next(1, 16)];
                random.NextBytes(extra);
                return [.. mutated, .. extra];
        }
    }

    private sealed record FuzzRequest(string Path, byte[] Body, string ContentType, List<(string, string)> Headers);
}
