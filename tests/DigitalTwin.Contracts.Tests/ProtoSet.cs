// Loads what the contracts project built: the descriptor set (with comments) and the proto texts beside it.
using Google.Protobuf.Reflection;

namespace DigitalTwin.Contracts.Tests;

internal static class ProtoSet
{
    public const string OwnPrefix = "digitaltwin/";

    private static readonly Lazy<FileDescriptorSet> Set = new(() =>
        FileDescriptorSet.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "digitaltwin.protoset"))));

    /// <summary>A fresh copy of the descriptor set, safe to mutate.</summary>
    public static FileDescriptorSet Load() => Set.Value.Clone();

    /// <summary>Our own files (not the well-known imports), in the set's order.</summary>
    public static List<FileDescriptorProto> OwnFiles(FileDescriptorSet set) =>
        set.File.Where(f => f.Name.StartsWith(OwnPrefix, StringComparison.Ordinal)).ToList();

    /// <summary>Every .proto text copied to the test output, keyed by its path under protos/.</summary>
    public static Dictionary<string, string> Texts()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "protos");
        return Directory.EnumerateFiles(root, "*.proto", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(root, p).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
    }
}
