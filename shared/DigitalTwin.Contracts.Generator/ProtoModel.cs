// What the generator reads from a .proto file: package, C# namespace, top-level messages and services.
namespace DigitalTwin.Contracts.Generator;

internal sealed class ProtoFile(string path)
{
    public string Path { get; } = path;

    public string Package { get; set; } = "";

    public string? CsharpNamespace { get; set; }

    public List<string> Messages { get; } = [];

    public List<ProtoService> Services { get; } = [];

    /// <summary>The C# namespace protoc uses: the option, or the package in PascalCase.</summary>
    public string Namespace => CsharpNamespace ?? ProtoNames.UnderscoresToPascalCase(Package, preservePeriod: true);

    /// <summary>The reflection class protoc generates: the file's base name in PascalCase plus "Reflection".</summary>
    public string ReflectionClass
    {
        get
        {
            var name = Path.Replace('\\', '/');
            name = name.Substring(name.LastIndexOf('/') + 1);
            if (name.EndsWith(".proto", StringComparison.Ordinal))
            {
                name = name.Substring(0, name.Length - ".proto".Length);
            }

            return ProtoNames.UnderscoresToPascalCase(name, preservePeriod: false) + "Reflection";
        }
    }
}

internal sealed class ProtoService(string name, string comment, int line)
{
    public string Name { get; } = name;

    public string Comment { get; } = comment;

    public int Line { get; } = line;

    public List<ProtoRpc> Methods { get; } = [];
}

internal sealed class ProtoRpc(string name, string comment, int line)
{
    public string Name { get; } = name;

    public string Comment { get; } = comment;

    public int Line { get; } = line;

    public string RequestType { get; set; } = "";

    public bool ClientStreaming { get; set; }

    public string ResponseType { get; set; } = "";

    public bool ServerStreaming { get; set; }

    /// <summary>The RPC runtime's MethodType member for this streaming combination.</summary>
    public string MethodType => (ClientStreaming, ServerStreaming) switch
    {
        (false, false) => "Unary",
        (true, false) => "ClientStreaming",
        (false, true) => "ServerStreaming",
        _ => "DuplexStreaming",
    };
}

internal static class ProtoNames
{
    /// <summary>protoc's C# name conversion: letters after '_', digits or (unless kept) '.' are capitalized.</summary>
    public static string UnderscoresToPascalCase(string input, bool preservePeriod)
    {
        var result = new System.Text.StringBuilder(input.Length);
        var capitalizeNext = true;
        foreach (var c in input)
        {
            if (c >= 'a' && c <= 'z')
            {
                result.Append(capitalizeNext ? char.ToUpperInvariant(c) : c);
                capitalizeNext = false;
            }
            else if (c >= 'A' && c <= 'Z')
            {
                result.Append(c);
                capitalizeNext = false;
            }
            else if (c >= '0' && c <= '9')
            {
                result.Append(c);
                capitalizeNext = true;
            }
            else
            {
                capitalizeNext = true;
                if (c == '.' && preservePeriod)
                {
                    result.Append('.');
                }
            }
        }

        return result.ToString();
    }
}
