// The generator's proto reader agrees with protoc on every service of protos/, and copes with the syntax
// our files do not use yet (rpc option blocks, block comments, braces in strings).
using DigitalTwin.Contracts.Generator;

namespace DigitalTwin.Contracts.Tests;

public sealed class ProtoParserTests
{
    [Fact]
    public void ServicesAsReadAgreeWithProtoc()
    {
        var texts = ProtoSet.Texts();
        foreach (var file in ProtoSet.OwnFiles(ProtoSet.Load()))
        {
            var parsed = ProtoParser.Parse(file.Name, texts[file.Name]);

            Assert.Equal(file.Package, parsed.Package);
            Assert.Equal(file.Options.CsharpNamespace, parsed.CsharpNamespace);
            Assert.Equal(file.MessageType.Select(m => m.Name), parsed.Messages);
            Assert.Equal(file.Service.Select(s => s.Name), parsed.Services.Select(s => s.Name));
            foreach (var (expected, actual) in file.Service.Zip(parsed.Services))
            {
                Assert.Equal(
                    expected.Method.Select(m => (m.Name, m.InputType, m.ClientStreaming, m.OutputType, m.ServerStreaming)),
                    actual.Methods.Select(m => (m.Name, $".{file.Package}.{m.RequestType}", m.ClientStreaming, $".{file.Package}.{m.ResponseType}", m.ServerStreaming)));
            }
        }
    }

    [Fact]
    public void ReadsOptionBlocksCommentsAndStreams()
    {
        const string text = """
            // Header.
            syntax = "proto3";
            package a.b.v1;
            option csharp_namespace = "X.Y";
            option (custom.opt) = "{ not a block }";
            /* A block comment with { braces } and rpc Fake(A) returns (B); */
            message M { message Inner { int32 x = 1; } string s = 1; }
            enum E { E_UNSPECIFIED = 0; }
            // The service.
            service S {
              option deprecated = false;
              // Streams both ways.
              rpc Both(stream .a.b.v1.M) returns (stream M) { option deprecated = true; }
              rpc One(M) returns (M); // trailing, not a doc of the next rpc
              rpc Two(M) returns (M);
            }
            """;

        var file = ProtoParser.Parse("dir/my_file2x.proto", text);

        Assert.Equal("a.b.v1", file.Package);
        Assert.Equal("X.Y", file.Namespace);
        Assert.Equal(["M"], file.Messages);
        Assert.Equal("MyFile2XReflection", file.ReflectionClass);
        var service = Assert.Single(file.Services);
        Assert.Equal("The service.", service.Comment);
        Assert.Equal(["Both", "One", "Two"], service.Methods.Select(m => m.Name));
        var both = service.Methods[0];
        Assert.Equal((true, ".a.b.v1.M", true, "M", "DuplexStreaming"), (both.ClientStreaming, both.RequestType, both.ServerStreaming, both.ResponseType, both.MethodType));
        Assert.Equal("Streams both ways.", both.Comment);
        Assert.Equal("", service.Methods[2].Comment);
    }

    [Theory]
    [InlineData("package a.v1;\nservice S {\n  rpc M(A) returns B;\n}\n", 3, "expected '('")]
    [InlineData("package a.v1;\nmessage M {\n", 2, "unexpected end of file")]
    [InlineData("package a.v1;\nfoo bar;\n", 2, "unexpected 'foo'")]
    [InlineData("package a.v1;\noption x = \"open\n;", 2, "unterminated string")]
    public void MalformedTextIsReportedWithItsLine(string text, int line, string message)
    {
        var error = Assert.Throws<ProtoParseException>(() => ProtoParser.Parse("bad.proto", text));

        Assert.Equal(line, error.Line);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypesResolveFromTheFilePackageOutwardsOrFullyQualified()
    {
        var common = ProtoParser.Parse("common.proto", "package dt.common.v1; option csharp_namespace = \"C\"; message Shared {}");
        var own = ProtoParser.Parse("own.proto", "package dt.own.v1; message Local {}");
        var resolver = new TypeResolver([common, own]);

        Assert.Equal("global::Dt.Own.V1.Local", resolver.Resolve(own, "Local"));
        Assert.Equal("global::C.Shared", resolver.Resolve(own, "common.v1.Shared"));
        Assert.Equal("global::C.Shared", resolver.Resolve(own, ".dt.common.v1.Shared"));
        Assert.Null(resolver.Resolve(own, "Shared"));
        Assert.Null(resolver.Resolve(own, ".dt.own.v1.Missing"));
    }
}
