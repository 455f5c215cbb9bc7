// The protos pass the lint, and every lint rule fires on a deliberately broken copy of them.
using Google.Protobuf.Reflection;

namespace DigitalTwin.Contracts.Tests;

public sealed class ProtoLintTests
{
    [Fact]
    public void ProtosPassTheLint()
    {
        var findings = ProtoLint.Check(ProtoSet.Load(), ProtoSet.Texts());

        Assert.True(findings.Count == 0, "Lint findings:\n" + string.Join('\n', findings));
    }

    [Fact]
    public void DescriptorSetHoldsExactlyTheProtoFilesWithTheirComments()
    {
        var set = ProtoSet.Load();
        var own = ProtoSet.OwnFiles(set).Select(f => f.Name).Order(StringComparer.Ordinal);

        Assert.Equal(ProtoSet.Texts().Keys.Order(StringComparer.Ordinal), own);
        Assert.Contains(set.File, f => f.Name == "google/protobuf/timestamp.proto");
        Assert.All(ProtoSet.OwnFiles(set), f => Assert.NotEmpty(f.SourceCodeInfo.Location));
    }

    [Fact]
    public void EveryDomainHasItsService()
    {
        var services = ProtoSet.OwnFiles(ProtoSet.Load()).SelectMany(f => f.Service.Select(s => $"{f.Package}.{s.Name}")).Order();

        Assert.Equal(
            [
                "digitaltwin.dem.v1.DemService",
                "digitaltwin.electrochem.v1.ElectrochemService",
                "digitaltwin.mechanics.v1.MechanicsService",
                "digitaltwin.telemetry.v1.TelemetryService",
                "digitaltwin.twin.v1.TwinService",
                "digitaltwin.viscoplastic.v1.ViscoplasticService",
            ],
            services);
    }

    public static TheoryData<string> Mutations() => new(BrokenCopies.Keys);

    [Theory]
    [MemberData(nameof(Mutations))]
    public void EachRuleCatchesItsViolation(string mutation)
    {
        var set = ProtoSet.Load();
        var texts = ProtoSet.Texts();
        var (expectedRule, apply) = BrokenCopies[mutation];
        apply(set, texts);

        var findings = ProtoLint.Check(set, texts);

        Assert.Contains(findings, f => f.Rule == expectedRule);
    }

    [Theory]
    [InlineData("A", true)]
    [InlineData("mol.m-3", true)]
    [InlineData("A.h.V-1", true)]
    [InlineData("Ohm.m2", true)]
    [InlineData("degC", true)]
    [InlineData("dimensionless", true)]
    [InlineData("see unit", true)]
    [InlineData("mA", false)]
    [InlineData("m^2", false)]
    [InlineData("m0", false)]
    [InlineData("V/s", false)]
    [InlineData("", false)]
    public void UnitNotationAcceptsOnlyTheDocumentedForms(string unit, bool valid) =>
        Assert.Equal(valid, UnitNotation.IsValid(unit));

    [Fact]
    public void TheUnitIsTheFirstBracketGroup()
    {
        Assert.Equal("V", UnitNotation.FirstBracketGroup(" Terminal voltage [V], see [1]."));
        Assert.Null(UnitNotation.FirstBracketGroup(" Terminal voltage in volts."));
    }

    private static FileDescriptorProto File(FileDescriptorSet set, string name) => set.File.Single(f => f.Name == name);

    private static DescriptorProto Message(FileDescriptorSet set, string file, string name) =>
        File(set, file).MessageType.Single(m => m.Name == name);

    private static SourceCodeInfo.Types.Location FieldLocation(FileDescriptorSet set, string file, string message, string field)
    {
        var f = File(set, file);
        var m = f.MessageType.Select((x, i) => (x, i)).Single(p => p.x.Name == message);
        var index = m.x.Field.Select((x, i) => (x, i)).Single(p => p.x.Name == field).i;
        return f.SourceCodeInfo.Location.Single(l => l.Path.SequenceEqual([4, m.i, 2, index]));
    }

    private const string Electrochem = "digitaltwin/electrochem/v1/electrochem_service.proto";
    private const string Sample = "digitaltwin/common/v1/sample.proto";

