// Reads a LIGGGHTS `write_data` file (atom_style granular): Atoms (id type diameter density x y z [images])
// and Velocities (id vx vy vz wx wy wz), so our engine can start from the peer's own packed state.
using System.Globalization;
using DigitalTwin.Physics.Dem;

namespace DigitalTwin.Benchmarks.Dem;

internal static class LammpsData
{
    public static (ParticleInput Input, double[] Lo, double[] Hi) Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var lo = new double[3];
        var hi = new double[3];
        var atoms = new SortedDictionary<int, double[]>();
        var vels = new Dictionary<int, double[]>();
        var section = "";
        foreach (var raw in lines)
        {
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 4 && f[2] is "xlo" or "ylo" or "zlo")
            {
                var a = f[2][0] - 'x';
                lo[a] = D(f[0]);
                hi[a] = D(f[1]);
                continue;
            }

            if (f[0] is "Atoms" or "Velocities")
            {
                section = f[0];
                continue;
            }

            if (char.IsLetter(f[0][0]))
            {
                section = "";
                continue;
            }

            if (section == "Atoms")
            {
                atoms[int.Parse(f[0], CultureInfo.InvariantCulture)] = f.Skip(1).Take(6).Select(D).ToArray();
            }
            else if (section == "Velocities")
            {
                vels[int.Parse(f[0], CultureInfo.InvariantCulture)] = f.Skip(1).Take(6).Select(D).ToArray();
            }
        }

        var ids = atoms.Keys.ToArray();
        double[] Col(int k) => ids.Select(i => atoms[i][k]).ToArray();
        double[] Vel(int k) => ids.Select(i => vels.TryGetValue(i, out var v) ? v[k] : 0).ToArray();
        var input = new ParticleInput
        {
            Id = ids, Type = ids.Select(i => (int)atoms[i][0] - 1).ToArray(), Radius = Col(1).Select(d => d / 2).ToArray(), Density = Col(2),
            X = Col(3), Y = Col(4), Z = Col(5), Vx = Vel(0), Vy = Vel(1), Vz = Vel(2), Wx = Vel(3), Wy = Vel(4), Wz = Vel(5),
        };
        return (input, lo, hi);
    }

    private static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
