// Loose NMC/SE mixtures the way the peer deck's gen_packing.py builds them: stratified diameters
// uniform in number over each type's range, N_AM from the AM mass loading, N_SE from the mass ratio,
// random sequential addition (largest first) in a box periodic in x and y at a chosen solid fraction.
namespace DigitalTwin.Physics.Dem.Studies;

public sealed record GeneratedPacking(Packing Packing, double FootprintM, double HeightM, int AmCount, int SeCount);

public static class PackingGenerator
{
    /// <summary>Diameters d_k = dmin + (dmax - dmin)(k + 1/2)/n.</summary>
    public static double[] Diameters(int n, double dmin, double dmax) =>
        Enumerable.Range(0, n).Select(k => dmin + (dmax - dmin) * (k + 0.5) / n).ToArray();

    /// <summary>The count whose stratified spheres weigh closest to the target mass (gen_packing.py n_for_mass).</summary>
    public static int CountForMass(double targetMass, double dmin, double dmax, double rho)
    {
        var n = Math.Max(1, (int)(targetMass / (rho * Math.PI / 6 * Math.Pow((dmin + dmax) / 2, 3)) * 0.5));
        (int N, double Err)? best = null;
        while (true)
        {
            var m = Diameters(n, dmin, dmax).Sum(d => rho * Math.PI / 6 * d * d * d);
            var err = Math.Abs(m - targetMass);
            if (best is { } b && err > b.Err)
            {
                return b.N;
            }

            best = (n, err);
            n++;
        }
    }

    /// <summary>Generates a loose packing of about <paramref name="targetCount"/> particles (footprint scaled to match).</summary>
    public static GeneratedPacking Generate(CompositeParameters p, int targetCount, ulong seed)
    {
        if (targetCount < 20 || targetCount > 2_000_000)
        {
            throw new DemInputException([$"particles = {targetCount}: must be in [20, 2e6]"]);
        }

        var reference = Counts(p, p.FootprintM);
        var footprint = p.FootprintM * Math.Sqrt(targetCount / (double)(reference.Am + reference.Se));
        var (nAm, nSe) = Counts(p, footprint);
        var am = p.Types[CompositeParameters.Am];
        var se = p.Types[CompositeParameters.Se];
        var parts = Diameters(nAm, am.DiameterRangeM![0], am.DiameterRangeM[1]).Select(d => (D: d, T: CompositeParameters.Am, Rho: am.DensityKgM3))
            .Concat(Diameters(nSe, se.DiameterRangeM![0], se.DiameterRangeM[1]).Select(d => (D: d, T: CompositeParameters.Se, Rho: se.DensityKgM3)))
            .ToArray();
        var vsolid = parts.Sum(q => Math.PI / 6 * q.D * q.D * q.D);
        var h0 = vsolid / (footprint * footprint * p.InitialSolidFraction);
        var rng = new SplitMix64(seed);
        var order = Enumerable.Range(0, parts.Length).ToArray();
        for (var k = order.Length - 1; k > 0; k--)
        {
            var j = (int)(rng.NextDouble() * (k + 1));
            (order[k], order[j]) = (order[j], order[k]);
        }

        order = order.OrderByDescending(k => parts[k].D).ToArray();
        var placed = Rsa(parts.Select(q => q.D / 2).ToArray(), order, footprint, h0, rng);
        var n = parts.Length;
        var packing = new Packing(
            Enumerable.Range(1, n).ToArray(),
            order.Select(k => parts[k].T).ToArray(),
            order.Select(k => parts[k].D / 2).ToArray(),
            order.Select(k => parts[k].Rho).ToArray(),
            placed.Select(q => q.X).ToArray(),
            placed.Select(q => q.Y).ToArray(),
            placed.Select(q => q.Z).ToArray());
        return new GeneratedPacking(packing, footprint, h0, nAm, nSe);
    }

    /// <summary>A type of a generic mixture: diameters uniform in number over [min, max], its share of the mass.</summary>
    public sealed record MixtureType(int Type, double MinDiameter, double MaxDiameter, double Density, double MassFraction);

