// Lint of protos/: Buf's standard layout and naming rules, the service-file and comment rules of
// protos/README.md, and a unit on every numeric field. Reports every finding at once, with file and line.
using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using Type = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace DigitalTwin.Contracts.Tests;

internal sealed record LintFinding(string File, int Line, string Rule, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Rule}: {Message}";
}

internal static partial class ProtoLint
{
    // Field numbers of descriptor.proto, used to address SourceCodeInfo locations.
    private const int FileMessageType = 4;
    private const int FileEnumType = 5;
    private const int FileService = 6;
    private const int MessageField = 2;
    private const int MessageNestedType = 3;
    private const int MessageEnumType = 4;
    private const int MessageOneof = 8;
    private const int EnumValue = 2;
    private const int ServiceMethod = 2;

    private static readonly HashSet<Type> NumericTypes =
    [
        Type.Double, Type.Float, Type.Int32, Type.Int64, Type.Uint32, Type.Uint64,
        Type.Sint32, Type.Sint64, Type.Fixed32, Type.Fixed64, Type.Sfixed32, Type.Sfixed64,
    ];

    /// <summary>Lints our files of a descriptor set together with their texts (keyed like the descriptor's file names).</summary>
    public static List<LintFinding> Check(FileDescriptorSet set, IReadOnlyDictionary<string, string> texts)
    {
        var findings = new List<LintFinding>();
        var files = ProtoSet.OwnFiles(set);
        var requestUse = new Dictionary<string, List<string>>(StringComparer.Ordinal);

        foreach (var text in texts.Keys.Where(k => !files.Any(f => f.Name == k)))
        {
            findings.Add(new(text, 0, "FILE_COMPILED", "the file is not in the descriptor set; rebuild the contracts"));
        }

        foreach (var file in files)
        {
            var context = new FileContext(file, findings);
            CheckFile(context, texts.GetValueOrDefault(file.Name));
            for (var i = 0; i < file.MessageType.Count; i++)
            {
                CheckMessage(context, file.MessageType[i], [FileMessageType, i]);
            }

            for (var i = 0; i < file.EnumType.Count; i++)
            {
                CheckEnum(context, file.EnumType[i], [FileEnumType, i]);
            }

            for (var i = 0; i < file.Service.Count; i++)
            {
                CheckService(context, file.Service[i], [FileService, i], requestUse);
            }
        }

        CheckDomainsHaveServices(files, findings);
        foreach (var (type, users) in requestUse.Where(u => u.Value.Count > 1))
        {
            findings.Add(new(users[0].Split('#')[0], 0, "RPC_REQUEST_RESPONSE_UNIQUE",
                $"{type} is used by more than one RPC: {string.Join(", ", users.Select(u => u.Split('#')[1]))}"));
        }

        return findings;
    }

    private static void CheckFile(FileContext context, string? text)
    {
        var file = context.File;
        var layout = FileLayout().Match(file.Name);
        if (!layout.Success)
        {
            context.Add([], "PACKAGE_VERSION_SUFFIX", "file must be digitaltwin/<domain>/v<N>/<lower_snake>.proto");
            return;
        }

        var domain = layout.Groups["domain"].Value;
        var version = layout.Groups["version"].Value;
        var expectedPackage = $"digitaltwin.{domain}.v{version}";
        if (file.Package != expectedPackage)
        {
            context.Add([], "PACKAGE_DIRECTORY_MATCH", $"package '{file.Package}' must be '{expectedPackage}' to match the path");
        }

        var expectedNamespace = $"DigitalTwin.Contracts.{Pascal(domain)}.V{version}";
        if (file.Options?.CsharpNamespace != expectedNamespace)
        {
            context.Add([], "CSHARP_NAMESPACE", $"option csharp_namespace must be \"{expectedNamespace}\"");
        }

        if (file.PublicDependency.Count > 0)
        {
            context.Add([], "IMPORT_NO_PUBLIC", "public imports are not allowed");
        }

        if (file.Syntax != "proto3")
        {
            context.Add([], "SYNTAX", "files must use syntax = \"proto3\"");
        }

        if (text is null)
        {
            context.Add([], "FILE_TEXT", "the proto text is missing beside the descriptor set");
            return;
        }

        if (!text.StartsWith("// ", StringComparison.Ordinal))
        {
            context.Add([], "FILE_HEADER", "a file starts with a comment saying what it is for");
        }

        var packageStatement = PackageStatement().Match(text);
        if (!packageStatement.Success || packageStatement.Groups[1].Value != expectedPackage)
        {
            context.Add([], "PACKAGE_DIRECTORY_MATCH", $"the text must declare 'package {expectedPackage};'");
        }

        var isServiceFile = file.Name.EndsWith($"/{domain}_service.proto", StringComparison.Ordinal);
        if (file.Service.Count > 0 && !isServiceFile)
        {
            context.Add([], "SERVICE_FILE", $"services belong in {domain}_service.proto");
        }

        if (isServiceFile && (file.Service.Count != 1 || file.Service[0].Name != Pascal(domain) + "Service"))
        {
            context.Add([], "SERVICE_FILE", $"{domain}_service.proto declares exactly one service, {Pascal(domain)}Service");
        }
    }

