// Arbin Excel exports ("TEST REPORT" workbook: Global_Info + Channel_<ch>_<n> sheets) through a minimal
// streaming .xlsx reader: ZIP (System.IO.Compression) + XmlReader, cell values read as chars, no DOM.
using System.IO.Compression;
using System.Xml;
using DigitalTwin.Telemetry.Normalization;

namespace DigitalTwin.Telemetry.Readers;

public sealed class ArbinXlsxReader : CyclerReader
{
    public override string Name => "arbin-xlsx";

    public override string Description => "Arbin Excel workbook (.xlsx: Global_Info + Channel_* sheets), streamed";

    public override bool ReadsSequentially => false;

    public override int Probe(FileHead head) =>
        head.StartsWith("PK\u0003\u0004"u8) && head.Extension is ".xlsx" or ".xlsm" ? 90 : 0;

    public override void Read(ReadContext context)
    {
        using var zip = new ZipArchive(context.Stream, ZipArchiveMode.Read, leaveOpen: true);
        var workbook = MiniXlsx.Open(zip, context);
        var channels = workbook.Sheets.Where(s => s.Name.StartsWith("Channel", StringComparison.OrdinalIgnoreCase)).ToList();
        if (channels.Count == 0)
        {
            throw context.Fail(0, "sheets", ProblemCodes.NoData, $"workbook has no Channel_* data sheet (sheets: {string.Join(", ", workbook.Sheets.Select(s => s.Name))}): not an Arbin export");
        }

        var info = workbook.Sheets.FirstOrDefault(s => s.Name.Equals("Global_Info", StringComparison.OrdinalIgnoreCase));
        if (info is not null)
        {
            foreach (var row in workbook.ReadStrings(info, 20))
            {
                for (var k = 0; k + 1 < row.Count; k++)
                {
                    if (row[k] is "Channel" or "Schedule File Name" or "Start DateTime" or "Software Version" && !string.IsNullOrEmpty(row[k + 1]))
                    {
                        context.Metadata.TryAdd(row[k], row[k + 1]);
                    }
                }
            }
        }

        int[]? map = null;
        var schemaSet = false;
        long sequence = 0;
        foreach (var sheet in channels)
        {
            var first = true;
            foreach (var (rowNumber, cells) in workbook.ReadNumericRows(sheet, header => map = MapHeader(header, context, sheet.Name)))
            {
                if (!schemaSet)
                {
                    context.SetSchema(new RawSchema
                    {
                        Dialect = $"Arbin Excel export ({channels.Count} channel sheet(s))",
                        HasTestTime = true,
                        HasWallClock = map![1] >= 0,
                        HasCycle = map[2] >= 0,
                        HasStep = map[3] >= 0,
                        HasTemperature = map[10] >= 0,
                        CurrentSign = CurrentSign.ChargePositive,
                        Capacity = map[6] >= 0 && map[7] >= 0 ? CounterKind.SplitCumulative : CounterKind.None,
                        Energy = map[8] >= 0 && map[9] >= 0 ? CounterKind.SplitCumulative : CounterKind.None,
                    });
                    schemaSet = true;
                }

                _ = first;
                first = false;
                var row = RawRow.Create(rowNumber);
                double Get(int k) => map![k] >= 0 && map[k] < cells.Length ? cells[map[k]] : double.NaN;
                row.TestTime = Get(0);
                var ole = Get(1);
                if (!double.IsNaN(ole))
                {
                    row.WallTicks = Parsing.WallClock.FromOleDate(ole);
                }

                var cycle = Get(2);
                var step = Get(3);
                row.Cycle = double.IsNaN(cycle) ? int.MinValue : (int)cycle;
                row.Step = double.IsNaN(step) ? int.MinValue : (int)step;
                row.Current = Get(4);
                row.Voltage = Get(5);
                row.Q1 = Get(6);
                row.Q2 = Get(7);
                row.E1 = Get(8);
                row.E2 = Get(9);
                row.Temperature = Get(10);
                if (double.IsNaN(row.TestTime) || double.IsNaN(row.Voltage) || double.IsNaN(row.Current))
                {
                    var field = double.IsNaN(row.TestTime) ? "Test_Time(s)" : double.IsNaN(row.Voltage) ? "Voltage(V)" : "Current(A)";
                    context.RowProblem(rowNumber, $"{sheet.Name}!{field}", ProblemCodes.BadNumber, "cell is empty or not a number");
                    continue;
                }

                context.Emit(ref row);
                sequence++;
            }
        }

        if (sequence == 0)
        {
            context.Warn(0, null, ProblemCodes.NoData, "the channel sheets hold no data rows");
        }
    }

