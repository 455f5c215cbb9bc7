// Representative messages of every domain survive binary and JSON round trips unchanged, repeated numerics
// are packed on the wire, and optional fields keep "unset" apart from zero.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Contracts.Viscoplastic.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace DigitalTwin.Contracts.Tests;

public sealed class RoundTripTests
{
    public static TheoryData<string> Samples() => new(Representative.Keys);

    [Theory]
    [MemberData(nameof(Samples))]
    public void BinaryRoundTripIsLossless(string name)
    {
        var message = Representative[name]();

        var parsed = message.Descriptor.Parser.ParseFrom(message.ToByteArray());

        Assert.Equal(message, parsed);
        Assert.Equal(message.CalculateSize(), parsed.CalculateSize());
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void JsonRoundTripIsLossless(string name)
    {
        var message = Representative[name]();
        var registry = TypeRegistry.FromFiles(ProtoFiles());

        var json = new JsonFormatter(new JsonFormatter.Settings(formatDefaultValues: false, registry)).Format(message);
        var parsed = new JsonParser(new JsonParser.Settings(64, registry)).Parse(json, message.Descriptor);

        Assert.Equal(message, parsed);
    }

    [Fact]
    public void RepeatedDoublesArePacked()
    {
        var batch = new SampleBatch();
        batch.Voltage.AddRange(Enumerable.Range(0, 1000).Select(i => 3.0 + i * 1e-3));

        // Packed encoding (protobuf encoding guide, "Packed Repeated Fields"): one tag byte for field 11,
        // a varint length of 8000 (2 bytes), then 1000 little-endian 8-byte doubles; unpacked would be 9000 bytes.
        Assert.Equal(1 + 2 + 8000, batch.CalculateSize());
    }

    [Fact]
    public void OptionalFieldsKeepUnsetApartFromZero()
    {
        var design = new ElectrodeDesign { ActiveMaterial = "NMC711", Porosity = 0.0 };

        var parsed = ElectrodeDesign.Parser.ParseFrom(design.ToByteArray());

        Assert.True(parsed.HasPorosity);
        Assert.Equal(0.0, parsed.Porosity);
        Assert.False(parsed.HasThickness);
    }

    [Fact]
    public void NaNMarksAMissingValueAndSurvivesTheWireAndJson()
    {
        var batch = new SampleBatch { CellId = "c1", SourceId = "s1" };
        batch.TemperatureDegc.AddRange([25.0, double.NaN, 25.5]);

        var binary = SampleBatch.Parser.ParseFrom(batch.ToByteArray());
        var json = JsonParser.Default.Parse<SampleBatch>(JsonFormatter.Default.Format(batch));

        Assert.True(double.IsNaN(binary.TemperatureDegc[1]));
        Assert.True(double.IsNaN(json.TemperatureDegc[1]));
    }

    [Fact]
    public void JsonUsesLowerCamelNamesAndStringInt64ForOtherLanguages()
    {
        var batch = new SampleBatch { CellId = "c1" };
        batch.TimeUnixNs.Add(1_700_000_000_123_456_789);

        var json = JsonFormatter.Default.Format(batch);

        // Proto3 JSON mapping: lowerCamelCase field names, 64-bit integers as decimal strings.
        Assert.Equal("{ \"cellId\": \"c1\", \"timeUnixNs\": [ \"1700000000123456789\" ] }", json);
    }

    [Fact]
    public void OneofsCarryExactlyOneCase()
    {
        var upload = new UploadFileRequest { Metadata = new FileMetadata { FileName = "a.csv" } };
        upload.Chunk = new FileChunk { Offset = 0, Data = ByteString.CopyFromUtf8("x") };

        var parsed = UploadFileRequest.Parser.ParseFrom(upload.ToByteArray());

        Assert.Equal(UploadFileRequest.PartOneofCase.Chunk, parsed.PartCase);
        Assert.Null(parsed.Metadata);
    }

    [Fact]
    public void DescriptorSetCarriesFieldCommentsForDocs()
    {
        var file = ProtoSet.Load().File.Single(f => f.Name == "digitaltwin/common/v1/sample.proto");
        var batch = file.MessageType.Select((m, i) => (m, i)).Single(p => p.m.Name == "SampleBatch");
        var current = batch.m.Field.Select((f, i) => (f, i)).Single(p => p.f.Name == "current").i;

        var comment = file.SourceCodeInfo.Location.Single(l => l.Path.SequenceEqual([4, batch.i, 2, current])).LeadingComments;

        Assert.Equal(" Cell current, positive when charging [A].\n", comment);
    }

    private static IEnumerable<FileDescriptor> ProtoFiles() =>
    [
        SampleReflection.Descriptor, TelemetryServiceReflection.Descriptor, TwinServiceReflection.Descriptor,
        ElectrochemServiceReflection.Descriptor, MechanicsServiceReflection.Descriptor,
        ViscoplasticServiceReflection.Descriptor, DemServiceReflection.Descriptor,
    ];

    private static readonly Dictionary<string, Func<IMessage>> Representative = new()
    {
        ["telemetry sample batch"] = () =>
        {
            var batch = new SampleBatch { CellId = "cell-1", SourceId = "arbin-3/ch12", SourceFile = "run.csv" };
            batch.Sequence.AddRange([1UL, 2UL, 3UL]);
            batch.TimeUnixNs.AddRange([1_700_000_000_000_000_000L, 1_700_000_001_000_000_000L, 1_700_000_002_000_000_000L]);
            batch.TestTime.AddRange([0.0, 1.0, 2.0]);
            batch.CycleIndex.AddRange([1U, 1U, 1U]);
            batch.StepIndex.AddRange([2U, 2U, 3U]);
            batch.StepType.AddRange([StepType.CcCharge, StepType.CcCharge, StepType.Rest]);
            batch.Current.AddRange([1.5, 1.5, 0.0]);
            batch.Voltage.AddRange([3.71, 3.72, 3.70]);
            batch.SourceRow.AddRange([10UL, 11UL, 12UL]);
            return new IngestSamplesRequest { Batch = batch };
        },
        ["telemetry file upload metadata"] = () => new UploadFileRequest
        {
            Metadata = new FileMetadata
            {
                FileName = "cell.mpr", CellId = "c7", SizeBytes = 123_456, Format = "auto", TimeZone = "Europe/Berlin",
                ErrorPolicy = ErrorPolicy.SkipRow, ColumnMapping = ByteString.CopyFromUtf8("{\"I/mA\":\"current\"}"),
            },
        },
        ["telemetry acknowledgement"] = () => new StreamSamplesResponse
        {
            Ack = new IngestAck
            {
                SourceId = "s", CellId = "c", LastDurableSequence = ulong.MaxValue, Accepted = 10, Duplicates = 2, Rejected = 1,
                Diagnostics = { new Diagnostic { Severity = Severity.Warning, Code = "time_backwards", Source = "run.csv", Line = 12, Field = "Test_Time(s)", Expected = { "increasing time" } } },
            },
        },
        ["twin cell registration"] = () => new RegisterCellRequest
        {
            CellId = "c1", LotId = "lot-7", Labels = { ["line"] = "L2" },
            Design = new CellDesign
            {
                Chemistry = "NMC711 | Li", Configuration = CellConfiguration.HalfCell, Format = CellFormat.Coin,
                Parameters = new ParameterSetRef { Name = "KazemGhamsari2025", Overrides = { new ParameterOverride { Name = "positive.thickness", Value = 7.5e-5, Unit = "m" } } },
                NominalCapacityAh = 0.0045, Electrolyte = ElectrolyteKind.Liquid, StackPressure = 1e6,
                Positive = new ElectrodeDesign
                {
                    ActiveMaterial = "NMC711", Thickness = 7.5e-5, Porosity = 0.3,
                    ParticleClasses = { new ParticleSizeClass { Id = "small", Radius = 2e-6, VolumeFraction = 0.4 }, new ParticleSizeClass { Id = "large", Radius = 6e-6, VolumeFraction = 0.6 } },
                    Binder = new BinderDesign { Material = "PVdF", MassFraction = 0.02 },
                },
            },
        },
        ["twin series"] = () => new QuerySeriesResponse
        {
            Series =
            {
                new Series
                {
                    LotId = "lot-7", Measurement = "telemetry", Field = "voltage", Unit = "V", Tags = { ["cell"] = "c1" },
                    TimeUnixNs = { 0L, 60_000_000_000L }, Values = { 3.7, 3.8 }, MinValues = { 3.6, 3.75 }, MaxValues = { 3.75, 3.85 }, Counts = { 60U, 60U },
                    Interval = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
                },
            },
        },
        ["twin state update"] = () => new WatchCellsResponse
        {
            Cell = new CellState
            {
                CellId = "c1", Status = CellStatus.Live, Time = Timestamp.FromDateTime(new DateTime(2026, 3, 29, 1, 30, 0, DateTimeKind.Utc)),
                LastAppliedSequence = { ["s1"] = 42UL }, Current = -2.5, MeasuredVoltage = 3.61, ModelVoltage = 3.605, Soc = 0.55, Soh = 0.97,
                ActiveAlerts = { new Alert { AlertId = "a1", Kind = AlertKind.ParticleStrength, Severity = AlertSeverity.Warning, Value = 190e6, Threshold = 200e6, Unit = "Pa" } },
            },
        },
        ["electrochem advance"] = () => new AdvanceRequest
        {
            State = new ModelState { Model = ModelKind.Spme, ParameterSet = "Marquis2019@1", SchemaVersion = 1, Time = 3600, Data = ByteString.CopyFrom(1, 2, 3, 255) },
            Time = { 1, 2, 3 }, Current = { -1.0, -1.0, -1.1 }, Interpolation = CurrentInterpolation.ZeroOrderHold, Temperature = 298.15,
        },
        ["electrochem simulate chunk"] = () => new SimulateResponse
        {
            Chunk = new ResultChunk
            {
                FirstRow = 100, Time = { 10, 20 }, Current = { -0.68, -0.68 }, Voltage = { 4.0, 3.99 },
                Extra = { new Column { Name = "negative_particle_surface_concentration", Unit = "mol.m-3", Values = { 1e4, 1.1e4 } } },
                ParticleProfiles =
                {
                    new ParticleProfile
                    {
                        Particle = new ParticleClassRef { Electrode = ElectrodeRole.Positive, ClassId = "small" },
                        ThroughThicknessPosition = 1, ParticleRadius = 2e-6, Radius = { 0, 1e-6, 2e-6 }, Concentration = { 2e4, 2.1e4, 2.3e4 }, MaxConcentration = 5.1e4,
                    },
                },
            },
        },
        ["mechanics particle update"] = () => new UpdateParticlesRequest
        {
            Settings = new MechanicsSettings
            {
                Parameters = new ParameterSetRef { Name = "Ai2020" }, Environment = ElectrolyteKind.Solid,
                Matrix = new Matrix { Kind = MatrixKind.Infinite, YoungsModulus = 2.4e10, PoissonRatio = 0.3 },
                CohesiveLaw = new CohesiveLaw { Strength = 1e7, FractureEnergy = 1.0, InitialStiffness = 1e15 },
            },
            Items = { new ParticleUpdate { Key = "c1/positive/small", StackPressure = 5e6, CompletedHalfCycle = HalfCycle.Charge, State = new ParticleMechanicsState { Strength = new StrengthState { Strength = 2.2e8 } } } },
        },
        ["viscoplastic point history"] = () => new IntegratePointsRequest
        {
            Material = new ParameterSetRef { Name = "KazemGhamsari2025_PVdF" }, IncludeTangent = true,
            Points = { new PointHistory { Key = "p0", Time = { 1, 2 }, Strain = { 1e-3, 0, 0, 0, 0, 0, 2e-3, 0, 0, 0, 0, 0 } } },
        },
        ["dem compaction study"] = () => new SubmitStudyRequest
        {
            RequestId = "r1",
            Spec = new StudySpec
            {
                Seed = 1, Threads = 2,
                Compaction = new CompactionStudy
                {
                    ParticleTypes = { new ParticleType { Name = "NMC532", MinRadius = 2e-6, MaxRadius = 6e-6, MassFraction = 0.7, ActiveMaterial = true, Material = new Material { YoungsModulus = 1.4e11, PoissonRatio = 0.3, Density = 4750 } } },
                    Generate = new GeneratedPacking { ParticleCount = 5000, LateralSize = 5e-5 },
                    ContactModel = new ContactModel { Normal = "hertz", Damping = "restitution", Tangential = "mindlin_history", Cohesion = "none", Rolling = "none" },
                    Stages = { new CompactionStage { Name = "press", Uniaxial = new UniaxialPressing { TargetPressure = 3.75e8 } }, new CompactionStage { Name = "swell", Swelling = new SwellingCycles { Cycles = 5, DiameterStrain = 0.06 } } },
                },
            },
        },
        ["dem particle chunk"] = () => new StreamParticlesResponse
        {
            Chunk = new ParticleChunk { FirstIndex = 0, Total = 2, Id = { 1, 2 }, TypeIndex = { 0, 1 }, Radius = { 3e-6, 1e-6 }, Position = { 0, 0, 1e-6, 1e-5, 1e-5, 2e-6 }, StressLoveWeber = { 1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0, 0 }, Coordination = { 5, 7 } },
        },
    };
}
