// A small reader of .proto text, enough for service generation: it tokenizes (keeping comments for docs),
// reads package and options, records top-level messages, and parses service blocks; other blocks are skipped.
using System.Text;

namespace DigitalTwin.Contracts.Generator;

internal sealed class ProtoParseException(string message, int line) : Exception(message)
{
    /// <summary>1-based line of the problem.</summary>
    public int Line { get; } = line;
}

internal static class ProtoParser
{
    public static ProtoFile Parse(string path, string text)
    {
        var tokens = Tokenize(text);
        var file = new ProtoFile(path);
        var reader = new TokenReader(tokens);
        while (!reader.AtEnd)
        {
            var token = reader.Next();
            switch (token.Text)
            {
                case ";":
                    break;
                case "syntax":
                case "edition":
                case "import":
                    reader.SkipPast(";");
                    break;
                case "package":
                    file.Package = reader.Expect(TokenKind.Word, "a package name").Text;
                    reader.ExpectSymbol(";");
                    break;
                case "option":
                    ReadOption(reader, file);
                    break;
                case "message":
                    file.Messages.Add(reader.Expect(TokenKind.Word, "a message name").Text);
                    reader.SkipBlock();
                    break;
                case "enum":
                case "extend":
                    reader.Expect(TokenKind.Word, "a name");
                    reader.SkipBlock();
                    break;
                case "service":
                    file.Services.Add(ReadService(reader, token));
                    break;
                default:
                    throw new ProtoParseException($"unexpected '{token.Text}' at the top level", token.Line);
            }
        }

        return file;
    }

    private static void ReadOption(TokenReader reader, ProtoFile file)
    {
        var name = new StringBuilder();
        while (reader.Peek().Text != "=")
        {
            name.Append(reader.Next().Text);
        }

        reader.ExpectSymbol("=");
        var value = reader.Next();
        reader.ExpectSymbol(";");
        if (name.ToString() == "csharp_namespace" && value.Kind == TokenKind.String)
        {
            file.CsharpNamespace = value.Text;
        }
    }

    private static ProtoService ReadService(TokenReader reader, Token keyword)
    {
        var name = reader.Expect(TokenKind.Word, "a service name");
        var service = new ProtoService(name.Text, keyword.LeadingComment, keyword.Line);
        reader.ExpectSymbol("{");
        while (true)
        {
            var token = reader.Next();
            switch (token.Text)
            {
                case "}":
                    return service;
                case ";":
                    break;
                case "option":
                    reader.SkipPast(";");
                    break;
                case "rpc":
                    service.Methods.Add(ReadRpc(reader, token));
                    break;
                default:
                    throw new ProtoParseException($"unexpected '{token.Text}' in service {service.Name}", token.Line);
            }
        }
    }

    private static ProtoRpc ReadRpc(TokenReader reader, Token keyword)
    {
        var name = reader.Expect(TokenKind.Word, "an rpc name");
        var rpc = new ProtoRpc(name.Text, keyword.LeadingComment, keyword.Line);
        (rpc.ClientStreaming, rpc.RequestType) = ReadMessageType(reader);
        var returns = reader.Expect(TokenKind.Word, "'returns'");
        if (returns.Text != "returns")
        {
            throw new ProtoParseException($"expected 'returns' after the request of rpc {rpc.Name}, found '{returns.Text}'", returns.Line);
        }

        (rpc.ServerStreaming, rpc.ResponseType) = ReadMessageType(reader);
        if (reader.Peek().Text == "{")
        {
            reader.SkipBlock();
        }
        else
        {
            reader.ExpectSymbol(";");
        }

        return rpc;
    }

    private static (bool Streaming, string Type) ReadMessageType(TokenReader reader)
    {
        reader.ExpectSymbol("(");
        var type = reader.Expect(TokenKind.Word, "a message type");
        var streaming = false;
        if (type.Text == "stream" && reader.Peek().Kind == TokenKind.Word)
        {
            streaming = true;
            type = reader.Next();
        }

        reader.ExpectSymbol(")");
        return (streaming, type.Text);
    }