    /// <summary>Column indices for: test time, date, cycle, step, current, voltage, Qc, Qd, Ec, Ed, temperature.</summary>
    private static int[] MapHeader(IReadOnlyList<string> header, ReadContext context, string sheet)
    {
        int Find(params string[] names)
        {
            for (var i = 0; i < header.Count; i++)
            {
                if (names.Any(n => string.Equals(n, header[i], StringComparison.OrdinalIgnoreCase)))
                {
                    return i;
                }
            }

            return -1;
        }

        var map = new[]
        {
            Find("Test_Time(s)", "Test Time (s)"),
            Find("Date_Time", "Date Time"),
            Find("Cycle_Index", "Cycle Index"),
            Find("Step_Index", "Step Index"),
            Find("Current(A)", "Current (A)"),
            Find("Voltage(V)", "Voltage (V)"),
            Find("Charge_Capacity(Ah)", "Charge Capacity (Ah)"),
            Find("Discharge_Capacity(Ah)", "Discharge Capacity (Ah)"),
            Find("Charge_Energy(Wh)", "Charge Energy (Wh)"),
            Find("Discharge_Energy(Wh)", "Discharge Energy (Wh)"),
            Find("Temperature (C)", "Aux_Temperature_1(C)", "Aux_Temperature_1 (C)"),
        };
        var missing = new[] { (0, "Test_Time(s)"), (4, "Current(A)"), (5, "Voltage(V)") }.Where(m => map[m.Item1] < 0).Select(m => m.Item2).ToList();
        if (missing.Count > 0)
        {
            throw context.Fail(1, $"{sheet}: {string.Join(", ", missing)}", ProblemCodes.MissingColumn,
                $"sheet {sheet} lacks {string.Join(", ", missing)}; its header is: {string.Join(", ", header)}");
        }

        return map;
    }
}

