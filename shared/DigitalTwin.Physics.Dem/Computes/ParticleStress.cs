// Per-particle stress computes (read-only): Love-Weber branch-vector stress including wall contacts,
// and the LAMMPS/LIGGGHTS pair split (compute stress/atom pair), both divided by V_i = 4/3 pi R_i^3.
// Compressive positive. Contact counts per particle come along.
namespace DigitalTwin.Physics.Dem.Computes;

public sealed class ParticleStress
{
    /// <summary>Love-Weber stress per particle: 6 components (xx, yy, zz, xy, xz, yz) [Pa], symmetrised.</summary>
    public required double[] LoveWeber { get; init; }

    /// <summary>Pair-split virial stress per particle (no wall contacts), 6 components [Pa].</summary>
    public required double[] Split { get; init; }

    public required double[] Volume { get; init; }

    /// <summary>Particle-particle contacts (overlap &gt; 0) per particle.</summary>
    public required int[] Contacts { get; init; }

    public required int[] WallContacts { get; init; }

    /// <summary>Contacts per type pair (TypeCount x TypeCount, each contact counted once at [min,max]).</summary>
    public required int[] PairContacts { get; init; }

    public int ContactCount { get; init; }

    /// <summary>Sum of |F| over particle contacts [N] (for the force-balance monitor).</summary>
    public double ContactForceSum { get; init; }

    public static ParticleStress Compute(DemSystem s)
    {
        var n = s.N;
        var lw = new double[9 * n];
        var sp = new double[9 * n];
        var vol = new double[n];
        var z = new int[n];
        var zw = new int[n];
        var nt = s.Materials.TypeCount;
        var pairContacts = new int[nt * nt];
        var contacts = 0;
        var fsum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var r = s.Radius[i];
            vol[i] = 4.0 / 3.0 * Math.PI * r * r * r;
        }

        for (var i = 0; i < n; i++)
        {
            for (var p = s.NeighStart[i]; p < s.NeighStart[i + 1]; p++)
            {
                var j = s.NeighJ[p];
                var c = 3 * s.NeighImage[p];
                var dx = s.Pos[3 * i] - (s.Pos[3 * j] + s.ShiftTable[c]);
                var dy = s.Pos[3 * i + 1] - (s.Pos[3 * j + 1] + s.ShiftTable[c + 1]);
                var dz = s.Pos[3 * i + 2] - (s.Pos[3 * j + 2] + s.ShiftTable[c + 2]);
                var rr = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                var delta = s.Radius[i] + s.Radius[j] - rr;
                if (delta <= 0)
                {
                    continue;
                }

                double[] nrm = [dx / rr, dy / rr, dz / rr];
                double[] f = [s.PairForce[3 * p], s.PairForce[3 * p + 1], s.PairForce[3 * p + 2]];
                double[] d = [dx, dy, dz];
                var li = s.Radius[i] - 0.5 * delta;
                var lj = s.Radius[j] - 0.5 * delta;
                for (var a = 0; a < 3; a++)
                {
                    for (var b = 0; b < 3; b++)
                    {
                        // i: l = -li n, force f; j: l = +lj n, force -f.
                        lw[9 * i + 3 * a + b] += li * nrm[a] * f[b] / vol[i];
                        lw[9 * j + 3 * a + b] += lj * nrm[a] * f[b] / vol[j];
                        var v = 0.5 * d[a] * f[b];
                        sp[9 * i + 3 * a + b] += v / vol[i];
                        sp[9 * j + 3 * a + b] += v / vol[j];
                    }
                }

                z[i]++;
                z[j]++;
                contacts++;
                fsum += Math.Sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
                int ti = s.Type[i], tj = s.Type[j];
                pairContacts[Math.Min(ti, tj) * nt + Math.Max(ti, tj)]++;
            }

            for (var w = 0; w < s.WallCount; w++)
            {
                var k = i * s.WallCount + w;
                if (s.WallTouch[k] == 0)
                {
                    continue;
                }

                var axis = s.WallAxis[w];
                var dist = s.WallSide[w] * (s.Pos[3 * i + axis] - s.WallPos[w]);
                // branch vector from the centre to the contact point on the plane: -dist * n_wall
                for (var b = 0; b < 3; b++)
                {
                    lw[9 * i + 3 * axis + b] += dist * s.WallSide[w] * s.WallForce[3 * k + b] / vol[i];
                }

                zw[i]++;
            }
        }

        return new ParticleStress
        {
            LoveWeber = Symmetrise(lw, n),
            Split = Symmetrise(sp, n),
            Volume = vol,
            Contacts = z,
            WallContacts = zw,
            PairContacts = pairContacts,
            ContactCount = contacts,
            ContactForceSum = fsum,
        };
    }

    private static double[] Symmetrise(double[] t, int n)
    {
        var o = new double[6 * n];
        for (var i = 0; i < n; i++)
        {
            var b = 9 * i;
            o[6 * i] = t[b];
            o[6 * i + 1] = t[b + 4];
            o[6 * i + 2] = t[b + 8];
            o[6 * i + 3] = 0.5 * (t[b + 1] + t[b + 3]);
            o[6 * i + 4] = 0.5 * (t[b + 2] + t[b + 6]);
            o[6 * i + 5] = 0.5 * (t[b + 5] + t[b + 7]);
        }

        return o;
    }
}
