// Packings as CSV text (the peer deck's init_*.csv: id,type,diameter_m,density_kgm3,x_m,y_m,z_m, types 1-based).
// Text in, arrays out: the caller opens the file. Errors name the source, line and field.
using System.Globalization;
using System.Text;

namespace DigitalTwin.Physics.Dem.Studies;

public sealed record Packing(int[] Id, int[] Type, double[] Radius, double[] Density, double[] X, double[] Y, double[] Z)
{
    public int Count => Id.Length;
}

public static class PackingCsv
{
    private static readonly string[] Columns = ["id", "type", "diameter_m", "density_kgm3", "x_m", "y_m", "z_m"];

    /// <summary>Parses the CSV; types become 0-based. All problems are reported at once.</summary>
    public static Packing Parse(TextReader reader, string source)
    {
        var problems = new List<string>();
        var header = reader.ReadLine();
        if (header is null)
        {
            throw new DemInputException([$"{source}: empty file"]);
        }

        var cols = header.Split(',').Select(c => c.Trim().ToLowerInvariant()).ToArray();
        var index = Columns.Select(c => Array.IndexOf(cols, c)).ToArray();
        for (var k = 0; k < Columns.Length; k++)
        {
            if (index[k] < 0)
            {
                problems.Add($"{source}:1: missing column '{Columns[k]}'");
            }
        }

        DemInputException.ThrowIfAny(problems);
        var id = new List<int>();
        var type = new List<int>();
        var rad = new List<double>();
        var rho = new List<double>();
        var x = new List<double>();
        var y = new List<double>();
        var z = new List<double>();
        var lineNo = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var f = line.Split(',');
            var v = new double[Columns.Length];
            var ok = true;
            for (var k = 0; k < Columns.Length; k++)
            {
                if (index[k] >= f.Length || !double.TryParse(f[index[k]], NumberStyles.Float, CultureInfo.InvariantCulture, out v[k]) || !double.IsFinite(v[k]))
                {
                    problems.Add($"{source}:{lineNo}: field '{Columns[k]}' is not a number");
                    ok = false;
                }
            }

            if (!ok)
            {
                continue;
            }

            if (v[1] < 1 || v[1] != Math.Floor(v[1]))
            {
                problems.Add($"{source}:{lineNo}: field 'type' = {v[1]} must be a positive integer");
            }

            if (!(v[2] > 0))
            {
                problems.Add($"{source}:{lineNo}: field 'diameter_m' = {v[2]} must be > 0");
            }

            if (!(v[3] > 0))
            {
                problems.Add($"{source}:{lineNo}: field 'density_kgm3' = {v[3]} must be > 0");
            }

            id.Add((int)v[0]);
            type.Add((int)v[1] - 1);
            rad.Add(v[2] / 2);
            rho.Add(v[3]);
            x.Add(v[4]);
            y.Add(v[5]);
            z.Add(v[6]);
        }

        DemInputException.ThrowIfAny(problems);
        return new Packing(id.ToArray(), type.ToArray(), rad.ToArray(), rho.ToArray(), x.ToArray(), y.ToArray(), z.ToArray());
    }

    public static string Write(Packing p)
    {
        var sb = new StringBuilder("id,type,diameter_m,density_kgm3,x_m,y_m,z_m\n");
        for (var i = 0; i < p.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{p.Id[i]},{p.Type[i] + 1},{2 * p.Radius[i]:R},{p.Density[i]:R},{p.X[i]:R},{p.Y[i]:R},{p.Z[i]:R}\n");
        }

        return sb.ToString();
    }
}