/// <summary>Just enough of SpreadsheetML to stream numeric rows: workbook sheet list, shared strings, sheet rows.</summary>
internal sealed class MiniXlsx
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private readonly ZipArchive _zip;
    private readonly List<string> _shared;

    private MiniXlsx(ZipArchive zip, List<(string Name, string Path)> sheets, List<string> shared)
    {
        _zip = zip;
        Sheets = sheets.Select(s => new Sheet(s.Name, s.Path)).ToList();
        _shared = shared;
    }

    public sealed record Sheet(string Name, string Path);

    public IReadOnlyList<Sheet> Sheets { get; }

    public static MiniXlsx Open(ZipArchive zip, ReadContext context)
    {
        var workbook = zip.GetEntry("xl/workbook.xml") ?? throw context.Fail(0, "xl/workbook.xml", ProblemCodes.Corrupt, "ZIP file without xl/workbook.xml: not an Excel workbook");
        var rels = new Dictionary<string, string>(StringComparer.Ordinal);
        var relEntry = zip.GetEntry("xl/_rels/workbook.xml.rels");
        if (relEntry is not null)
        {
            using var r = XmlReader.Create(relEntry.Open(), Settings);
            while (r.Read())
            {
                if (r.NodeType == XmlNodeType.Element && r.LocalName == "Relationship")
                {
                    var target = r.GetAttribute("Target") ?? string.Empty;
                    rels[r.GetAttribute("Id") ?? string.Empty] = target.StartsWith('/') ? target.TrimStart('/') : "xl/" + target;
                }
            }
        }

        var sheets = new List<(string, string)>();
        using (var r = XmlReader.Create(workbook.Open(), Settings))
        {
            while (r.Read())
            {
                if (r.NodeType == XmlNodeType.Element && r.LocalName == "sheet" && r.NamespaceURI == MainNs)
                {
                    var id = r.GetAttribute("id", RelNs) ?? string.Empty;
                    sheets.Add((r.GetAttribute("name") ?? "?", rels.GetValueOrDefault(id, $"xl/worksheets/sheet{sheets.Count + 1}.xml")));
                }
            }
        }

        var shared = new List<string>();
        var sst = zip.GetEntry("xl/sharedStrings.xml");
        if (sst is not null)
        {
            using var r = XmlReader.Create(sst.Open(), Settings);
            while (r.Read())
            {
                if (r.NodeType == XmlNodeType.Element && r.LocalName == "si")
                {
                    shared.Add(ReadSi(r));
                }
            }
        }

        return new MiniXlsx(zip, sheets, shared);
    }

    private static readonly XmlReaderSettings Settings = new() { IgnoreWhitespace = false, DtdProcessing = DtdProcessing.Prohibit, CloseInput = true };

    private static string ReadSi(XmlReader r)
    {
        var text = new System.Text.StringBuilder();
        var depth = r.Depth;
        if (r.IsEmptyElement)
        {
            return string.Empty;
        }

        while (r.Read() && !(r.NodeType == XmlNodeType.EndElement && r.Depth == depth))
        {
            if (r.NodeType == XmlNodeType.Element && r.LocalName == "t")
            {
                text.Append(r.ReadElementContentAsString());
                if (r.NodeType == XmlNodeType.EndElement && r.Depth == depth)
                {
                    break;
                }
            }
        }

        return text.ToString();
    }

    /// <summary>The first rows of a sheet as strings (metadata sheets).</summary>
    public IEnumerable<List<string>> ReadStrings(Sheet sheet, int maxRows)
    {
        var rows = 0;
        foreach (var (_, cells, text) in Rows(sheet, true))
        {
            yield return text!;
            _ = cells;
            if (++rows >= maxRows)
            {
                yield break;
            }
        }
    }

    /// <summary>Data rows as numbers (NaN for empty or text cells); the first row goes to <paramref name="onHeader"/>.</summary>
    public IEnumerable<(long Row, double[] Cells)> ReadNumericRows(Sheet sheet, Action<IReadOnlyList<string>> onHeader)
    {
        var first = true;
        foreach (var (row, cells, text) in Rows(sheet, false))
        {
            if (first)
            {
                first = false;
                onHeader(text!);
                continue;
            }

            yield return (row, cells);
        }
    }

    private IEnumerable<(long Row, double[] Cells, List<string>? Text)> Rows(Sheet sheet, bool allText)
    {
        var entry = _zip.GetEntry(sheet.Path) ?? throw new InvalidDataException($"sheet '{sheet.Name}' ({sheet.Path}) is missing from the workbook");
        using var r = XmlReader.Create(entry.Open(), Settings);
        var cells = new double[64];
        var chars = new char[128];
        List<string>? text = null;
        long rowNumber = 0;
        var headerDone = allText;
        while (r.Read())
        {
            if (r.NodeType != XmlNodeType.Element || r.LocalName != "row")
            {
                continue;
            }

            rowNumber = long.TryParse(r.GetAttribute("r"), out var rn) ? rn : rowNumber + 1;
            var wantText = allText || !headerDone;
            text = wantText ? [] : null;
            Array.Fill(cells, double.NaN);
            if (r.IsEmptyElement)
            {
                yield return (rowNumber, cells, text);
                continue;
            }

            var depth = r.Depth;
            var column = 0;
            while (r.Read() && !(r.NodeType == XmlNodeType.EndElement && r.Depth == depth))
            {
                if (r.NodeType != XmlNodeType.Element || r.LocalName != "c")
                {
                    continue;
                }

                var reference = r.GetAttribute("r");
                column = reference is null ? column : ColumnIndex(reference);
                var type = r.GetAttribute("t");
                if (column >= cells.Length)
                {
                    Array.Resize(ref cells, column + 16);
                    Array.Fill(cells, double.NaN, column, cells.Length - column);
                }

                if (!r.IsEmptyElement)
                {
                    var cellDepth = r.Depth;
                    while (r.Read() && !(r.NodeType == XmlNodeType.EndElement && r.Depth == cellDepth))
                    {
                        if (r.NodeType == XmlNodeType.Element && (r.LocalName == "v" || r.LocalName == "t") && !r.IsEmptyElement)
                        {
                            r.Read();
                            var n = 0;
                            int got;
                            while ((got = r.ReadValueChunk(chars, n, chars.Length - n)) > 0)
                            {
                                n += got;
                                if (n == chars.Length)
                                {
                                    Array.Resize(ref chars, chars.Length * 2);
                                }
                            }

                            var span = chars.AsSpan(0, n);
                            if (type is "s")
                            {
                                if (text is not null && int.TryParse(span, out var si) && si >= 0 && si < _shared.Count)
                                {
                                    Put(text, column, _shared[si]);
                                }
                            }
                            else if (type is "str" or "inlineStr")
                            {
                                if (text is not null)
                                {
                                    Put(text, column, span.ToString());
                                }
                            }
                            else
                            {
                                cells[column] = double.TryParse(span, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
                                if (text is not null)
                                {
                                    Put(text, column, span.ToString());
                                }
                            }
                        }
                    }
                }

                column++;
            }

            headerDone = true;
            yield return (rowNumber, cells, text);
        }
    }

    private static void Put(List<string> text, int column, string value)
    {
        while (text.Count <= column)
        {
            text.Add(string.Empty);
        }

        text[column] = value;
    }

    private static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var c in reference)
        {
            if (c is < 'A' or > 'Z')
            {
                break;
            }

            index = (index * 26) + (c - 'A' + 1);
        }

        return index - 1;
    }
}
