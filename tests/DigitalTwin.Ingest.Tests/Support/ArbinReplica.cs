// A long, valid Arbin CSV made from a real one: its data rows repeated with the point number, test time and
// Unix clock shifted per copy, so the copy is one monotonic test (as in the ingest bench).
using System.Globalization;
using System.Text;
using DigitalTwin.Testing;

namespace DigitalTwin.Ingest.Tests.Support;

public static class ArbinReplica
{
    public static string Write(string target, int rows)
    {
        var lines = File.ReadAllLines(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        var data = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        var c = CultureInfo.InvariantCulture;
        var span = double.Parse(data[^1][1], c) - double.Parse(data[0][1], c) + 10;
        using var writer = new StreamWriter(target, false, Encoding.ASCII, 1 << 20) { NewLine = "\n" };
        writer.WriteLine(lines[0]);
        for (var written = 0; written < rows; written++)
        {
            var copy = written / data.Length;
            var fields = (string[])data[written % data.Length].Clone();
            fields[0] = (long.Parse(fields[0], c) + ((long)copy * data.Length)).ToString(c);
            fields[1] = (double.Parse(fields[1], c) + (copy * span)).ToString("0.####", c);
            fields[2] = (double.Parse(fields[2], c) + (copy * span)).ToString("0.####", c);
            fields[5] = (long.Parse(fields[5], c) + ((long)copy * 1000)).ToString(c);
            writer.WriteLine(string.Join(',', fields));
        }

        return target;
    }
}
