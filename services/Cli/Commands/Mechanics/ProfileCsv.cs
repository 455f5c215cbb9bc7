// Reads radial concentration profiles for `twin mechanics`: columns r_m and c_mol_m3, optionally time_s
// (long format, one row per node and time). Errors name the file, line and field, all at once.
using System.Globalization;

namespace DigitalTwin.Cli.Commands.Mechanics;

internal sealed record RadialProfiles(double[] Times, double[] Nodes, double[][] Concentrations);

internal static class ProfileCsv
{
    public static RadialProfiles Read(string path)
    {
        var problems = new List<string>();
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: file not found");
        }

        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? lines[0].Split(',').Select(h => h.Trim()).ToArray() : [];
        var rCol = Array.IndexOf(header, "r_m");
        var cCol = Array.IndexOf(header, "c_mol_m3");
        var tCol = Array.IndexOf(header, "time_s");
        if (rCol < 0 || cCol < 0)
        {
            throw new InvalidDataException($"{path}:1: header must name columns r_m and c_mol_m3 (optionally time_s), found '{(lines.Length > 0 ? lines[0] : "")}'");
        }

        var rows = new List<(double T, double R, double C)>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]) || lines[i].StartsWith('#'))
            {
                continue;
            }

            var f = lines[i].Split(',');
            double Field(int col, string name)
            {
                if (col >= f.Length || !double.TryParse(f[col], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                {
                    problems.Add($"{path}:{i + 1}: field {name} = '{(col < f.Length ? f[col] : "")}' is not a finite number");
                    return double.NaN;
                }

                return v;
            }

            rows.Add((tCol >= 0 ? Field(tCol, "time_s") : 0, Field(rCol, "r_m"), Field(cCol, "c_mol_m3")));
        }

        if (rows.Count == 0)
        {
            problems.Add($"{path}: no data rows");
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException(string.Join(Environment.NewLine, problems));
        }

        var groups = rows.GroupBy(r => r.T).OrderBy(g => g.Key).ToArray();
        var nodes = groups[0].Select(r => r.R).ToArray();
        foreach (var g in groups)
        {
            var radii = g.Select(r => r.R).ToArray();
            if (!radii.SequenceEqual(nodes))
            {
                problems.Add($"{path}: time {g.Key} s has different radial nodes than time {groups[0].Key} s");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException(string.Join(Environment.NewLine, problems));
        }

        return new RadialProfiles(groups.Select(g => g.Key).ToArray(), nodes, groups.Select(g => g.Select(r => r.C).ToArray()).ToArray());
    }
}
