// BioLogic .mpr (EC-Lab binary): a chain of modules (settings, data, log, loop). The data module lists
// column IDs whose types come from a table reverse-engineered by galvani and yadg (references only);
// records are packed little-endian and streamed in blocks. Unknown IDs are tolerated when they come after
// every column we need (the record size follows from the module length).
using System.Buffers;
using System.Buffers.Binary;
using DigitalTwin.Telemetry.Normalization;
using DigitalTwin.Telemetry.Parsing;

namespace DigitalTwin.Telemetry.Readers;

public sealed class BioLogicMprReader : CyclerReader
{
    private static readonly byte[] Magic = [.. "BIO-LOGIC MODULAR FILE\u001a"u8, .. Enumerable.Repeat((byte)' ', 25), 0, 0, 0, 0];

    // Column ID → (size in bytes, type code: d = f8, f = f4, H = u2, I = u4, B = u1).
    private static readonly Dictionary<int, (int Size, char Type, string Name)> Columns = new()
    {
        [4] = (8, 'd', "time/s"), [5] = (4, 'f', "control/V/mA"), [6] = (4, 'f', "Ewe/V"), [7] = (8, 'd', "dq/mA.h"),
        [8] = (4, 'f', "I/mA"), [9] = (4, 'f', "Ece/V"), [11] = (8, 'd', "<I>/mA"), [13] = (8, 'd', "(Q-Qo)/mA.h"),
        [16] = (4, 'f', "Analog IN 1/V"), [17] = (4, 'f', "Analog IN 2/V"), [19] = (4, 'f', "control/V"), [20] = (4, 'f', "control/mA"),
        [23] = (8, 'd', "dQ/mA.h"), [24] = (8, 'd', "cycle number"), [32] = (4, 'f', "freq/Hz"), [33] = (4, 'f', "|Ewe|/V"),
        [34] = (4, 'f', "|I|/A"), [35] = (4, 'f', "Phase(Z)/deg"), [36] = (4, 'f', "|Z|/Ohm"), [37] = (4, 'f', "Re(Z)/Ohm"),
        [38] = (4, 'f', "-Im(Z)/Ohm"), [39] = (2, 'H', "I Range"), [69] = (4, 'f', "R/Ohm"), [70] = (4, 'f', "P/W"),
        [74] = (8, 'd', "|Energy|/W.h"), [75] = (4, 'f', "Analog OUT/V"), [76] = (4, 'f', "<I>/mA"), [77] = (4, 'f', "<Ewe>/V"),
        [78] = (4, 'f', "Cs-2"), [96] = (4, 'f', "|Ece|/V"), [98] = (4, 'f', "Phase(Zce)/deg"), [99] = (4, 'f', "|Zce|/Ohm"),
        [100] = (4, 'f', "Re(Zce)/Ohm"), [101] = (4, 'f', "-Im(Zce)/Ohm"), [123] = (8, 'd', "Energy charge/W.h"),
        [124] = (8, 'd', "Energy discharge/W.h"), [125] = (8, 'd', "Capacitance charge/µF"), [126] = (8, 'd', "Capacitance discharge/µF"),
        [131] = (2, 'H', "Ns"), [163] = (4, 'f', "|Estack|/V"), [168] = (4, 'f', "Rcmp/Ohm"), [169] = (4, 'f', "Cs/µF"),
        [172] = (4, 'f', "Cp/µF"), [173] = (4, 'f', "Cp-2"), [174] = (4, 'f', "<Ewe>/V"), [178] = (4, 'f', "(Q-Qo)/C"),
        [179] = (4, 'f', "dQ/C"), [182] = (8, 'd', "step time/s"), [185] = (4, 'f', "<Ece>/V"), [211] = (8, 'd', "Q charge/discharge/C"),
        [217] = (4, 'f', "THD Ewe/%"), [241] = (4, 'f', "|E1|/V"), [242] = (4, 'f', "|E2|/V"), [271] = (4, 'f', "Phase(Z1)/deg"),
        [272] = (4, 'f', "Phase(Z2)/deg"), [295] = (2, 'H', "I Range"), [301] = (4, 'f', "|Z1|/Ohm"), [302] = (4, 'f', "|Z2|/Ohm"),
        [326] = (4, 'f', "P/W"), [331] = (4, 'f', "Re(Z1)/Ohm"), [332] = (4, 'f', "Re(Z2)/Ohm"), [361] = (4, 'f', "-Im(Z1)/Ohm"),
        [362] = (4, 'f', "-Im(Z2)/Ohm"), [379] = (8, 'd', "Energy charge/W.h"), [391] = (4, 'f', "<E1>/V"), [392] = (4, 'f', "<E2>/V"),
        [422] = (4, 'f', "Phase(Zstack)/deg"), [423] = (4, 'f', "|Zstack|/Ohm"), [424] = (4, 'f', "Re(Zstack)/Ohm"), [425] = (4, 'f', "-Im(Zstack)/Ohm"),
        [426] = (4, 'f', "<Estack>/V"), [430] = (4, 'f', "Phase(Zwe-ce)/deg"), [431] = (4, 'f', "|Zwe-ce|/Ohm"), [432] = (4, 'f', "Re(Zwe-ce)/Ohm"),
        [433] = (4, 'f', "-Im(Zwe-ce)/Ohm"), [434] = (4, 'f', "(Q-Qo)/C"), [435] = (4, 'f', "dQ/C"), [441] = (4, 'f', "<Ece>/V"),
        [462] = (4, 'f', "Temperature/°C"), [467] = (8, 'd', "Q charge/discharge/mA.h"), [468] = (4, 'I', "half cycle"),
        [469] = (4, 'I', "z cycle"), [471] = (4, 'f', "<Ece>/V"), [473] = (4, 'f', "THD Ewe/%"), [474] = (4, 'f', "THD I/%"),
        [475] = (4, 'f', "THD Ece/%"), [476] = (4, 'f', "NSD Ewe/%"), [477] = (4, 'f', "NSD I/%"), [478] = (4, 'f', "NSD Ece/%"),
        [479] = (4, 'f', "NSR Ewe/%"), [480] = (4, 'f', "NSR I/%"), [481] = (4, 'f', "NSR Ece/%"),
    };

