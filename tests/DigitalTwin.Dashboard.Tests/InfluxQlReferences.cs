// Just enough of an InfluxQL reader to list what a dashboard query refers to: the measurement,
// the selected fields with their aliases, the keys compared in WHERE and the GROUP BY tags.
using System.Text;

namespace DigitalTwin.Dashboard.Tests;

internal sealed record SelectedField(string Field, string? Alias);

internal sealed record QueryReferences(
    string Measurement,
    IReadOnlyList<SelectedField> Selected,
    IReadOnlyList<string> WhereKeys,
    IReadOnlyList<string> GroupByTags,
    string? ShowTagKey,
    IReadOnlyList<string> Variables);

internal static class InfluxQlReferences
{
    private enum Kind { Word, Identifier, Text, Regex, Number, Variable, Symbol }

    private readonly record struct Token(Kind Kind, string Value)
    {
        public bool Is(string keyword) => Kind == Kind.Word && Value.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        public bool IsName => Kind is Kind.Identifier || (Kind == Kind.Word && !Keywords.Contains(Value.ToUpperInvariant()));
    }

    private static readonly HashSet<string> Keywords = ["SELECT", "FROM", "WHERE", "AND", "OR", "GROUP", "BY", "ORDER", "LIMIT", "AS", "SHOW", "TAG",
        "VALUES", "WITH", "KEY", "FILL", "DESC", "ASC", "TIME", "NOW", "NONE", "NULL", "PREVIOUS", "LINEAR", "TRUE", "FALSE"];

    private static readonly HashSet<string> Comparisons = ["=", "!=", "<>", "=~", "!~", "<", ">", "<=", ">="];

    public static QueryReferences Parse(string query)
    {
        var tokens = Tokenize(query);
        var variables = tokens.Where(t => t.Kind == Kind.Variable).Select(t => t.Value).Distinct().ToList();
        if (tokens.Count > 2 && tokens[0].Is("SHOW") && tokens[1].Is("TAG") && tokens[2].Is("VALUES"))
        {
            var from = Index(tokens, "FROM");
            var key = tokens.FindIndex(t => t.Is("KEY"));
            var where = Index(tokens, "WHERE");
            return new QueryReferences(tokens[from + 1].Value, [], where < 0 ? [] : WhereKeys(tokens, where + 1, tokens.Count), [],
                tokens[key + 2].Value, variables);
        }

        if (!tokens[0].Is("SELECT"))
        {
            throw new FormatException($"Only SELECT and SHOW TAG VALUES are expected in dashboards: {query}");
        }

        var fromIndex = Index(tokens, "FROM");
        if (fromIndex < 0 || tokens[fromIndex + 1].Kind is not (Kind.Identifier or Kind.Word))
        {
            throw new FormatException($"No FROM \"measurement\": {query}");
        }

        var end = tokens.FindIndex(fromIndex, t => t.Is("GROUP") || t.Is("ORDER") || t.Is("LIMIT") || t.Is("FILL"));
        end = end < 0 ? tokens.Count : end;
        var whereIndex = Index(tokens, "WHERE");
        var group = tokens.FindIndex(t => t.Is("GROUP"));
        return new QueryReferences(
            tokens[fromIndex + 1].Value,
            Selected(tokens, 1, fromIndex),
            whereIndex < 0 ? [] : WhereKeys(tokens, whereIndex + 1, end),
            group < 0 ? [] : GroupBy(tokens, group + 2),
            null,
            variables);
    }

    private static int Index(List<Token> tokens, string keyword) => tokens.FindIndex(t => t.Is(keyword));

    private static List<SelectedField> Selected(List<Token> tokens, int start, int end)
    {
        var result = new List<SelectedField>();
        var fields = new List<string>();
        string? alias = null;
        var depth = 0;
        void Close()
        {
            result.AddRange(fields.Select(f => new SelectedField(f, alias)));
            fields.Clear();
            alias = null;
        }

        for (var i = start; i < end; i++)
        {
            var token = tokens[i];
            if (token.Value == "(")
            {
                depth++;
            }
            else if (token.Value == ")")
            {
                depth--;
            }
            else if (token.Value == "," && depth == 0)
            {
                Close();
            }
            else if (token.Is("AS"))
            {
                alias = tokens[++i].Value;
            }
            else if (token.Value == "*")
            {
                fields.Add("*");
            }
            else if (token.IsName && !(i + 1 < end && tokens[i + 1].Value == "("))
            {
                fields.Add(token.Value);
            }
        }

        Close();
        return result;
    }

    private static List<string> WhereKeys(List<Token> tokens, int start, int end)
    {
        var keys = new List<string>();
        for (var i = start; i + 1 < end; i++)
        {
            if (tokens[i].IsName && tokens[i + 1].Kind == Kind.Symbol && Comparisons.Contains(tokens[i + 1].Value))
            {
                keys.Add(tokens[i].Value);
            }
        }

        return keys;
    }

    private static List<string> GroupBy(List<Token> tokens, int start)
    {
        var tags = new List<string>();
        for (var i = start; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Is("FILL") || token.Is("ORDER") || token.Is("LIMIT"))
            {
                break;
            }

            if (token.Is("TIME"))
            {
                while (tokens[i].Value != ")")
                {
                    i++;
                }

                continue;
            }

            if (token.IsName)
            {
                tags.Add(token.Value);
            }
        }

        return tags;
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '\'')
            {
                var value = Quoted(text, ref i, c);
                tokens.Add(new Token(c == '"' ? Kind.Identifier : Kind.Text, value));
            }
            else if (c == '/' && tokens.Count > 0 && tokens[^1].Value is "=~" or "!~")
            {
                var close = text.IndexOf('/', i + 1);
                while (close > 0 && text[close - 1] == '\\')
                {
                    close = text.IndexOf('/', close + 1);
                }

                tokens.Add(new Token(Kind.Regex, text[(i + 1)..close]));
                i = close + 1;
            }
            else if (c == '$')
            {
                var j = i + 1;
                while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_'))
                {
                    j++;
                }

                tokens.Add(new Token(Kind.Variable, text[(i + 1)..j]));
                i = j;
            }
            else if (char.IsDigit(c))
            {
                var j = i;
                while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '.'))
                {
                    j++;
                }

                tokens.Add(new Token(Kind.Number, text[i..j]));
                i = j;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var j = i;
                while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_'))
                {
                    j++;
                }

                tokens.Add(new Token(Kind.Word, text[i..j]));
                i = j;
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                var symbol = two is "=~" or "!~" or "!=" or "<>" or "<=" or ">=" ? two : c.ToString();
                tokens.Add(new Token(Kind.Symbol, symbol));
                i += symbol.Length;
            }
        }

        return tokens;
    }

    private static string Quoted(string text, ref int i, char quote)
    {
        var value = new StringBuilder();
        i++;
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }

            value.Append(text[i++]);
        }

        i++;
        return value.ToString();
    }
}