    private static void CheckMessage(FileContext context, DescriptorProto message, int[] path)
    {
        if (message.Options?.MapEntry == true)
        {
            return;
        }

        if (!PascalCase().IsMatch(message.Name))
        {
            context.Add(path, "MESSAGE_PASCAL_CASE", $"message {message.Name} must be PascalCase");
        }

        var hasUnitField = message.Field.Any(f => f.Name == "unit" && f.Type == Type.String);
        for (var i = 0; i < message.Field.Count; i++)
        {
            var field = message.Field[i];
            int[] fieldPath = [.. path, MessageField, i];
            if (!LowerSnakeCase().IsMatch(field.Name))
            {
                context.Add(fieldPath, "FIELD_LOWER_SNAKE_CASE", $"{message.Name}.{field.Name} must be lower_snake_case");
            }

            if (!IsNumeric(message, field))
            {
                continue;
            }

            var location = context.Location(fieldPath);
            var comment = $"{location?.LeadingComments} {location?.TrailingComments}";
            var unit = UnitNotation.FirstBracketGroup(comment);
            if (unit is null)
            {
                context.Add(fieldPath, "FIELD_UNIT", $"numeric field {message.Name}.{field.Name} needs its unit in [brackets] in its comment");
            }
            else if (!UnitNotation.IsValid(unit))
            {
                context.Add(fieldPath, "FIELD_UNIT", $"{message.Name}.{field.Name}: '[{unit}]' is not a unit of the notation in protos/README.md");
            }
            else if (unit == UnitNotation.SeeUnit && !hasUnitField)
            {
                context.Add(fieldPath, "FIELD_UNIT", $"{message.Name}.{field.Name} says [see unit] but {message.Name} has no string field 'unit'");
            }
        }

        for (var i = 0; i < message.OneofDecl.Count; i++)
        {
            var synthetic = message.Field.Any(f => f.Proto3Optional && f.OneofIndex == i);
            if (!synthetic && !LowerSnakeCase().IsMatch(message.OneofDecl[i].Name))
            {
                context.Add([.. path, MessageOneof, i], "ONEOF_LOWER_SNAKE_CASE", $"oneof {message.OneofDecl[i].Name} must be lower_snake_case");
            }
        }

        for (var i = 0; i < message.NestedType.Count; i++)
        {
            CheckMessage(context, message.NestedType[i], [.. path, MessageNestedType, i]);
        }

        for (var i = 0; i < message.EnumType.Count; i++)
        {
            CheckEnum(context, message.EnumType[i], [.. path, MessageEnumType, i]);
        }
    }

    private static bool IsNumeric(DescriptorProto message, FieldDescriptorProto field)
    {
        if (NumericTypes.Contains(field.Type))
        {
            return true;
        }

        // A map field's type is a nested entry message; its value decides.
        if (field.Type != Type.Message)
        {
            return false;
        }

        var entryName = field.TypeName[(field.TypeName.LastIndexOf('.') + 1)..];
        var entry = message.NestedType.FirstOrDefault(n => n.Name == entryName && n.Options?.MapEntry == true);
        return entry is not null && NumericTypes.Contains(entry.Field.Single(f => f.Name == "value").Type);
    }

    private static void CheckEnum(FileContext context, EnumDescriptorProto enumType, int[] path)
    {
        if (!PascalCase().IsMatch(enumType.Name))
        {
            context.Add(path, "ENUM_PASCAL_CASE", $"enum {enumType.Name} must be PascalCase");
        }

        var prefix = UpperSnake(enumType.Name) + "_";
        for (var i = 0; i < enumType.Value.Count; i++)
        {
            var value = enumType.Value[i];
            int[] valuePath = [.. path, EnumValue, i];
            if (!UpperSnakeCase().IsMatch(value.Name))
            {
                context.Add(valuePath, "ENUM_VALUE_UPPER_SNAKE_CASE", $"{value.Name} must be UPPER_SNAKE_CASE");
            }

            if (!value.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                context.Add(valuePath, "ENUM_VALUE_PREFIX", $"{value.Name} must start with {prefix}");
            }

            if (value.Number == 0 && value.Name != prefix + "UNSPECIFIED")
            {
                context.Add(valuePath, "ENUM_ZERO_VALUE_SUFFIX", $"the zero value of {enumType.Name} must be {prefix}UNSPECIFIED");
            }
        }
    }

