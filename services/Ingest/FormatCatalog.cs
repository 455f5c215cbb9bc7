// What ListFormats says about each reader: vendor, usual extensions, binary or text, what it supports
// (the format table of docs/ingest.md in machine-readable form).
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Telemetry.Readers;

namespace DigitalTwin.Services.Ingest;

internal static class FormatCatalog
{
    private static readonly Dictionary<string, (string[] Extensions, bool Binary, string[] Supports)> Table = new(StringComparer.Ordinal)
    {
        ["arbin-csv"] = ([".csv"], false, ["classic BEEP layout", "MITS Pro >= 8 with units in names", "Unix or local clock", "mA scaling"]),
        ["arbin-xlsx"] = ([".xlsx"], true, ["every Channel_* sheet", "Global_Info metadata", "streaming"]),
        ["maccor-text"] = ([".0xx", ".txt", ".csv"], false, ["tab and comma", "seconds or minutes", "decimal comma", "milli-units", "per-step counters"]),
        ["novonix"] = ([".csv"], false, ["multiple runs", "step codes", "signed running capacity"]),
        ["biologic-text"] = ([".mpt", ".txt", ".csv"], false, ["any locale", "Latin-1 or UTF-8", "EIS inside Modulo Bat", "BT-Lab CSV"]),
        ["biologic-mpr"] = ([".mpr"], true, ["data module versions 0, 2, 3, 10, 11", "LOG start time", "EIS"]),
        ["neware-csv"] = ([".csv"], false, ["flat", "3-level cycle/step/record"]),
        ["neware-nda"] = ([".nda", ".ndax"], true, ["nda v29 and v130", "ndax (zip of .ndc streams)", "aux temperature"]),
        ["basytec"] = ([".txt"], false, ["~ header", "start of test"]),
        ["pec-csv"] = ([".csv"], false, ["Key:,value preamble", "mAh/mWh counters"]),
        ["gamry-dta"] = ([".dta"], false, ["EIS", "aborted experiments"]),
        ["eis-text"] = ([".z", ".txt", ".csv", ".par", ".eda"], false, ["EIS", "ZPlot", "ZView/Autolab", "CHI", "Parstat", "PowerSuite", "VersaStudio", "Maccor FRA"]),
        ["mapped-csv"] = ([".csv", ".txt"], false, ["column-mapping file", "Battery Archive", "BatteryData", "BDF"]),
    };

    /// <summary>The contract's description of a reader; null for formats that are recognized but not read.</summary>
    public static FormatInfo? Describe(CyclerReader reader)
    {
        if (reader is UnsupportedReader)
        {
            return null;
        }

        var info = new FormatInfo { Name = reader.Name, Vendor = reader.Description, ReaderVersion = reader.Version };
        if (Table.TryGetValue(reader.Name, out var known))
        {
            info.Extensions.AddRange(known.Extensions);
            info.Binary = known.Binary;
            info.Supports.AddRange(known.Supports);
        }

        return info;
    }
}