    // Flag columns share one byte: mode (bits 0-1), ox/red, error, control changes, Ns changes, counter inc.
    private static readonly HashSet<int> FlagColumns = [1, 2, 3, 21, 31, 65];

    public override string Name => "biologic-mpr";

    public override string Description => "BioLogic EC-Lab binary .mpr (data module versions 0, 2, 3, 10, 11), incl. PEIS spectra";

    public override bool ReadsSequentially => false;

    public override int Probe(FileHead head) => head.StartsWith(Magic.AsSpan(0, 23)) ? 100 : 0;

    public override void Read(ReadContext context)
    {
        var stream = context.Stream;
        var magic = new byte[Magic.Length];
        stream.ReadExactly(magic);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw context.Fail(0, "magic", ProblemCodes.Corrupt, "the 52-byte BioLogic modular-file signature is damaged");
        }

        (long Offset, int Length, int Version)? data = null;
        long startTicks = 0;
        var technique = -1;
        var header = new byte[59];
        var module = 0;
        while (stream.Position < stream.Length)
        {
            module++;
            var at = stream.Position;
            if (stream.Length - at < 6 + 51)
            {
                context.Warn(0, "module", ProblemCodes.Truncated, $"{stream.Length - at} stray bytes after the last module (truncated file?)");
                break;
            }

            stream.ReadExactly(header.AsSpan(0, 6 + 35 + 4));
            if (!header.AsSpan(0, 6).SequenceEqual("MODULE"u8))
            {
                throw context.Fail(module, "module", ProblemCodes.Corrupt, $"expected 'MODULE' at byte {at}");
            }

            var shortName = System.Text.Encoding.ASCII.GetString(header, 6, 10).Trim();
            var extended = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(41)) == 0xFFFFFFFF;
            int length, version;
            if (extended)
            {
                stream.ReadExactly(header.AsSpan(0, 12 + 8));
                length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
                version = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            }
            else
            {
                length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(41));
                stream.ReadExactly(header.AsSpan(0, 4 + 8));
                version = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
            }

            var body = stream.Position;
            if (length < 0 || body + length > stream.Length)
            {
                throw context.Fail(module, shortName, ProblemCodes.Truncated, $"module '{shortName}' claims {length} bytes but the file ends {stream.Length - body} bytes after its header (truncated file)");
            }

            if (shortName == "VMP data")
            {
                data = (body, length, version);
            }
            else if (shortName == "VMP Set" && length > 0)
            {
                technique = stream.ReadByte();
            }
            else if (shortName == "VMP LOG" && length > 0x249 + 8)
            {
                stream.Position = body + 0x249;
                var ole = new byte[8];
                stream.ReadExactly(ole);
                var days = BinaryPrimitives.ReadDoubleLittleEndian(ole);
                if (days is > 20000 and < 80000)
                {
                    startTicks = WallClock.FromOleDate(days);
                }
            }

            stream.Position = body + length;
        }

        if (data is null)
        {
            throw context.Fail(0, "VMP data", ProblemCodes.NoData, "no 'VMP data' module in the file");
        }

        context.Metadata["technique id"] = technique.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ReadData(context, data.Value.Offset, data.Value.Length, data.Value.Version, startTicks);
    }

    private static void ReadData(ReadContext context, long offset, int length, int version, long startTicks)
    {
        var stream = context.Stream;
        stream.Position = offset;
        var head = new byte[Math.Min(length, 0x3EF)];
        stream.ReadExactly(head);
        var points = (long)BinaryPrimitives.ReadUInt32LittleEndian(head);
        int columns = head[4];
        var ids = new int[columns];
        int dataStart;
        switch (version)
        {
            case 0:
                for (var k = 0; k < columns; k++)
                {
                    ids[k] = head[5 + k];
                }

                dataStart = 100;
                break;
            case 2 or 3:
                for (var k = 0; k < columns; k++)
                {
                    ids[k] = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(5 + (2 * k)));
                }

                dataStart = version == 2 ? 0x195 : 0x196;
                break;
            case 10 or 11:
                for (var k = 0; k < columns; k++)
                {
                    ids[k] = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(5 + (2 * k)));
                }

                dataStart = 0x3EF;
                break;
            default:
                throw context.Fail(0, "VMP data", ProblemCodes.Unsupported, $"data module version {version} is not known (known: 0, 2, 3, 10, 11)");
        }

        // Field offsets in one record; unknown IDs end the part of the record we can place.
        var offsets = new Dictionary<int, (int Offset, char Type)>();
        var position = 0;
        var flagsAt = -1;
        var unknown = new List<int>();
        foreach (var id in ids)
        {
            if (unknown.Count > 0)
            {
                if (!FlagColumns.Contains(id))
                {
                    unknown.Add(id);
                }

                continue;
            }

            if (FlagColumns.Contains(id))
            {
                if (flagsAt < 0)
                {
                    flagsAt = position;
                    position += 1;
                }
            }
            else if (Columns.TryGetValue(id, out var c))
            {
                offsets.TryAdd(id, (position, c.Type));
                position += c.Size;
            }
            else
            {
                unknown.Add(id);
            }
        }

        var available = length - dataStart;
        if (points == 0)
        {
            context.SetSchema(new RawSchema { Dialect = "BioLogic .mpr (no data points)", HasTestTime = true, HasCycle = true, HasStep = true });
            context.Warn(0, null, ProblemCodes.NoData, "the data module holds 0 points");
            return;
        }

        if (available < 0 || available % points != 0)
        {
            var complete = available > 0 ? available / Math.Max(1, position) : 0;
            throw context.Fail(0, "VMP data", ProblemCodes.Truncated, $"data module holds {available} bytes for {points} points: not a whole number of records (truncated or damaged; about {complete} records readable)");
        }

        var recordSize = (int)(available / points);
        if (unknown.Count == 0 && recordSize != position)
        {
            throw context.Fail(0, "VMP data", ProblemCodes.Corrupt, $"records are {recordSize} bytes but the column IDs ({string.Join(",", ids)}) add up to {position}");
        }

        if (unknown.Count > 0)
        {
            context.Warn(0, "VMP data", ProblemCodes.Unsupported, $"column IDs {string.Join(", ", unknown)} are not in the known table; they ({recordSize - position} bytes per record) are skipped");
        }

        int Pick(params int[] candidates) => candidates.FirstOrDefault(offsets.ContainsKey, -1);

        var time = Pick(4);
        var voltage = Pick(6, 77, 174);
        var current = Pick(8, 76, 11);
        var cycle = Pick(24);
        var halfCycle = Pick(468);
        var ns = Pick(131);
        var dq = Pick(7, 23);
        var qqo = Pick(13);
        var qqoC = Pick(178, 434);
        var echarge = Pick(123, 379);
        var edischarge = Pick(124);
        var temperature = Pick(462);
        var freq = Pick(32);
        var re = Pick(37);
        var im = Pick(38);
        var modulus = Pick(36);
        var phase = Pick(35);
        if (time < 0)
        {
            throw context.Fail(0, "time/s", ProblemCodes.MissingColumn, $"no time column (ID 4) among the column IDs {string.Join(",", ids)}");
        }

        var polar = re < 0 && modulus >= 0 && phase >= 0;
        var impedanceOnly = freq >= 0 && (re >= 0 && im >= 0 || polar) && flagsAt < 0;
        if (!impedanceOnly && voltage < 0)
        {
            throw context.Fail(0, "Ewe/V", ProblemCodes.MissingColumn, $"no voltage column (IDs 6, 77, 174) among the column IDs {string.Join(",", ids)}");
        }

        var capacity = dq >= 0 ? CounterKind.Delta : qqo >= 0 || qqoC >= 0 ? CounterKind.NetSigned : CounterKind.None;
        var chargeColumn = dq >= 0 ? dq : qqo >= 0 ? qqo : qqoC;
        var chargeScale = chargeColumn == qqoC ? 1.0 / 3600 : 1e-3;
        context.SetSchema(new RawSchema
        {
            Dialect = $"BioLogic .mpr, data module v{version}, {columns} columns{(impedanceOnly ? ", impedance spectrum" : string.Empty)}",
            HasTestTime = true,
            StartWallTicks = startTicks,
            HasCycle = cycle >= 0 || halfCycle >= 0 || impedanceOnly,
            FirstInferredCycle = 0,
            HasStep = ns >= 0 || impedanceOnly,
            HasStepHint = flagsAt >= 0,
            StepHintHasMode = flagsAt >= 0,
            HasCurrent = current >= 0 || dq >= 0,
            HasTemperature = temperature >= 0,
            CurrentSign = CurrentSign.ChargePositive,
            Capacity = capacity,
            Energy = echarge >= 0 && edischarge >= 0 ? CounterKind.SplitCumulative : CounterKind.None,
            Columns = ids.Select(i => Columns.TryGetValue(i, out var c) ? c.Name : FlagColumns.Contains(i) ? $"flag {i}" : $"id {i}").ToList(),
        });

        stream.Position = offset + dataStart;
        var perBlock = Math.Max(1, (1 << 20) / recordSize);
        var buffer = ArrayPool<byte>.Shared.Rent(perBlock * recordSize);
        try
        {
            long index = 0;
            var previousTime = double.NaN;
            var spectrum = 0;
            var lastFrequency = double.NaN;
            while (index < points)
            {
                var n = (int)Math.Min(perBlock, points - index);
                stream.ReadExactly(buffer, 0, n * recordSize);
                for (var k = 0; k < n; k++)
                {
                    var rec = buffer.AsSpan(k * recordSize, recordSize);
                    var row = RawRow.Create(index + 1);
                    row.TestTime = Value(rec, offsets, time);
                    row.Voltage = voltage >= 0 ? Value(rec, offsets, voltage) : double.NaN;
                    row.Current = current >= 0 ? Value(rec, offsets, current) * 1e-3 : double.NaN;
                    if (current < 0 && dq >= 0)
                    {
                        // No current column: <I> is the charge of the interval over its duration, as EC-Lab exports it.
                        var dt = row.TestTime - previousTime;
                        row.Current = dt > 0 ? Value(rec, offsets, dq) * 3.6 / dt : 0;
                    }

                    previousTime = row.TestTime;
                    if (cycle >= 0)
                    {
                        row.Cycle = (int)Value(rec, offsets, cycle);
                    }
                    else if (halfCycle >= 0)
                    {
                        // EC-Lab's exported "cycle number" is the half cycle (one per current direction) over two.
                        row.Cycle = (int)Value(rec, offsets, halfCycle) / 2;
                    }

                    if (ns >= 0)
                    {
                        row.Step = (int)Value(rec, offsets, ns);
                    }

                    row.Q1 = chargeColumn >= 0 ? Value(rec, offsets, chargeColumn) * chargeScale : double.NaN;
                    if (echarge >= 0 && edischarge >= 0)
                    {
                        row.E1 = Value(rec, offsets, echarge);
                        row.E2 = Value(rec, offsets, edischarge);
                    }

                    if (temperature >= 0)
                    {
                        row.Temperature = Value(rec, offsets, temperature);
                    }

                    var f = freq >= 0 ? Value(rec, offsets, freq) : 0;
                    if (flagsAt >= 0)
                    {
                        var mode = rec[flagsAt] & 0x03;
                        var sign = double.IsNaN(row.Current) || Math.Abs(row.Current) <= context.Options.RestCurrentThreshold ? 0 : Math.Sign(row.Current);
                        row.StepHint = (mode, sign) switch
                        {
                            (3, _) or (_, 0) => StepType.Rest,
                            (2, > 0) => StepType.CvCharge,
                            (2, < 0) => StepType.CvDischarge,
                            (1, > 0) => StepType.CcCharge,
                            (1, < 0) => StepType.CcDischarge,
                            _ => StepType.Unknown,
                        };
                    }

                    if (f > 0 && ((re >= 0 && im >= 0) || polar))
                    {
                        if (!double.IsNaN(lastFrequency) && f > lastFrequency * 10)
                        {
                            spectrum++;
                        }

                        lastFrequency = f;
                        row.StepHint = StepType.Eis;
                        var p = new ImpedancePoint
                        {
                            TimestampMicros = Sample.NoTimestamp,
                            TestTime = row.TestTime,
                            Cycle = row.Cycle == int.MinValue ? 0 : row.Cycle,
                            Spectrum = spectrum,
                            Frequency = f,
                            ZReal = polar ? Value(rec, offsets, modulus) * Math.Cos(Value(rec, offsets, phase) * Math.PI / 180) : Value(rec, offsets, re),
                            ZImag = polar ? Value(rec, offsets, modulus) * Math.Sin(Value(rec, offsets, phase) * Math.PI / 180) : -Value(rec, offsets, im),
                            Voltage = row.Voltage,
                            Current = row.Current,
                            SourceRow = row.Line,
                        };
                        context.EmitImpedance(ref p);
                    }

                    if (!impedanceOnly)
                    {
                        context.Emit(ref row);
                    }

                    index++;
                }

                context.Progress(stream.Position);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static double Value(ReadOnlySpan<byte> record, Dictionary<int, (int Offset, char Type)> offsets, int id)
    {
        var (o, t) = offsets[id];
        return t switch
        {
            'd' => BinaryPrimitives.ReadDoubleLittleEndian(record[o..]),
            'f' => BinaryPrimitives.ReadSingleLittleEndian(record[o..]),
            'H' => BinaryPrimitives.ReadUInt16LittleEndian(record[o..]),
            'I' => BinaryPrimitives.ReadUInt32LittleEndian(record[o..]),
            _ => record[o],
        };
    }
}