    private static readonly Dictionary<string, (string Rule, Action<FileDescriptorSet, Dictionary<string, string>> Apply)> BrokenCopies = new()
    {
        ["numeric field without unit"] = ("FIELD_UNIT", (s, _) =>
            FieldLocation(s, Sample, "SampleBatch", "voltage").LeadingComments = " Cell voltage.\n"),
        ["unit outside the notation"] = ("FIELD_UNIT", (s, _) =>
            FieldLocation(s, Sample, "SampleBatch", "current").LeadingComments = " Cell current [mA].\n"),
        ["see unit without a unit field"] = ("FIELD_UNIT", (s, _) =>
            FieldLocation(s, Sample, "SampleBatch", "current").LeadingComments = " Cell current [see unit].\n"),
        ["numeric map value without unit"] = ("FIELD_UNIT", (s, _) =>
            FieldLocation(s, "digitaltwin/twin/v1/twin_service.proto", "CellState", "last_applied_sequence").LeadingComments = " Per source.\n"),
        ["camelCase field"] = ("FIELD_LOWER_SNAKE_CASE", (s, _) =>
            Message(s, Sample, "SampleBatch").Field.Single(f => f.Name == "voltage").Name = "cellVoltage"),
        ["snake_case message"] = ("MESSAGE_PASCAL_CASE", (s, _) => Message(s, Sample, "SampleBatch").Name = "sample_batch"),
        ["enum zero value"] = ("ENUM_ZERO_VALUE_SUFFIX", (s, _) =>
            File(s, Sample).EnumType.Single(e => e.Name == "StepType").Value[0].Name = "STEP_TYPE_NONE"),
        ["enum value prefix"] = ("ENUM_VALUE_PREFIX", (s, _) =>
            File(s, Sample).EnumType.Single(e => e.Name == "StepType").Value[1].Name = "REST"),
        ["package off its path"] = ("PACKAGE_DIRECTORY_MATCH", (s, _) => File(s, Electrochem).Package = "digitaltwin.echem.v1"),
        ["package statement off its path"] = ("PACKAGE_DIRECTORY_MATCH", (_, t) =>
            t[Electrochem] = t[Electrochem].Replace("package digitaltwin.electrochem.v1;", "package digitaltwin.echem.v1;", StringComparison.Ordinal)),
        ["file outside the layout"] = ("PACKAGE_VERSION_SUFFIX", (s, t) =>
        {
            File(s, Electrochem).Name = "digitaltwin/electrochem/electrochem_service.proto";
            t["digitaltwin/electrochem/electrochem_service.proto"] = t[Electrochem];
            t.Remove(Electrochem);
        }),
        ["csharp namespace"] = ("CSHARP_NAMESPACE", (s, _) => File(s, Electrochem).Options.CsharpNamespace = "DigitalTwin.Electrochem"),
        ["missing file header"] = ("FILE_HEADER", (_, t) => t[Sample] = t[Sample][t[Sample].IndexOf("syntax", StringComparison.Ordinal)..]),
        ["service without suffix"] = ("SERVICE_SUFFIX", (s, _) => File(s, Electrochem).Service[0].Name = "Electrochem"),
        ["service in another file"] = ("SERVICE_FILE", (s, _) => File(s, Sample).Service.Add(File(s, Electrochem).Service[0].Clone())),
        ["rpc without comment"] = ("COMMENT_RPC", (s, _) =>
            File(s, Electrochem).SourceCodeInfo.Location.Single(l => l.Path.SequenceEqual([6, 0, 2, 0])).LeadingComments = ""),
        ["request name"] = ("RPC_REQUEST_STANDARD_NAME", (s, _) => File(s, Electrochem).Service[0].Method[0].InputType = ".digitaltwin.electrochem.v1.ModelState"),
        ["response name"] = ("RPC_RESPONSE_STANDARD_NAME", (s, _) => File(s, Electrochem).Service[0].Method[0].OutputType = ".digitaltwin.electrochem.v1.ModelState"),
        ["request shared by two rpcs"] = ("RPC_REQUEST_RESPONSE_UNIQUE", (s, _) =>
        {
            var methods = File(s, Electrochem).Service[0].Method;
            methods[1].InputType = methods[0].InputType;
        }),
        ["request from another file"] = ("RPC_TYPES_SAME_FILE", (s, _) =>
            File(s, Electrochem).Service[0].Method[0].InputType = ".digitaltwin.common.v1.SimulateRequest"),
        ["stale descriptor set"] = ("FILE_COMPILED", (_, t) => t["digitaltwin/electrochem/v1/extra.proto"] = "// Extra.\n"),
    };
}
