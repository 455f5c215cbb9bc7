// API keys: every write needs a configured key in the x-api-key header (reads too when configured).
// Keys are compared as SHA-256 digests in fixed time, so timing says nothing about a key's prefix.
using System.Security.Cryptography;
using System.Text;
using DigitalTwin.Rpc;

namespace DigitalTwin.Services.Ingest;

public sealed class ApiKeyGuard
{
    public const string Header = "x-api-key";

    private readonly byte[][] _digests;

    public ApiKeyGuard(IngestServiceOptions options)
    {
        var keys = options.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k)).ToList();
        if (keys.Count == 0)
        {
            throw new InvalidOperationException(
                "Ingest:ApiKeys is empty: configure at least one key (e.g. --Ingest:ApiKeys:0=<key> or the environment variable Ingest__ApiKeys__0); every write needs one");
        }

        _digests = keys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Trim()))).ToArray();
        RequireForReads = options.RequireKeyForReads;
    }

    public bool RequireForReads { get; }

    /// <summary>Null when the key is accepted, otherwise what is wrong (for the 401 / UNAUTHENTICATED message).</summary>
    public string? Check(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return $"no API key: send one in the {Header} header";
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()));
        var match = false;
        foreach (var d in _digests)
        {
            match |= CryptographicOperations.FixedTimeEquals(d, digest);
        }

        return match ? null : $"the API key in the {Header} header is not one of the configured keys";
    }

    /// <summary>Throws UNAUTHENTICATED unless the call carries an accepted key.</summary>
    public void Demand(ServerCallContext context)
    {
        var problem = Check(context.RequestHeaders.GetValue(Header));
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, problem));
        }
    }

    public void DemandForRead(ServerCallContext context)
    {
        if (RequireForReads)
        {
            Demand(context);
        }
    }
}
