// Reads the classic Arbin CSV layout (BEEP) into samples, enough for the tests; the product reads files through Ingest.
using System.Globalization;

namespace DigitalTwin.Estimation.Tests;

internal static class ArbinCsv
{
    public static List<CellSample> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        int time = Col("Test_Time"), stamp = Col("DateTime"), step = Col("Step_Index"), cycle = Col("Cycle_Index"),
            current = Col("Current"), voltage = Col("Voltage"), charge = Col("Charge_Capacity"), discharge = Col("Discharge_Capacity"), temperature = Col("Temperature");
        var samples = new List<CellSample>(lines.Length);
        for (var i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            double D(int c) => double.Parse(f[c], CultureInfo.InvariantCulture);
            var i0 = D(current);
            samples.Add(new CellSample(
                (ulong)i,
                (long)(D(stamp) * 1e9),
                D(time),
                (int)D(cycle),
                (int)D(step),
                Math.Abs(i0) < 1e-3 ? StepKind.Rest : i0 > 0 ? StepKind.CcCharge : StepKind.CcDischarge,
                i0,
                D(voltage),
                D(temperature),
                D(charge),
                D(discharge)));
        }

        return samples;
    }
}
