// The table of readers, in one place; detection asks each to probe. Files that are recognized but hold
// no readable time series (settings, logs, procedures, sidecars, formats this build cannot decode) get
// an UnsupportedReader whose error says what the file is and what to do instead.
namespace DigitalTwin.Telemetry.Readers;

public static class ReaderRegistry
{
    private static readonly CyclerReader[] Builtin =
    [
        new ArbinCsvReader(),
        new ArbinXlsxReader(),
        new MaccorTextReader(),
        new NovonixReader(),
        new BioLogicTextReader(),
        new BioLogicMprReader(),
        new NewareCsvReader(),
        new NewareBinaryReader(),
        new BasytecReader(),
        new PecCsvReader(),
        new GamryDtaReader(),
        new EisTextReader(),
        new MappedCsvReader(),
        new UnsupportedReader("arbin-res", "Arbin .res (Microsoft Access/Jet 4 database)",
            h => h.Length > 0x20 && h.Bytes.AsSpan(4, 15).SequenceEqual("Standard Jet DB"u8) ? 100 : 0,
            "Arbin .res files are Microsoft Access (Jet 4) databases; this build has no Jet page reader. Export the test from MITS Pro as CSV or Excel (both supported), or convert with mdb-export Channel_Normal_Table"),
        new UnsupportedReader("indigo-h5", "Indigo HDF5 (pandas HDFStore)",
            h => h.StartsWith([0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A]) ? 100 : 0,
            "HDF5 files need an HDF5 decoder (B-trees, chunked and compressed PyTables storage) that this build does not contain and no restorable package provides; export the /time_series_data table to CSV and parse it with a column-mapping file"),
        new UnsupportedReader("biologic-settings", "BioLogic settings file (.mps)",
            h => h.FirstLine.Contains("SETTING FILE", StringComparison.OrdinalIgnoreCase) && (h.FirstLine.StartsWith("BT-LAB", StringComparison.OrdinalIgnoreCase) || h.FirstLine.StartsWith("EC-LAB", StringComparison.OrdinalIgnoreCase)) ? 100 : 0,
            "this is a BioLogic settings file (.mps): it describes a protocol and holds no measurements; parse the .mpr or .mpt of the run"),
        new UnsupportedReader("biologic-log", "BioLogic log file (.mpl)",
            h => h.FirstLine.Contains("LOG FILE", StringComparison.OrdinalIgnoreCase) && (h.FirstLine.StartsWith("BT-Lab", StringComparison.OrdinalIgnoreCase) || h.FirstLine.StartsWith("EC-Lab", StringComparison.OrdinalIgnoreCase)) ? 100 : 0,
            "this is a BioLogic log file (.mpl): it records settings changes and holds no measurements; parse the .mpr or .mpt of the run"),
        new UnsupportedReader("maccor-procedure", "Maccor procedure (XML)",
            h => h.Text.Contains("<MaccorTestProcedure", StringComparison.Ordinal) ? 100 : 0,
            "this is a Maccor test procedure (XML): it describes steps and holds no measurements; export the test data as text"),
        new UnsupportedReader("arbin-metadata", "Arbin/BEEP metadata sidecar (*_Metadata.csv)",
            h => h.FirstLine.Contains("test_id", StringComparison.OrdinalIgnoreCase) && h.FirstLine.Contains("first_start_datetime", StringComparison.OrdinalIgnoreCase) ? 100 : 0,
            "this is a BEEP/Arbin metadata sidecar (one row of test settings); parse the data file it belongs to (the same name without _Metadata)"),
        new UnsupportedReader("novonix-metadata", "Novonix/BEEP per-cycle metadata sidecar",
            h => h.FirstLine.StartsWith(",Cycle,AverageChargeVoltage", StringComparison.Ordinal) ? 100 : 0,
            "this is a BEEP per-cycle metadata sidecar of a Novonix file; parse the data file it belongs to (the same name without _metadata)"),
        new UnsupportedReader("battery-archive-cycles", "Battery Archive per-cycle summary",
            h => h.FirstLine.StartsWith("Cycle_Index,Start_Time,End_Time,", StringComparison.Ordinal) ? 100 : 0,
            "this is a Battery Archive per-cycle summary table (no time series to normalize); parse the matching *_timeseries.csv, whose cycles are summarized from the samples"),
    ];

    public static IReadOnlyList<CyclerReader> All(IngestOptions options) =>
        string.IsNullOrEmpty(options.MappingFile) ? Builtin : [new MappedCsvReader(options.MappingFile), .. Builtin];

    public static CyclerReader? Find(string name, IngestOptions options) =>
        All(options).FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? MappedCsvReader.BuiltinMapping(name);
}

/// <summary>A format that is recognized but not read here; its error explains why and what to do.</summary>
public sealed class UnsupportedReader(string name, string description, Func<FileHead, int> probe, string reason) : CyclerReader
{
    public override string Name => name;

    public override string Description => description;

    public string Reason => reason;

    public override int Probe(FileHead head) => probe(head);

    public override void Read(ReadContext context) =>
        throw context.Fail(0, null, ProblemCodes.Unsupported, $"recognized as {description}: {reason}");
}
