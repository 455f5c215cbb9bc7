// One stage's packing summary: solid fraction, per-type mean/percentile stress per axis (both stress
// definitions), stress vs depth and vs radius, coordination and contacts by type pair, identity check.
namespace DigitalTwin.Physics.Dem.Computes;

/// <summary>Stress statistics of one particle group [Pa], axes xx, yy, zz.</summary>
public sealed record GroupStress(
    string Type,
    int Count,
    double VolumeM3,
    double[] MeanStressPa,
    double[] MeanStressSplitPa,
    double[] NumberMeanStressPa,
    double[] NumberMeanStressSplitPa,
    double[] P05StressPa,
    double[] P50StressPa,
    double[] P95StressPa,
    double MeanCoordination,
    double MeanCoordinationWithWalls,
    double RattlerFraction);

/// <summary>One slab (depth) or radius bin: volume-weighted stress of a type [Pa].</summary>
public sealed record StressBin(string Type, double Lo, double Hi, int Count, double[] MeanStressPa, double[] MeanStressSplitPa);

public sealed record PackingReport(
    double SolidFraction,
    double[] ExtentM,
    double KineticEnergyJ,
    double ForceBalance,
    int ParticleContacts,
    int WallContacts,
    double MeanCoordination,
    double MechanicalCoordination,
    int AmSeContacts,
    IReadOnlyDictionary<string, int> ContactsByTypePair,
    IReadOnlyList<GroupStress> Types,
    double[] AllMeanStressPa,
    double IdentityRatio,
    IReadOnlyList<StressBin> StressVsDepth,
    IReadOnlyList<StressBin> StressVsRadius,
    IReadOnlyDictionary<string, double> WallPressurePa)
{
    /// <summary>Summarises the current state; depth profiles run along pressAxis, AM-SE contacts count amType against seType.</summary>
    public static PackingReport Create(DemSystem s, ParticleStress st, int pressAxis = 2, int amType = 0, int seType = 1, int slabs = 5, int radiusBins = 4)
    {
        var n = s.N;
        var nt = s.Materials.TypeCount;
        var ext = new[] { s.Extent(0), s.Extent(1), s.Extent(2) };
        var lo = new double[3];
        for (var a = 0; a < 3; a++)
        {
            lo[a] = s.IsPeriodic(a) ? s.BoxLo[a] : s.Walls.Where(w => w.Axis == a && w.Side == 1).Select(w => w.Position).DefaultIfEmpty(s.BoxLo[a]).First();
        }

        var vsum = st.Volume.Sum();
        var phi = vsum / (ext[0] * ext[1] * ext[2]);
        var groups = new List<GroupStress>();
        var all = new double[3];
        for (var t = 0; t < nt; t++)
        {
            var idx = Enumerable.Range(0, n).Where(i => s.Type[i] == t).ToArray();
            if (idx.Length == 0)
            {
                continue;
            }

            var v = idx.Sum(i => st.Volume[i]);
            double[] vw = new double[3], vws = new double[3], nm = new double[3], nms = new double[3], p05 = new double[3], p50 = new double[3], p95 = new double[3];
            for (var a = 0; a < 3; a++)
            {
                vw[a] = idx.Sum(i => st.Volume[i] * st.LoveWeber[6 * i + a]) / v;
                vws[a] = idx.Sum(i => st.Volume[i] * st.Split[6 * i + a]) / v;
                nm[a] = idx.Average(i => st.LoveWeber[6 * i + a]);
                nms[a] = idx.Average(i => st.Split[6 * i + a]);
                var sorted = idx.Select(i => st.LoveWeber[6 * i + a]).Order().ToArray();
                p05[a] = Percentile(sorted, 0.05);
                p50[a] = Percentile(sorted, 0.50);
                p95[a] = Percentile(sorted, 0.95);
                all[a] += idx.Sum(i => st.Volume[i] * st.LoveWeber[6 * i + a]);
            }

            groups.Add(new GroupStress(s.Materials.Materials[t].Name, idx.Length, v, vw, vws, nm, nms, p05, p50, p95,
                idx.Average(i => (double)st.Contacts[i]), idx.Average(i => (double)(st.Contacts[i] + st.WallContacts[i])),
                idx.Count(i => st.Contacts[i] + st.WallContacts[i] == 0) / (double)idx.Length));
        }

        for (var a = 0; a < 3; a++)
        {
            all[a] /= vsum;
        }

        int n0 = 0, n1 = 0;
        for (var i = 0; i < n; i++)
        {
            n0 += st.Contacts[i] == 0 ? 1 : 0;
            n1 += st.Contacts[i] == 1 ? 1 : 0;
        }

        var zm = n - n0 - n1 > 0 ? (2.0 * st.ContactCount - n1) / (n - n0 - n1) : double.NaN;
        var byPair = new Dictionary<string, int>();
        for (var a = 0; a < nt; a++)
        {
            for (var b = a; b < nt; b++)
            {
                if (st.PairContacts[a * nt + b] > 0)
                {
                    byPair[$"{s.Materials.Materials[a].Name}-{s.Materials.Materials[b].Name}"] = st.PairContacts[a * nt + b];
                }
            }
        }

        var amSe = amType < nt && seType < nt ? st.PairContacts[Math.Min(amType, seType) * nt + Math.Max(amType, seType)] : 0;
        var pressure = new Dictionary<string, double>();
        foreach (var w in s.Walls)
        {
            pressure[w.Name] = w.Load / s.FaceArea(w.Axis);
        }

        // static identity along the pressing axis: sum V sigma_aa = F * extent, with the load of the walls on that axis
        var load = s.Walls.Where(w => w.Axis == pressAxis && w.Side == -1).Select(w => w.Load).DefaultIfEmpty(double.NaN).First();
        var identity = all[pressAxis] * vsum / (load * ext[pressAxis]);

        var depth = new List<StressBin>();
        for (var t = 0; t < nt; t++)
        {
            for (var k = 0; k < slabs; k++)
            {
                double a0 = lo[pressAxis] + ext[pressAxis] * k / slabs, a1 = lo[pressAxis] + ext[pressAxis] * (k + 1) / slabs;
                var idx = Enumerable.Range(0, n).Where(i => s.Type[i] == t && s.Pos[3 * i + pressAxis] >= a0 && (s.Pos[3 * i + pressAxis] < a1 || k == slabs - 1)).ToArray();
                if (idx.Length > 0)
                {
                    depth.Add(Bin(s.Materials.Materials[t].Name, a0, a1, idx, st, volumeWeighted: true));
                }
            }
        }

        var radius = new List<StressBin>();
        for (var t = 0; t < nt; t++)
        {
            var idx = Enumerable.Range(0, n).Where(i => s.Type[i] == t).ToArray();
            if (idx.Length == 0)
            {
                continue;
            }

            double dmin = idx.Min(i => 2 * s.Radius[i]), dmax = idx.Max(i => 2 * s.Radius[i]);
            for (var k = 0; k < radiusBins; k++)
            {
                double d0 = dmin + (dmax - dmin) * k / radiusBins, d1 = dmin + (dmax - dmin) * (k + 1) / radiusBins;
                var sel = idx.Where(i => 2 * s.Radius[i] >= d0 && (2 * s.Radius[i] < d1 || k == radiusBins - 1)).ToArray();
                if (sel.Length > 0)
                {
                    radius.Add(Bin(s.Materials.Materials[t].Name, d0, d1, sel, st, volumeWeighted: false));
                }
            }
        }

        var stressForBalance = Monitors.ForceBalance(s, st);
        return new PackingReport(phi, ext, Monitors.KineticEnergy(s), stressForBalance, st.ContactCount, st.WallContacts.Sum(),
            2.0 * st.ContactCount / n, zm, amSe, byPair, groups, all, identity, depth, radius, pressure);
    }

    private static StressBin Bin(string type, double lo, double hi, int[] idx, ParticleStress st, bool volumeWeighted)
    {
        double[] m = new double[3], ms = new double[3];
        var wsum = idx.Sum(i => volumeWeighted ? st.Volume[i] : 1.0);
        for (var a = 0; a < 3; a++)
        {
            m[a] = idx.Sum(i => (volumeWeighted ? st.Volume[i] : 1.0) * st.LoveWeber[6 * i + a]) / wsum;
            ms[a] = idx.Sum(i => (volumeWeighted ? st.Volume[i] : 1.0) * st.Split[6 * i + a]) / wsum;
        }

        return new StressBin(type, lo, hi, idx.Length, m, ms);
    }

    private static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var x = q * (sorted.Length - 1);
        var k = (int)Math.Floor(x);
        var f = x - k;
        return k + 1 < sorted.Length ? sorted[k] * (1 - f) + sorted[k + 1] * f : sorted[k];
    }
}