    /// <summary>A mixture of <paramref name="count"/> particles split by mass fraction, RSA in an L x L periodic footprint at phi0.</summary>
    public static GeneratedPacking Generate(IReadOnlyList<MixtureType> types, int count, double footprint, double phi0, ulong seed)
    {
        var problems = new List<string>();
        if (count < 2 || count > 2_000_000)
        {
            problems.Add($"particle_count = {count}: must be in [2, 2e6]");
        }

        if (!(footprint > 0))
        {
            problems.Add($"lateral_size = {footprint} m: must be > 0");
        }

        if (!(phi0 > 0 && phi0 <= 0.45))
        {
            problems.Add($"initial_solid_fraction = {phi0}: must be in (0, 0.45] (random sequential addition)");
        }

        foreach (var t in types)
        {
            if (!(t.MinDiameter > 0 && t.MaxDiameter >= t.MinDiameter && t.Density > 0 && t.MassFraction >= 0))
            {
                problems.Add($"particle type {t.Type}: needs 0 < min radius <= max radius, density > 0, mass fraction >= 0");
            }
        }

        var wsum = types.Sum(t => t.MassFraction);
        if (!(wsum > 0))
        {
            problems.Add("particle types: the mass fractions must add up to more than 0");
        }

        DemInputException.ThrowIfAny(problems);
        double MeanMass(MixtureType t) => Diameters(64, t.MinDiameter, t.MaxDiameter).Average(d => t.Density * Math.PI / 6 * d * d * d);
        var weights = types.Select(t => t.MassFraction / wsum / MeanMass(t)).ToArray();
        var counts = weights.Select(w => (int)Math.Round(count * w / weights.Sum())).ToArray();
        counts[^1] = Math.Max(0, count - counts[..^1].Sum());
        var parts = types.SelectMany((t, k) => Diameters(counts[k], t.MinDiameter, t.MaxDiameter).Select(d => (D: d, T: t.Type, Rho: t.Density))).ToArray();
        var vsolid = parts.Sum(q => Math.PI / 6 * q.D * q.D * q.D);
        var h0 = vsolid / (footprint * footprint * phi0);
        var rng = new SplitMix64(seed);
        var order = Enumerable.Range(0, parts.Length).ToArray();
        for (var k = order.Length - 1; k > 0; k--)
        {
            var j = (int)(rng.NextDouble() * (k + 1));
            (order[k], order[j]) = (order[j], order[k]);
        }

        order = order.OrderByDescending(k => parts[k].D).ToArray();
        var placed = Rsa(parts.Select(q => q.D / 2).ToArray(), order, footprint, h0, rng);
        var packing = new Packing(Enumerable.Range(1, parts.Length).ToArray(), order.Select(k => parts[k].T).ToArray(), order.Select(k => parts[k].D / 2).ToArray(),
            order.Select(k => parts[k].Rho).ToArray(), placed.Select(q => q.X).ToArray(), placed.Select(q => q.Y).ToArray(), placed.Select(q => q.Z).ToArray());
        return new GeneratedPacking(packing, footprint, h0, counts[0], counts.Length > 1 ? counts[1] : 0);
    }

    private static (int Am, int Se) Counts(CompositeParameters p, double footprint)
    {
        var areaCm2 = Math.Pow(footprint * 100, 2);
        var mAm = p.AmMassLoadingMgCm2 * 1e-6 * areaCm2;
        var mSe = mAm * (1 - p.AmMassFraction) / p.AmMassFraction;
        var am = p.Types[CompositeParameters.Am];
        var se = p.Types[CompositeParameters.Se];
        return (CountForMass(mAm, am.DiameterRangeM![0], am.DiameterRangeM[1], am.DensityKgM3),
            CountForMass(mSe, se.DiameterRangeM![0], se.DiameterRangeM[1], se.DensityKgM3));
    }

    private static List<(double X, double Y, double Z)> Rsa(double[] radius, int[] order, double l, double h, SplitMix64 rng)
    {
        var rmax = radius.Max();
        var ncx = Math.Max(1, (int)(l / (2 * rmax)));
        var ncz = Math.Max(1, (int)(h / (2 * rmax)));
        double cx = l / ncx, cz = h / ncz;
        var grid = new List<int>[ncx * ncx * ncz];
        var placed = new List<(double X, double Y, double Z)>();
        var prad = new List<double>();
        foreach (var k in order)
        {
            var r = radius[k];
            var ok = false;
            for (var attempt = 0; attempt < 200_000 && !ok; attempt++)
            {
                var x = rng.NextDouble() * l;
                var y = rng.NextDouble() * l;
                var z = r + rng.NextDouble() * (h - 2 * r);
                if (!Overlaps(x, y, z, r))
                {
                    var key = Key(x, y, z);
                    (grid[key] ??= []).Add(placed.Count);
                    placed.Add((x, y, z));
                    prad.Add(r);
                    ok = true;
                }
            }

            if (!ok)
            {
                throw new DemInputException([$"packing generation: random sequential addition failed at particle {placed.Count + 1}; lower the initial solid fraction"]);
            }
        }

        return placed;

        int Key(double x, double y, double z) =>
            ((int)(x / cx) % ncx * ncx + (int)(y / cx) % ncx) * ncz + Math.Min((int)(z / cz), ncz - 1);

        bool Overlaps(double x, double y, double z, double r)
        {
            int ix = (int)(x / cx) % ncx, iy = (int)(y / cx) % ncx, iz = Math.Min((int)(z / cz), ncz - 1);
            for (var dx = -1; dx <= 1; dx++)
            {
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dz = -1; dz <= 1; dz++)
                    {
                        var kz = iz + dz;
                        if (kz < 0 || kz >= ncz)
                        {
                            continue;
                        }

                        var cell = grid[(((ix + dx) % ncx + ncx) % ncx * ncx + ((iy + dy) % ncx + ncx) % ncx) * ncz + kz];
                        if (cell is null)
                        {
                            continue;
                        }

                        foreach (var j in cell)
                        {
                            var ddx = x - placed[j].X;
                            ddx -= l * Math.Round(ddx / l);
                            var ddy = y - placed[j].Y;
                            ddy -= l * Math.Round(ddy / l);
                            var ddz = z - placed[j].Z;
                            var s = r + prad[j];
                            if (ddx * ddx + ddy * ddy + ddz * ddz < s * s)
                            {
                                return true;
                            }
                        }
                    }
                }
            }

            return false;
        }
    }
}
