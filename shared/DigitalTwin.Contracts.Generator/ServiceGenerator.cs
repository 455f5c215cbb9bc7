// Incremental generator: for each service in the .proto AdditionalFiles, emits <Service>Methods (Method<,>
// declarations), <Service>Client (typed client) and <Service>Base (service base with Bind) as in RPC_API.md.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DigitalTwin.Contracts.Generator;

[Generator(LanguageNames.CSharp)]
public sealed class ServiceGenerator : IIncrementalGenerator
{
    private const string Category = "DigitalTwin.Contracts";

    private static readonly DiagnosticDescriptor ParseError = new(
        "DTC001", "Unreadable .proto file", "{0}({1}): {2}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor UnknownType = new(
        "DTC002", "Unknown rpc message type", "{0}({1}): rpc {2} uses '{3}', which is not a top-level message of a known .proto file",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor NameCollision = new(
        "DTC003", "Rpc name collides with a generated member", "{0}({1}): rpc {2} collides with the generated member of the same name; rename the rpc",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var sources = context.AdditionalTextsProvider
            .Where(t => t.Path.EndsWith(".proto", StringComparison.OrdinalIgnoreCase))
            .Select((t, ct) => new ProtoSource(t.Path, t.GetText(ct)?.ToString() ?? ""))
            .Collect();
        context.RegisterSourceOutput(sources, Generate);
    }

    private static void Generate(SourceProductionContext context, System.Collections.Immutable.ImmutableArray<ProtoSource> sources)
    {
        var files = new List<ProtoFile>();
        foreach (var source in sources.OrderBy(s => s.Path, StringComparer.Ordinal))
        {
            try
            {
                files.Add(ProtoParser.Parse(source.Path, source.Text));
            }
            catch (ProtoParseException e)
            {
                context.ReportDiagnostic(Diagnostic.Create(ParseError, Location.None, source.Path, e.Line, e.Message));
            }
        }

        var resolver = new TypeResolver(files);
        foreach (var file in files)
        {
            for (var index = 0; index < file.Services.Count; index++)
            {
                var service = file.Services[index];
                if (Check(context, resolver, file, service))
                {
                    var code = ServiceEmitter.Emit(file, index, resolver);
                    context.AddSource($"{file.Namespace}.{service.Name}.g.cs", SourceText.From(code, System.Text.Encoding.UTF8));
                }
            }
        }
    }

    private static bool Check(SourceProductionContext context, TypeResolver resolver, ProtoFile file, ProtoService service)
    {
        var ok = true;
        foreach (var rpc in service.Methods)
        {
            foreach (var type in new[] { rpc.RequestType, rpc.ResponseType })
            {
                if (resolver.Resolve(file, type) is null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(UnknownType, Location.None, file.Path, rpc.Line, rpc.Name, type));
                    ok = false;
                }
            }

            if (ServiceEmitter.ReservedNames.Contains(rpc.Name) || ServiceEmitter.ReservedNames.Contains(rpc.Name + "Async"))
            {
                context.ReportDiagnostic(Diagnostic.Create(NameCollision, Location.None, file.Path, rpc.Line, rpc.Name));
                ok = false;
            }
        }

        return ok;
    }
}

/// <summary>A .proto file's path and text, with value equality so the incremental pipeline can compare runs.</summary>
internal sealed class ProtoSource(string path, string text) : IEquatable<ProtoSource>
{
    public string Path { get; } = path;

    public string Text { get; } = text;

    public bool Equals(ProtoSource? other) => other is not null && Path == other.Path && Text == other.Text;

    public override bool Equals(object? obj) => Equals(obj as ProtoSource);

    public override int GetHashCode() => (StringComparer.Ordinal.GetHashCode(Path) * 397) ^ StringComparer.Ordinal.GetHashCode(Text);
}

/// <summary>Finds the C# type of a message named in an rpc, following protobuf's scoping from the file's package.</summary>
internal sealed class TypeResolver(List<ProtoFile> files)
{
    public string? Resolve(ProtoFile from, string type)
    {
        if (type.StartsWith(".", StringComparison.Ordinal))
        {
            return Find(type.Substring(1));
        }

        // Relative names are looked up in the file's package, then in each enclosing package.
        var scope = from.Package;
        while (true)
        {
            var found = Find(scope.Length == 0 ? type : scope + "." + type);
            if (found is not null || scope.Length == 0)
            {
                return found;
            }

            var dot = scope.LastIndexOf('.');
            scope = dot < 0 ? "" : scope.Substring(0, dot);
        }
    }

    private string? Find(string fullName)
    {
        var dot = fullName.LastIndexOf('.');
        var package = dot < 0 ? "" : fullName.Substring(0, dot);
        var name = fullName.Substring(dot + 1);
        var file = files.FirstOrDefault(f => f.Package == package && f.Messages.Contains(name));
        return file is null ? null : $"global::{file.Namespace}.{name}";
    }
}
