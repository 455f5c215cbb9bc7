// Neware BTS binaries: .nda (v29 from BTS 7, v130 from BTS 8/9 with fixed 88-byte or BTS 9.1 variable records)
// and .ndax (a ZIP of .ndc streams: samples, sparse run info, steps, aux channels). Layouts follow the public
// notes of NewareNDA and fastnda (references only, see docs/ingest.md); the decoding here is our own. Streams in
// bounded memory: .ndax streams are read in lockstep page by page; .nda aux temperatures are indexed first.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using DigitalTwin.Telemetry.Normalization;

namespace DigitalTwin.Telemetry.Readers;

public sealed partial class NewareBinaryReader : CyclerReader
{
    private const int PageSize = 4096;

    // 4 zero bytes then a v29 sample record's 55 00; and the 4 zero bytes before a v130 aux record's 65.
    private static readonly byte[] Nda29Start = [0, 0, 0, 0, 0x55, 0];
    private static readonly byte[] Bts9Aux = [0, 0, 0, 0, 0x65];

    public override string Name => "neware-nda";

    public override string Description => "Neware BTS binary .nda (v29, v130 BTS 9/9.1) and .ndax (ZIP of .ndc v5, v11, v14, v16, v17)";

    public override bool ReadsSequentially => false;

    public override int Probe(FileHead head)
    {
        if (head.StartsWith("NEWARE"u8))
        {
            return 100;
        }

        if (!head.StartsWith("PK\u0003\u0004"u8))
        {
            return 0;
        }

        var bytes = head.Bytes.AsSpan();
        return head.Extension == ".ndax" || bytes.IndexOf("data.ndc"u8) >= 0 || (bytes.IndexOf("VersionInfo.xml"u8) >= 0 && bytes.IndexOf("Step.xml"u8) >= 0) ? 100 : 0;
    }

    public override void Read(ReadContext context)
    {
        if (context.Head.StartsWith("NEWARE"u8))
        {
            ReadNda(context);
        }
        else
        {
            ReadNdax(context);
        }
    }

    /// <summary>What a Neware status code means: step type, direction and the BTSDA name.</summary>
    internal static (StepType Type, sbyte Direction, string Name) Status(int code) => code switch
    {
        1 => (StepType.CcCharge, 1, "CC_Chg"),
        2 => (StepType.CcDischarge, -1, "CC_DChg"),
        3 => (StepType.CvCharge, 1, "CV_Chg"),
        4 => (StepType.Rest, 0, "Rest"),
        5 => (StepType.Other, 0, "Cycle"),
        7 => (StepType.CcCharge, 1, "CCCV_Chg"),
        8 => (StepType.CcDischarge, -1, "CP_DChg"),
        9 => (StepType.CcCharge, 1, "CP_Chg"),
        10 => (StepType.CcDischarge, -1, "CR_DChg"),
        13 => (StepType.Rest, 0, "Pause"),
        16 => (StepType.Pulse, 0, "Pulse"),
        17 => (StepType.Other, 0, "SIM"),
        19 => (StepType.CvDischarge, -1, "CV_DChg"),
        20 => (StepType.CcDischarge, -1, "CCCV_DChg"),
        21 => (StepType.Other, 0, "Control"),
        22 => (StepType.Rest, 0, "OCV"),
        26 => (StepType.CcDischarge, -1, "CPCV_DChg"),
        27 => (StepType.CcCharge, 1, "CPCV_Chg"),
        _ => (StepType.Unknown, 0, $"status {code}"),
    };

    /// <summary>
    /// Scale of the integer current and counters of v29 / v5 records by the channel's current range: raw × factor is
    /// mA (and raw × factor / 3600 is mA·h or mW·h). The table of NewareNDA's dicts.py (reference only).
    /// </summary>
    internal static double RangeFactor(int range) => range switch
    {
        -100000000 => 10,
        <= -1000 and >= -200000 => 1e-2,
        -500 or -100 => 1e-3,
        -50 or -25 or -20 or -10 => 1e-4,
        -5 or -2 or -1 => 1e-5,
        1 or 2 or 5 => 1e-4,
        10 or 20 or 25 or 50 => 1e-3,
        100 or 200 or 250 or 500 => 1e-2,
        >= 1000 and <= 200000 => 1e-1,
        _ => double.NaN,
    };

