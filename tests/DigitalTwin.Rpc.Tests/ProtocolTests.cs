// Unit tests of the wire helpers: grpc-message percent-encoding, base64 metadata, content types and
// the HTTP and RST_STREAM status mappings.
using DigitalTwin.Rpc.Protocol;

namespace DigitalTwin.Rpc.Tests;

public sealed class ProtocolTests
{
    // Expected encodings: PROTOCOL-HTTP2.md Percent-Encoded (bytes outside 0x20-0x7E and '%' as %XX of UTF-8).
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("a\nb", "a%0Ab")]
    [InlineData("ü", "%C3%BC")]
    [InlineData("🔋", "%F0%9F%94%8B")]
    public void Percent_encoding_matches_the_spec(string text, string encoded)
    {
        Assert.Equal(encoded, PercentEncoding.Encode(text));
        Assert.Equal(text, PercentEncoding.Decode(encoded));
    }

    [Theory]
    [InlineData("%", "%")] // broken sequences stay as they are: the spec forbids failing
    [InlineData("%4", "%4")]
    [InlineData("%zz", "%zz")]
    [InlineData("%e2%9c%93", "✓")] // lower-case hex accepted
    public void Broken_percent_sequences_are_kept(string encoded, string decoded) => Assert.Equal(decoded, PercentEncoding.Decode(encoded));

    [Theory]
    [InlineData("", new byte[0])]
    [InlineData("AA", new byte[] { 0 })]
    [InlineData("AA==", new byte[] { 0 })]
    [InlineData("AAA", new byte[] { 0, 0 })]
    [InlineData("AAA=", new byte[] { 0, 0 })]
    public void Base64_accepts_padded_and_unpadded(string text, byte[] expected) => Assert.Equal(expected, MetadataWire.DecodeBase64(text));

    [Theory]
    [InlineData("A")]
    [InlineData("A===")]
    [InlineData("!!")]
    public void Invalid_base64_is_null(string text) => Assert.Null(MetadataWire.DecodeBase64(text));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc;charset=utf-8", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Content_types(string? contentType, bool accepted) => Assert.Equal(accepted, GrpcProtocol.IsGrpcContentType(contentType));

    // Source: grpc/grpc doc/http-grpc-status-mapping.md.
    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(415, StatusCode.Unknown)]
    [InlineData(500, StatusCode.Unknown)]
    public void Http_status_mapping(int http, StatusCode expected) => Assert.Equal(expected, GrpcProtocol.StatusFromHttpStatus(http));

    // Source: PROTOCOL-HTTP2.md, Errors (RST_STREAM code → status).
    [Theory]
    [InlineData(0x0, StatusCode.Internal)]
    [InlineData(0x1, StatusCode.Internal)]
    [InlineData(0x7, StatusCode.Unavailable)]
    [InlineData(0x8, StatusCode.Cancelled)]
    [InlineData(0xb, StatusCode.ResourceExhausted)]
    [InlineData(0xc, StatusCode.PermissionDenied)]
    public void Reset_code_mapping(long code, StatusCode expected) => Assert.Equal(expected, GrpcProtocol.StatusFromHttp2Error(code));
}
