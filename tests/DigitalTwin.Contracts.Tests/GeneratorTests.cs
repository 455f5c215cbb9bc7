// The source generator run in-process on small proto texts: one source per service, and a clear error
// (DTC001-DTC003) naming file and line for unreadable files, unknown types and colliding names.
using System.Collections.Immutable;
using DigitalTwin.Contracts.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace DigitalTwin.Contracts.Tests;

public sealed class GeneratorTests
{
    private const string Header = "// Test.\nsyntax = \"proto3\";\npackage t.v1;\noption csharp_namespace = \"T.V1\";\n";

    [Fact]
    public void EmitsOneSourcePerServiceWithTheTrio()
    {
        var (sources, diagnostics) = Run(("protos/t/v1/t_service.proto",
            Header + "message GoRequest {}\nmessage GoResponse {}\n// Runs.\nservice TService {\n  // Goes.\n  rpc Go(GoRequest) returns (stream GoResponse);\n}\n"));

        Assert.Empty(diagnostics);
        var (hint, text) = Assert.Single(sources);
        Assert.Equal("T.V1.TService.g.cs", hint);
        Assert.Contains("public static partial class TServiceMethods", text, StringComparison.Ordinal);
        Assert.Contains("global::T.V1.TServiceReflection.Descriptor.Services[0]", text, StringComparison.Ordinal);
        Assert.Contains("MethodType.ServerStreaming, ServiceName, \"Go\"", text, StringComparison.Ordinal);
        Assert.Contains("AsyncServerStreamingCall<global::T.V1.GoResponse> Go(global::T.V1.GoRequest request,", text, StringComparison.Ordinal);
        Assert.Contains("public static global::DigitalTwin.Rpc.ServiceDefinition Bind(TServiceBase service)", text, StringComparison.Ordinal);
        Assert.Contains("/// Goes.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableFileIsAnErrorWithItsLine()
    {
        var (sources, diagnostics) = Run(("bad.proto", Header + "service S {\n  rpc Go(A) returns B;\n}\n"));

        Assert.Empty(sources);
        var error = Assert.Single(diagnostics);
        Assert.Equal(("DTC001", DiagnosticSeverity.Error), (error.Id, error.Severity));
        Assert.StartsWith("bad.proto(6): expected '('", error.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownMessageTypeIsAnError()
    {
        var (sources, diagnostics) = Run(("t.proto", Header + "message GoRequest {}\nservice TService {\n  rpc Go(GoRequest) returns (Missing);\n}\n"));

        Assert.Empty(sources);
        var error = Assert.Single(diagnostics);
        Assert.Equal("DTC002", error.Id);
        Assert.Contains("t.proto(7): rpc Go uses 'Missing'", error.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void RpcNamedLikeAGeneratedMemberIsAnError()
    {
        var (_, diagnostics) = Run(("t.proto", Header + "message BindRequest {}\nmessage BindResponse {}\nservice TService {\n  rpc Bind(BindRequest) returns (BindResponse);\n}\n"));

        Assert.Equal("DTC003", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void TypesFromAnotherFileResolveToItsNamespace()
    {
        var (sources, diagnostics) = Run(
            ("common.proto", "syntax = \"proto3\";\npackage t.common.v1;\noption csharp_namespace = \"T.Common.V1\";\nmessage Shared {}\n"),
            ("t.proto", Header + "service TService {\n  rpc Go(t.common.v1.Shared) returns (.t.common.v1.Shared);\n}\n"));

        Assert.Empty(diagnostics);
        Assert.Contains("Method<global::T.Common.V1.Shared, global::T.Common.V1.Shared> Go", Assert.Single(sources).Text, StringComparison.Ordinal);
    }

    private static (List<(string Hint, string Text)> Sources, ImmutableArray<Diagnostic> Diagnostics) Run(params (string Path, string Text)[] files)
    {
        var compilation = CSharpCompilation.Create("Generated", options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var driver = CSharpGeneratorDriver.Create(
            [new ServiceGenerator().AsSourceGenerator()],
            additionalTexts: files.Select(f => (AdditionalText)new InMemoryText(f.Path, f.Text)));

        var result = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        return (result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).ToList(), result.Diagnostics);
    }

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