    internal static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var comment = new StringBuilder();
        var line = 1;
        var lastTokenLine = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                var end = text.IndexOf('\n', i);
                end = end < 0 ? text.Length : end;
                // A comment on the line of the previous token trails it and documents nothing after it.
                if (line != lastTokenLine)
                {
                    comment.AppendLine(text.Substring(i + 2, end - i - 2).Trim());
                }

                i = end;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw new ProtoParseException("unterminated block comment", line);
                }

                var body = text.Substring(i + 2, end - i - 2);
                if (line != lastTokenLine)
                {
                    comment.AppendLine(body.Trim());
                }

                line += body.Count(ch => ch == '\n');
                i = end + 2;
            }
            else
            {
                Token token;
                if (c == '"' || c == '\'')
                {
                    var value = new StringBuilder();
                    var j = i + 1;
                    while (j < text.Length && text[j] != c)
                    {
                        if (text[j] == '\n')
                        {
                            throw new ProtoParseException("unterminated string", line);
                        }

                        if (text[j] == '\\' && j + 1 < text.Length)
                        {
                            j++;
                        }

                        value.Append(text[j]);
                        j++;
                    }

                    if (j >= text.Length)
                    {
                        throw new ProtoParseException("unterminated string", line);
                    }

                    token = new Token(TokenKind.String, value.ToString(), line, comment.ToString().TrimEnd());
                    i = j + 1;
                }
                else if (IsWordChar(c))
                {
                    var j = i;
                    while (j < text.Length && IsWordChar(text[j]))
                    {
                        j++;
                    }

                    token = new Token(TokenKind.Word, text.Substring(i, j - i), line, comment.ToString().TrimEnd());
                    i = j;
                }
                else
                {
                    token = new Token(TokenKind.Symbol, c.ToString(), line, comment.ToString().TrimEnd());
                    i++;
                }

                tokens.Add(token);
                comment.Clear();
                lastTokenLine = line;
            }
        }

        return tokens;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '.';

    private sealed class TokenReader(List<Token> tokens)
    {
        private int _position;

        public bool AtEnd => _position >= tokens.Count;

        public Token Peek() => AtEnd
            ? throw new ProtoParseException("unexpected end of file", tokens.Count == 0 ? 1 : tokens[tokens.Count - 1].Line)
            : tokens[_position];

        public Token Next()
        {
            var token = Peek();
            _position++;
            return token;
        }

        public Token Expect(TokenKind kind, string what)
        {
            var token = Next();
            return token.Kind == kind ? token : throw new ProtoParseException($"expected {what}, found '{token.Text}'", token.Line);
        }

        public void ExpectSymbol(string symbol)
        {
            var token = Next();
            if (token.Kind != TokenKind.Symbol || token.Text != symbol)
            {
                throw new ProtoParseException($"expected '{symbol}', found '{token.Text}'", token.Line);
            }
        }

        public void SkipPast(string symbol)
        {
            while (Next().Text != symbol)
            {
            }
        }

        /// <summary>Skips a balanced { ... } block starting at the next token.</summary>
        public void SkipBlock()
        {
            ExpectSymbol("{");
            var depth = 1;
            while (depth > 0)
            {
                var token = Next();
                if (token.Kind == TokenKind.Symbol)
                {
                    depth += token.Text == "{" ? 1 : token.Text == "}" ? -1 : 0;
                }
            }
        }
    }
}

internal enum TokenKind
{
    Word,
    String,
    Symbol,
}

internal readonly struct Token(TokenKind kind, string text, int line, string leadingComment)
{
    public TokenKind Kind { get; } = kind;

    public string Text { get; } = text;

    public int Line { get; } = line;

    /// <summary>The comment lines directly above the token, without the comment markers.</summary>
    public string LeadingComment { get; } = leadingComment;
}
