// Access rules of the twin's API: every write needs a configured API key; reads are open or closed by configuration.
using System.Security.Cryptography;
using System.Text;

namespace DigitalTwin.Twin.Access;

/// <summary>
/// Checks the <c>x-api-key</c> a caller presents. Keys are kept only as SHA-256 digests and compared in constant time,
/// so neither memory dumps nor timing reveal them.
/// </summary>
public sealed class ApiKeyPolicy
{
    /// <summary>The metadata key callers put their key under.</summary>
    public const string Header = "x-api-key";

    private readonly byte[][] _digests;

    public ApiKeyPolicy(IEnumerable<string> keys, bool readsOpen)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _digests = [.. keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Trim())))];
        ReadsOpen = readsOpen;
    }

    public bool ReadsOpen { get; }

    /// <summary>Null when allowed, else the reason (no key presented, or the key is not one of the configured keys).</summary>
    public string? Check(string? presentedKey, bool write)
    {
        if (!write && ReadsOpen)
        {
            return null;
        }

        if (string.IsNullOrEmpty(presentedKey))
        {
            return $"{(write ? "writes" : "reads")} need an API key in the '{Header}' header";
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        var match = false;
        foreach (var known in _digests)
        {
            match |= CryptographicOperations.FixedTimeEquals(known, digest);
        }

        return match ? null : "the API key is not valid";
    }
}