    private static long LocalTicks(ReadOnlySpan<byte> b)
    {
        int year = BinaryPrimitives.ReadUInt16LittleEndian(b), month = b[2], day = b[3], hour = b[4], minute = b[5], second = b[6];
        return year is >= 1990 and <= 2200 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) && hour < 24 && minute < 60 && second < 60
            ? new DateTime(year, month, day, hour, minute, second).Ticks
            : 0;
    }

    private static long UtcTicks(double unixSeconds) =>
        double.IsFinite(unixSeconds) && unixSeconds > 0 ? DateTime.UnixEpoch.Ticks + (long)Math.Round(unixSeconds * TimeSpan.TicksPerSecond) : 0;

    // ---------------------------------------------------------------- .nda

    private static void ReadNda(ReadContext context)
    {
        var stream = context.Stream;
        var head = new byte[Math.Min(stream.Length, 2048)];
        stream.Position = 0;
        stream.ReadExactly(head);
        if (head.Length < 1024 + 56)
        {
            throw context.Fail(0, "header", ProblemCodes.Truncated, $"a Neware .nda file has a 1 KiB header; this one is {stream.Length} bytes long");
        }

        var version = head[14];
        context.Metadata["nda version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (version)
        {
            case 29 or 28 or 26:
                ReadNda29(context, version);
                break;
            case 130 when head[1024] == 0x55:
                ReadNdaBts91(context);
                break;
            case 130:
                ReadNdaBts9(context, head.AsSpan(1024, 6).ToArray());
                break;
            default:
                throw context.Fail(0, "version", ProblemCodes.Unsupported,
                    $"Neware .nda version {version} (byte 14) is not known (known: 26, 28, 29 from BTS 7 and 130 from BTS 8/9); export the test from BTSDA as CSV");
        }
    }

    /// <summary>v26-29: 86-byte records marked 55 00 (samples) or 65 (aux), after a header of varying length.</summary>
    private static void ReadNda29(ReadContext context, int version)
    {
        const int Record = 86;
        var stream = context.Stream;
        var start = FindNda29Start(stream, Record);
        if (start < 0)
        {
            throw context.Fail(0, "records", ProblemCodes.NoData, "no chain of 86-byte records marked 55 00 was found after the header");
        }

        // Pass 1: aux temperatures by record index (first aux channel).
        var temperatures = new Dictionary<uint, float>();
        var buffer = new byte[Record * 4096];
        var auxChannel = -1;
        ForEachRecord(stream, start, Record, buffer, r =>
        {
            if (r[0] == 0x65 && BinaryPrimitives.ReadUInt32LittleEndian(r[82..]) == 0)
            {
                var channel = r[1];
                auxChannel = auxChannel < 0 ? channel : auxChannel;
                if (channel == auxChannel)
                {
                    temperatures[BinaryPrimitives.ReadUInt32LittleEndian(r[2..])] = BinaryPrimitives.ReadInt16LittleEndian(r[34..]) / 10f;
                }
            }
        });

        var emitter = new Emitter(context, stepClock: true);
        context.SetSchema(Schema($"Neware .nda v{version} (BTS 7): 86-byte records, step clock [ms], local wall clock, range-scaled integers", temperatures.Count > 0, utc: false));
        ForEachRecord(stream, start, Record, buffer, r =>
        {
            if (r[0] != 0x55 || r[1] != 0 || BinaryPrimitives.ReadUInt32LittleEndian(r[82..]) != 0)
            {
                return;
            }

            var index = BinaryPrimitives.ReadUInt32LittleEndian(r[2..]);
            var status = r[12];
            if (index == 0 || status == 0)
            {
                return;
            }

            var factor = RangeFactor(BinaryPrimitives.ReadInt32LittleEndian(r[78..]));
            if (double.IsNaN(factor))
            {
                context.RowProblem(index, "range", ProblemCodes.Corrupt, $"current range {BinaryPrimitives.ReadInt32LittleEndian(r[78..])} is not a known Neware range; the record cannot be scaled");
                return;
            }

            var counter = factor / 3600 / 1000;
            emitter.Emit(
                index,
                BinaryPrimitives.ReadUInt16LittleEndian(r[10..]),
                status,
                BinaryPrimitives.ReadUInt64LittleEndian(r[14..]) / 1000.0,
                LocalTicks(r[70..]),
                BinaryPrimitives.ReadInt32LittleEndian(r[26..]) * factor / 1000,
                BinaryPrimitives.ReadInt32LittleEndian(r[22..]) / 10000.0,
                BinaryPrimitives.ReadInt64LittleEndian(r[38..]) * counter,
                BinaryPrimitives.ReadInt64LittleEndian(r[46..]) * counter,
                BinaryPrimitives.ReadInt64LittleEndian(r[54..]) * counter,
                BinaryPrimitives.ReadInt64LittleEndian(r[62..]) * counter,
                temperatures.TryGetValue(index, out var t) ? t : double.NaN);
        });
        emitter.Finish();
    }

    /// <summary>The first 55 00 record whose successor, one record later, is a record too and whose status is set.</summary>
    private static long FindNda29Start(Stream stream, int record)
    {
        var data = new byte[Math.Min(stream.Length, 1 << 20)];
        stream.Position = 0;
        stream.ReadExactly(data);
        var span = data.AsSpan();
        for (var at = span.IndexOf(Nda29Start); at >= 0;)
        {
            var r = at + 4;
            if (r + record + 1 >= span.Length || (span[r + record] is 0x55 or 0x65 && span[r + 12] != 0))
            {
                return r + record + 1 >= span.Length ? -1 : r;
            }

            var next = span[(at + 1)..].IndexOf(Nda29Start);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return -1;
    }

    private delegate void RecordAction(ReadOnlySpan<byte> record);

    private static void ForEachRecord(Stream stream, long start, int size, byte[] buffer, RecordAction action)
    {
        stream.Position = start;
        int n;
        var carry = 0;
        while ((n = stream.Read(buffer, carry, buffer.Length - carry)) > 0 || carry > 0)
        {
            var have = carry + n;
            var whole = have / size * size;
            for (var k = 0; k < whole; k += size)
            {
                action(buffer.AsSpan(k, size));
            }

            carry = have - whole;
            if (n == 0)
            {
                break;
            }

            buffer.AsSpan(whole, carry).CopyTo(buffer);
        }
    }

    /// <summary>v130 from BTS 8/9: 88-byte records from byte 1024, float32 values, µs clocks (UTC).</summary>
    private static void ReadNdaBts9(ReadContext context, byte[] marker)
    {
        const int Record = 88;
        var stream = context.Stream;
        var buffer = new byte[Record * 4096];
        var temperatures = new Dictionary<uint, float>();
        var auxChannel = -1;
        ForEachRecord(stream, 1024, Record, buffer, r =>
        {
            if (r[..5].SequenceEqual(Bts9Aux))
            {
                var a = r[4..];
                auxChannel = auxChannel < 0 ? a[1] : auxChannel;
                if (a[1] == auxChannel)
                {
                    temperatures[BinaryPrimitives.ReadUInt32LittleEndian(a[2..])] = BinaryPrimitives.ReadInt16LittleEndian(a[34..]) / 10f;
                }
            }
        });

        var emitter = new Emitter(context, stepClock: false);
        context.SetSchema(Schema("Neware .nda v130 (BTS 9): 88-byte records, float32 V/mA/mA·s, µs clocks (UTC)", temperatures.Count > 0, utc: true));
        ForEachRecord(stream, 1024, Record, buffer, r =>
        {
            if (!r[..6].SequenceEqual(marker))
            {
                return;
            }

            var x = r[4..];
            var index = BinaryPrimitives.ReadUInt32LittleEndian(x[12..]);
            emitter.Emit(
                index,
                x[5],
                x[6],
                BinaryPrimitives.ReadUInt64LittleEndian(x[24..]) / 1e6,
                UtcTicks(BinaryPrimitives.ReadUInt64LittleEndian(x[64..]) / 1e6),
                BinaryPrimitives.ReadSingleLittleEndian(x[36..]) / 1000.0,
                BinaryPrimitives.ReadSingleLittleEndian(x[32..]),
                BinaryPrimitives.ReadSingleLittleEndian(x[48..]) / 3600 / 1000,
                BinaryPrimitives.ReadSingleLittleEndian(x[56..]) / 3600 / 1000,
                BinaryPrimitives.ReadSingleLittleEndian(x[52..]) / 3600 / 1000,
                BinaryPrimitives.ReadSingleLittleEndian(x[60..]) / 3600 / 1000,
                temperatures.TryGetValue(index, out var t) ? t : double.NaN);
        });
        emitter.Finish();
    }

    /// <summary>v130 from BTS 9.1: records marked 55 from byte 1024, of a length found from the file (56 with temperature).</summary>
    private static void ReadNdaBts91(ReadContext context)
    {
        var stream = context.Stream;
        var probe = new byte[Math.Min(stream.Length - 1024, 1024)];
        stream.Position = 1024;
        stream.ReadExactly(probe);
        var record = 0;
        for (var length = 40; length <= 200 && record == 0; length++)
        {
            if (3 * length < probe.Length && probe[length] == 0x55 && probe[2 * length] == 0x55 && probe[3 * length] == 0x55)
            {
                record = length;
            }
        }

        if (record == 0)
        {
            throw context.Fail(0, "records", ProblemCodes.Corrupt, "BTS 9.1 records (marked 55 from byte 1024) repeat at no length between 40 and 200 bytes");
        }

        var hasTemperature = record >= 56;
        var emitter = new Emitter(context, stepClock: false);
        context.SetSchema(Schema($"Neware .nda v130 (BTS 9.1): {record}-byte records, float32 V/mA/signed mA·s, test clock and UTC clock in s+ns", hasTemperature, utc: true));
        var buffer = new byte[record * 4096];
        var ended = false;
        ForEachRecord(stream, 1024, record, buffer, r =>
        {
            if (ended || r[0] != 0x55)
            {
                ended |= r[0] == 0x81;
                return;
            }

            var index = BinaryPrimitives.ReadUInt32LittleEndian(r[8..]);
            var time = BinaryPrimitives.ReadUInt32LittleEndian(r[12..]) + (BinaryPrimitives.ReadUInt32LittleEndian(r[16..]) * 1e-9);
            var capacity = BinaryPrimitives.ReadSingleLittleEndian(r[28..]) / 3600.0 / 1000;
            var energy = BinaryPrimitives.ReadSingleLittleEndian(r[32..]) / 3600.0 / 1000;
            var clock = BinaryPrimitives.ReadUInt32LittleEndian(r[44..]) + (BinaryPrimitives.ReadUInt32LittleEndian(r[48..]) * 1e-9);
            emitter.Emit(
                index,
                r[2],
                r[3],
                time,
                UtcTicks(clock),
                BinaryPrimitives.ReadSingleLittleEndian(r[20..]) / 1000.0,
                BinaryPrimitives.ReadSingleLittleEndian(r[24..]),
                Math.Max(capacity, 0),
                Math.Max(-capacity, 0),
                Math.Max(energy, 0),
                Math.Max(-energy, 0),
                hasTemperature ? BinaryPrimitives.ReadSingleLittleEndian(r[52..]) : double.NaN);
        });
        emitter.Finish();
    }

    private static RawSchema Schema(string dialect, bool temperature, bool utc) => new()
    {
        Dialect = dialect,
        HasTestTime = true,
        HasWallClock = true,
        WallClockIsUtc = utc,
        HasCycle = false,
        HasStep = true,
        HasStepHint = true,
        StepHintHasMode = false,
        HasTemperature = temperature,
        CurrentSign = CurrentSign.ChargePositive,
        Capacity = CounterKind.SplitCumulative,
        Energy = CounterKind.SplitCumulative,
        GuessUnits = false,
        Columns = ["index", "step", "status", "time", "voltage", "current", "charge/discharge capacity", "charge/discharge energy", "clock", .. temperature ? new[] { "aux temperature" } : []],
    };

    // ---------------------------------------------------------------- .ndax

    private static void ReadNdax(ReadContext context)
    {
        using var zip = new ZipArchive(context.Stream, ZipArchiveMode.Read, leaveOpen: true);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        var data = zip.GetEntry("data.ndc")
            ?? throw context.Fail(0, "data.ndc", ProblemCodes.MissingColumn, $"the .ndax archive has no data.ndc (entries: {string.Join(", ", names)})");
        var testInfo = ReadText(zip, "TestInfo.xml");
        var versionInfo = ReadText(zip, "VersionInfo.xml");
        if (Attribute(testInfo, "TestInfo", "Barcode") is { Length: > 0 } barcode)
        {
            context.CellIdHint = barcode;
        }

        foreach (var (key, value) in new[] { ("start time", Attribute(testInfo, "TestInfo", "StartTime")), ("step file", Attribute(testInfo, "TestInfo", "StepName")), ("server", Attribute(versionInfo, "ZwjVersion", "SvrVer")), ("client", Attribute(versionInfo, "ZwjVersion", "CurrClientVer")) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                context.Metadata[key] = value;
            }
        }

        using var dataStream = OpenNdc(context, data, out var version, out var fileType);
        if (fileType != 1)
        {
            throw context.Fail(0, "data.ndc", ProblemCodes.Corrupt, $"data.ndc has file type {fileType}, expected 1 (samples)");
        }

        context.Metadata["ndc version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (version == 5)
        {
            ReadNdc5(context, dataStream);
            return;
        }

        if (version is not (11 or 14 or 16 or 17))
        {
            throw context.Fail(0, "data.ndc", ProblemCodes.Unsupported,
                $"ndc version {version} is not known (known: 5, 11, 14, 16, 17); export the test from BTSDA as CSV (supported)");
        }

        var runEntry = zip.GetEntry("data_runInfo.ndc")
            ?? throw context.Fail(0, "data_runInfo.ndc", ProblemCodes.MissingColumn, $"ndc version {version} keeps times and counters in data_runInfo.ndc, which the archive lacks");
        var steps = ReadSteps(context, zip, version);
        var (auxEntry, auxName) = TemperatureEntry(context, zip, testInfo);
        using var runStream = OpenNdc(context, runEntry, out _, out _);
        using var auxStream = auxEntry is null ? null : OpenNdc(context, auxEntry, out _, out _);
        ReadNdcSamples(context, version, dataStream, runStream, auxStream, steps, auxName);
    }

    private static string ReadText(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        if (entry is null)
        {
            return string.Empty;
        }

        using var s = entry.Open();
        using var reader = new StreamReader(s, Encoding.Latin1);
        return reader.ReadToEnd();
    }

    /// <summary>An attribute of the first element of that name (values of interest are ASCII; the XML is GB2312).</summary>
    private static string? Attribute(string xml, string element, string attribute)
    {
        var m = Regex.Match(xml, $"<{element}\\b[^>]*\\s{attribute}=\"([^\"]*)\"", RegexOptions.CultureInvariant);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>Opens an .ndc entry, checks its header and returns it positioned after the 4 KiB file header (5: page 0).</summary>
    private static Stream OpenNdc(ReadContext context, ZipArchiveEntry entry, out int version, out int fileType)
    {
        var stream = new BufferedStream(entry.Open(), 1 << 16);
        var header = new byte[PageSize];
        var n = stream.ReadAtLeast(header, PageSize, throwOnEndOfStream: false);
        if (n < PageSize)
        {
            throw context.Fail(0, entry.FullName, ProblemCodes.Truncated, $"{entry.FullName} is {n} bytes, shorter than its {PageSize}-byte header");
        }

        fileType = header[0];
        version = header[2];
        return stream;
    }

    /// <summary>Fixed-size records from 4 KiB pages, skipping each page's header and footer.</summary>
    private sealed class PagedRecords(Stream stream, int pageHeader, int pageFooter, int recordSize)
    {
        private readonly byte[] _page = new byte[PageSize];
        private int _at = PageSize;
        private int _end;

        public long Pages { get; private set; }

        public bool Next(out ReadOnlySpan<byte> record)
        {
            if (_at + recordSize > _end)
            {
                var n = stream.ReadAtLeast(_page, PageSize, throwOnEndOfStream: false);
                if (n < PageSize)
                {
                    record = default;
                    return false;
                }

                Pages++;
                _at = pageHeader;
                _end = PageSize - pageFooter;
            }

            record = _page.AsSpan(_at, recordSize);
            _at += recordSize;
            return true;
        }
    }

    private readonly record struct StepInfo(int StepIndex, byte Status, uint FirstIndex);

    /// <summary>data_step.ndc: one row per step (cycle, step number, status; from v16 on also its first sample index).</summary>
    private static List<StepInfo> ReadSteps(ReadContext context, ZipArchive zip, int version)
    {
        var entry = zip.GetEntry("data_step.ndc");
        var steps = new List<StepInfo>();
        if (entry is null)
        {
            context.Warn(0, "data_step.ndc", ProblemCodes.Inferred, "the archive has no data_step.ndc: step types are inferred from the current");
            return steps;
        }

        using var stream = OpenNdc(context, entry, out _, out _);
        var (size, footer) = version is 16 or 17 ? (100, 64) : (37, 5);
        var records = new PagedRecords(stream, 132, footer, size);
        while (records.Next(out var r))
        {
            var stepIndex = BinaryPrimitives.ReadInt32LittleEndian(r[4..]);
            if (stepIndex != 0)
            {
                steps.Add(new StepInfo(stepIndex, r[24], size == 100 ? BinaryPrimitives.ReadUInt32LittleEndian(r[33..]) : 0));
            }
        }

        return steps;
    }

    /// <summary>The aux stream holding the cell temperature: the first whose TestInfo channel type is 103 (T), else data_1.ndc.</summary>
    private static (ZipArchiveEntry? Entry, string Name) TemperatureEntry(ReadContext context, ZipArchive zip, string testInfo)
    {
        var aux = zip.Entries
            .Select(e => (Entry: e, Match: AuxName().Match(e.FullName)))
            .Where(x => x.Match.Success)
            .OrderBy(x => int.Parse(x.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ThenBy(x => int.Parse(x.Match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        foreach (var (entry, match) in aux)
        {
            // data_AUX_<channel>_<type - 100>_<n>.ndc; type 103 is temperature (TestInfo.xml ChlType).
            if (match.Groups[2].Value == "3")
            {
                return (entry, entry.FullName);
            }
        }

        if (zip.GetEntry("data_1.ndc") is { } legacy && testInfo.Contains("<Aux1", StringComparison.Ordinal))
        {
            return (legacy, legacy.FullName);
        }

        if (aux.Count > 0)
        {
            context.Warn(0, "aux", ProblemCodes.Inferred, $"aux channels {string.Join(", ", aux.Select(a => a.Entry.FullName))} are not temperatures (type 103); they are not read");
        }

        return (null, string.Empty);
    }

    [GeneratedRegex(@"^data_AUX_(\d+)_(\d+)_(\d+)\.ndc$", RegexOptions.CultureInvariant)]
    private static partial Regex AuxName();

    /// <summary>
    /// ndc v11/14/16/17: data.ndc holds (voltage, current) per sample; data_runInfo.ndc holds step time, counters, the
    /// sampling interval and the UTC clock for some samples only. Between them Neware's own convention applies: time
    /// advances by the last interval and the counters by the integrated current (as BTSDA and NewareNDA fill them).
    /// </summary>
    private static void ReadNdcSamples(ReadContext context, int version, Stream data, Stream run, Stream? aux, List<StepInfo> steps, string auxName)
    {
        var samples = new PagedRecords(data, 132, 4, 8);
        var (runSize, runFooter) = version switch { 11 => (47, 16), 14 => (55, 4), _ => (100, 64) };
        var runs = new PagedRecords(run, 132, runFooter, runSize);
        var counterScale = version is 14 or 17 ? 1.0 : 1.0 / 3600 / 1000;
        var milliampsPerUnit = version is 14 or 17 ? 1000.0 : 1.0;
        var voltageScale = version switch { 11 => 1e-4, 16 => 1e-4, _ => 1.0 };

        PagedRecords? temps = null;
        var legacyAux = false;
        if (aux is not null)
        {
            legacyAux = version is 11 or 16 && auxName == "data_1.ndc";
            temps = legacyAux ? new PagedRecords(aux, 132, 2, 7) : new PagedRecords(aux, 132, 4, 4);
        }

        var useFirstIndex = steps.Count > 0 && steps.All(s => s.FirstIndex > 0) && steps.Zip(steps.Skip(1)).All(p => p.First.FirstIndex < p.Second.FirstIndex);
        context.SetSchema(Schema(
            $"Neware .ndax, ndc v{version}: samples in data.ndc, times and counters in data_runInfo.ndc ({(version is 14 or 17 ? "A.h" : "mA.s")}), {steps.Count} steps{(temps is null ? string.Empty : ", temperature from " + auxName)}",
            temps is not null,
            utc: true));

        var emitter = new Emitter(context, stepClock: true);
        var haveRun = runs.Next(out var runRecord);
        uint runIndex = haveRun ? RunIndex(runRecord, runSize) : uint.MaxValue;
        uint index = 0;
        var stepCursor = 0;
        var stepCount = 0;
        double stepTime = double.NaN, dt = 0, clock = double.NaN, q1 = 0, q2 = 0, e1 = 0, e2 = 0;
        var known = false;
        while (samples.Next(out var s))
        {
            var v = BinaryPrimitives.ReadSingleLittleEndian(s);
            if (v == 0)
            {
                continue;
            }

            index++;
            var voltage = v * voltageScale;
            var current = BinaryPrimitives.ReadSingleLittleEndian(s[4..]) * milliampsPerUnit;
            var temperature = double.NaN;
            if (temps is not null)
            {
                temperature = NextTemperature(temps, legacyAux);
            }

            // Skip run-info rows of earlier samples (and repeats of one sample: the first one counts).
            while (haveRun && (runIndex == 0 || runIndex < index))
            {
                haveRun = runs.Next(out runRecord);
                runIndex = haveRun ? RunIndex(runRecord, runSize) : uint.MaxValue;
            }

            if (haveRun && runIndex == index)
            {
                stepTime = BinaryPrimitives.ReadInt32LittleEndian(runRecord) / 1000.0;
                q1 = BinaryPrimitives.ReadSingleLittleEndian(runRecord[5..]) * counterScale;
                q2 = BinaryPrimitives.ReadSingleLittleEndian(runRecord[9..]) * counterScale;
                e1 = BinaryPrimitives.ReadSingleLittleEndian(runRecord[13..]) * counterScale;
                e2 = BinaryPrimitives.ReadSingleLittleEndian(runRecord[17..]) * counterScale;
                dt = BinaryPrimitives.ReadInt32LittleEndian(runRecord[29..]) / 1000.0;
                clock = BinaryPrimitives.ReadInt32LittleEndian(runRecord[33..]) + (BinaryPrimitives.ReadInt16LittleEndian(runRecord[45..]) / 1000.0);
                stepCount = BinaryPrimitives.ReadInt32LittleEndian(runRecord[37..]);
                known = true;
                while (haveRun && runIndex <= index)
                {
                    haveRun = runs.Next(out runRecord);
                    runIndex = haveRun ? RunIndex(runRecord, runSize) : uint.MaxValue;
                }
            }
            else if (known)
            {
                // Neware stores run info only where something changes; in between, time and counters advance.
                stepTime += dt;
                clock += dt;
                var dq = Math.Abs(current) * dt / 3600 / 1000;
                var de = Math.Abs(current * voltage) * dt / 3600 / 1000;
                (q1, q2, e1, e2) = current > 0 ? (q1 + dq, q2, e1 + de, e2) : current < 0 ? (q1, q2 + dq, e1, e2 + de) : (q1, q2, e1, e2);
            }
            else
            {
                context.RowProblem(index, "data_runInfo.ndc", ProblemCodes.MissingColumn, $"sample {index} comes before the first run-info record, so it has no time");
                continue;
            }

            StepInfo step;
            if (useFirstIndex)
            {
                while (stepCursor + 1 < steps.Count && steps[stepCursor + 1].FirstIndex <= index)
                {
                    stepCursor++;
                }

                step = steps[stepCursor];
            }
            else
            {
                step = stepCount >= 1 && stepCount <= steps.Count ? steps[stepCount - 1] : new StepInfo(stepCount, 0, 0);
            }

            var stepKey = useFirstIndex ? stepCursor : stepCount;
            emitter.Emit(index, stepKey, step.StepIndex, step.Status, stepTime, UtcTicks(clock), current / 1000, voltage, q1, q2, e1, e2, temperature);
        }

        emitter.Finish();
    }

    private static uint RunIndex(ReadOnlySpan<byte> record, int size) => BinaryPrimitives.ReadUInt32LittleEndian(record[41..]);

    private static double NextTemperature(PagedRecords temps, bool legacy)
    {
        while (temps.Next(out var r))
        {
            if (!legacy)
            {
                return BinaryPrimitives.ReadSingleLittleEndian(r);
            }

            if (r[0] == 0x65)
            {
                return BinaryPrimitives.ReadInt16LittleEndian(r[5..]) / 10.0;
            }
        }

        return double.NaN;
    }

    /// <summary>ndc v5: full 87-byte records (like .nda v29) in the pages of data.ndc.</summary>
    private static void ReadNdc5(ReadContext context, Stream data)
    {
        context.SetSchema(Schema("Neware .ndax, ndc v5: 87-byte records, step clock [ms], local wall clock, range-scaled integers", temperature: false, utc: false));
        var emitter = new Emitter(context, stepClock: true);
        var records = new PagedRecords(data, 125, 56, 87);
        while (records.Next(out var r))
        {
            if (r[7] != 0x55)
            {
                continue;
            }

            var index = BinaryPrimitives.ReadUInt32LittleEndian(r[8..]);
            var range = BinaryPrimitives.ReadInt32LittleEndian(r[82..]);
            var factor = RangeFactor(range);
            if (double.IsNaN(factor))
            {
                context.RowProblem(index, "range", ProblemCodes.Corrupt, $"current range {range} is not a known Neware range; the record cannot be scaled");
                continue;
            }

            var counter = factor / 3600 / 1000;
            emitter.Emit(
                index,
                r[16],
                r[17],
                BinaryPrimitives.ReadUInt64LittleEndian(r[23..]) / 1000.0,
                LocalTicks(r[75..]),
                BinaryPrimitives.ReadInt32LittleEndian(r[35..]) * factor / 1000,
                BinaryPrimitives.ReadInt32LittleEndian(r[31..]) / 10000.0,
                BinaryPrimitives.ReadInt64LittleEndian(r[43..]) * counter,
                BinaryPrimitives.ReadInt64LittleEndian(r[51..]) * counter,
                BinaryPrimitives.ReadInt64LittleEndian(r[59..]) * counter,
                BinaryPrimitives.ReadInt64LittleEndian(r[67..]) * counter,
                double.NaN);
        }

        emitter.Finish();
    }

    /// <summary>
    /// Turns decoded records into rows: a step clock (restarting each step) becomes test time by adding the previous
    /// steps' durations; records out of index order are reported and skipped.
    /// </summary>
    private sealed class Emitter(ReadContext context, bool stepClock)
    {
        private readonly HashSet<int> _unknownStatus = [];
        private long _lastIndex;
        private double _offset;
        private double _previousClock = double.NaN;
        private long _previousStep = long.MinValue;
        private long _rows;

        public void Emit(long index, int step, int status, double clock, long wallTicks, double currentA, double voltageV, double q1, double q2, double e1, double e2, double temperature) =>
            Emit(index, step, step, status, clock, wallTicks, currentA, voltageV, q1, q2, e1, e2, temperature);

        /// <summary>One record; stepKey identifies one run of a step (a schedule step repeated by a loop is a new run).</summary>
        public void Emit(long index, long stepKey, int step, int status, double clock, long wallTicks, double currentA, double voltageV, double q1, double q2, double e1, double e2, double temperature)
        {
            if (index <= _lastIndex)
            {
                context.RowProblem(index, "index", index == _lastIndex ? ProblemCodes.Duplicate : ProblemCodes.TimeBackwards,
                    index == _lastIndex ? $"record {index} repeats" : $"record {index} comes after record {_lastIndex}");
                return;
            }

            _lastIndex = index;
            // A step clock restarts with every run of a step; a test clock only looks like it restarts when it goes back.
            if (_previousStep != long.MinValue && (stepClock ? stepKey != _previousStep || clock < _previousClock : stepKey != _previousStep && clock < _previousClock))
            {
                _offset += _previousClock;
            }

            _previousStep = stepKey;
            _previousClock = clock;
            var (type, direction, name) = Status(status);
            if (type == StepType.Unknown && _unknownStatus.Add(status))
            {
                context.Warn(index, "status", ProblemCodes.Inferred, $"{name} is not a known Neware status; the step type is inferred from the current");
            }

            var row = RawRow.Create(index);
            row.TestTime = _offset + clock;
            row.WallTicks = wallTicks;
            row.Step = step;
            row.StepHint = type;
            row.Direction = direction;
            row.Current = currentA;
            row.Voltage = voltageV;
            row.Temperature = temperature;
            row.Q1 = q1;
            row.Q2 = q2;
            row.E1 = e1;
            row.E2 = e2;
            context.Emit(ref row);
            if (++_rows % 65536 == 0)
            {
                context.Progress(context.Stream.CanSeek ? context.Stream.Position : 0);
            }
        }

        public void Finish()
        {
            if (_rows == 0)
            {
                throw context.Fail(0, "records", ProblemCodes.NoData, "the file holds no sample records");
            }
        }
    }
}