    private static void CheckService(FileContext context, ServiceDescriptorProto service, int[] path,
        Dictionary<string, List<string>> requestUse)
    {
        var file = context.File;
        if (!service.Name.EndsWith("Service", StringComparison.Ordinal) || !PascalCase().IsMatch(service.Name))
        {
            context.Add(path, "SERVICE_SUFFIX", $"service {service.Name} must be PascalCase and end in Service");
        }

        if (string.IsNullOrWhiteSpace(context.Location(path)?.LeadingComments))
        {
            context.Add(path, "COMMENT_SERVICE", $"service {service.Name} needs a comment");
        }

        var localMessages = file.MessageType.Select(m => $".{file.Package}.{m.Name}").ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < service.Method.Count; i++)
        {
            var method = service.Method[i];
            int[] methodPath = [.. path, ServiceMethod, i];
            if (!PascalCase().IsMatch(method.Name))
            {
                context.Add(methodPath, "RPC_PASCAL_CASE", $"rpc {method.Name} must be PascalCase");
            }

            if (string.IsNullOrWhiteSpace(context.Location(methodPath)?.LeadingComments))
            {
                context.Add(methodPath, "COMMENT_RPC", $"rpc {method.Name} needs a comment");
            }

            if (method.InputType != $".{file.Package}.{method.Name}Request")
            {
                context.Add(methodPath, "RPC_REQUEST_STANDARD_NAME", $"rpc {method.Name} must take {method.Name}Request, not {method.InputType}");
            }

            if (method.OutputType != $".{file.Package}.{method.Name}Response")
            {
                context.Add(methodPath, "RPC_RESPONSE_STANDARD_NAME", $"rpc {method.Name} must return {method.Name}Response, not {method.OutputType}");
            }

            if (!localMessages.Contains(method.InputType) || !localMessages.Contains(method.OutputType))
            {
                context.Add(methodPath, "RPC_TYPES_SAME_FILE", $"rpc {method.Name}'s request and response are declared in {file.Name}");
            }

            foreach (var type in new[] { method.InputType, method.OutputType })
            {
                if (!requestUse.TryGetValue(type, out var users))
                {
                    requestUse[type] = users = [];
                }

                users.Add($"{file.Name}#{service.Name}.{method.Name}");
            }
        }
    }

    private static void CheckDomainsHaveServices(List<FileDescriptorProto> files, List<LintFinding> findings)
    {
        foreach (var domainFiles in files.GroupBy(f => f.Package))
        {
            var domain = domainFiles.Key.Split('.')[1];
            if (domain != "common" && !domainFiles.Any(f => f.Service.Count > 0))
            {
                findings.Add(new(domainFiles.First().Name, 0, "SERVICE_FILE", $"package {domainFiles.Key} has no {domain}_service.proto with its service"));
            }

            if (domain == "common" && domainFiles.Any(f => f.Service.Count > 0))
            {
                findings.Add(new(domainFiles.First().Name, 0, "SERVICE_FILE", "digitaltwin.common holds shared messages only, no services"));
            }
        }
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    private static string UpperSnake(string pascal) => CamelBoundary().Replace(pascal, "$1_$2").ToUpperInvariant();

    [GeneratedRegex(@"^digitaltwin/(?<domain>[a-z][a-z0-9_]*)/v(?<version>[1-9][0-9]*)/[a-z][a-z0-9_]*\.proto$")]
    private static partial Regex FileLayout();

    [GeneratedRegex(@"^package\s+([A-Za-z0-9_.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex PackageStatement();

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex PascalCase();

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex LowerSnakeCase();

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnakeCase();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();

    private sealed class FileContext(FileDescriptorProto file, List<LintFinding> findings)
    {
        private readonly Dictionary<string, SourceCodeInfo.Types.Location> _locations =
            (file.SourceCodeInfo?.Location ?? [])
                .GroupBy(l => string.Join(',', l.Path))
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        public FileDescriptorProto File { get; } = file;

        public SourceCodeInfo.Types.Location? Location(int[] path) => _locations.GetValueOrDefault(string.Join(',', path));

        // Lines in SourceCodeInfo are 0-based; findings use 1-based lines (0 = whole file).
        public void Add(int[] path, string rule, string message) =>
            findings.Add(new(File.Name, path.Length == 0 ? 0 : (Location(path)?.Span[0] ?? -1) + 1, rule, message));
    }
}
