// A real cycler file read once into memory for replay, with the cell design the fleet registers for it
// (capacity and voltage window from the file itself, chemistry and parameter set from what the file is).
using DigitalTwin.Telemetry;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Cli.Commands.Fleet;

public sealed class ReplaySource
{
    private ReplaySource(string path, string vendor, Sample[] samples, double nominalCapacityAh)
    {
        Path = path;
        Vendor = vendor;
        Samples = samples;
        NominalCapacityAh = nominalCapacityAh;
        MinVoltage = samples.Min(s => s.Voltage);
        MaxVoltage = samples.Max(s => s.Voltage);
        FirstTestTime = samples[0].TestTime;
        Span = samples[^1].TestTime - samples[0].TestTime;
        LastCycle = samples.Max(s => s.Cycle);
    }

    public string Path { get; }

    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>Cycler vendor from the reader that accepted the file: arbin, maccor, novonix, neware, ...</summary>
    public string Vendor { get; }

    /// <summary>Normalized samples in file order (test time strictly increasing).</summary>
    public Sample[] Samples { get; }

    public double NominalCapacityAh { get; }

    public double MinVoltage { get; }

    public double MaxVoltage { get; }

    public double FirstTestTime { get; }

    /// <summary>Test time from the first to the last sample [s].</summary>
    public double Span { get; }

    public int LastCycle { get; }

    /// <summary>Reads <paramref name="path"/> with the ingest library; refuses files with too little to replay.</summary>
    public static ReplaySource Load(string path)
    {
        var sink = new CollectingSink();
        var result = TelemetryParser.Parse(path, sink);
        // Rows whose test time does not advance cannot be paced; the reader already skipped those going backwards.
        var kept = new List<Sample>(sink.Samples.Count);
        foreach (var s in sink.Samples)
        {
            if (double.IsFinite(s.TestTime) && double.IsFinite(s.Current) && double.IsFinite(s.Voltage) && (kept.Count == 0 || s.TestTime > kept[^1].TestTime))
            {
                kept.Add(s);
            }
        }

        if (kept.Count < 10)
        {
            throw new InvalidDataException($"{path}: only {kept.Count} samples with a usable test time, current and voltage; nothing to replay");
        }

        var capacity = result.Cycles.Select(c => c.DischargeCapacity).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        if (capacity <= 0)
        {
            capacity = result.Cycles.Select(c => c.ChargeCapacity).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        }

        if (capacity <= 0)
        {
            throw new InvalidDataException($"{path}: no cycle moved any charge (all capacities 0); a cell needs a nominal capacity");
        }

        var vendor = result.Provenance.Reader.Split('-')[0];
        return new ReplaySource(System.IO.Path.GetFullPath(path), vendor, [.. kept], Math.Round(capacity, 3));
    }

    /// <summary>
    /// The design registered for a cell replaying this file. A file at most 3.7 V is an LFP cell (A123 APR18650M1A class,
    /// the BEEP data) on the About:Energy LFP BPX set; anything else is an NMC | graphite cell on Chen2020 (LG M50).
    /// Capacity and voltage window come from the file; the particle classes from the parameter set's radii.
    /// </summary>
    /// <summary>The set as the fleet's log names it: the catalog name, or the BPX file.</summary>
    public static string Describe(Common.ParameterSetRef parameters) =>
        parameters.SourceCase == Common.ParameterSetRef.SourceOneofCase.BpxJson ? $"BPX {RepositoryLayout.LfpBpxName}" : parameters.Name;

    // Read once: a fleet registers thousands of cells from a few files.
    private static readonly Lazy<Google.Protobuf.ByteString> LfpBpx = new(() => Google.Protobuf.ByteString.CopyFrom(File.ReadAllBytes(RepositoryLayout.LfpBpxFile())));

    public Common.CellDesign Design(double capacityScale)
    {
        var lfp = MaxVoltage <= 3.7;
        var design = new Common.CellDesign
        {
            Chemistry = lfp ? "LFP | graphite" : "NMC811 | graphite",
            Configuration = Common.CellConfiguration.FullCell,
            Format = Common.CellFormat.Cylindrical,
            Parameters = lfp
                ? new Common.ParameterSetRef { BpxJson = LfpBpx.Value }
                : new Common.ParameterSetRef { Name = "Chen2020" },
            NominalCapacityAh = Math.Round(NominalCapacityAh * capacityScale, 4),
            MinVoltage = Math.Floor(MinVoltage * 100) / 100,
            MaxVoltage = Math.Ceiling(MaxVoltage * 100) / 100,
            Electrolyte = Common.ElectrolyteKind.Liquid,
            // Chen2020: negative R = 5.86 µm, positive R = 5.22 µm (Chen et al. 2020, J. Electrochem. Soc. 167 080534, Table VII).
            Negative = Electrode("graphite", [("d50", lfp ? 5e-6 : 5.86e-6, 1.0)]),
            Positive = Electrode(lfp ? "LFP" : "NMC811", lfp ? [("d50", 5e-7, 1.0)] : [("small", 3e-6, 0.3), ("large", 5.22e-6, 0.7)]),
            FabricationPressure = 100e6,
        };
        return design;
    }

    private static Common.ElectrodeDesign Electrode(string material, (string Id, double Radius, double Fraction)[] classes)
    {
        var e = new Common.ElectrodeDesign { ActiveMaterial = material, Binder = new Common.BinderDesign { Material = "PVdF", MassFraction = 0.02 } };
        e.ParticleClasses.AddRange(classes.Select(c => new Common.ParticleSizeClass { Id = c.Id, Radius = c.Radius, VolumeFraction = c.Fraction }));
        return e;
    }
}
