// Bonds of a DemSystem (the bond slot of the contact model): formed once at the current contacts, or adopted
// from a snapshot by particle id; evaluated after the contact pass on one thread (ApplyBonds); read-only counts
// and energies for monitors. Kept apart from the step loop, which only calls ApplyBonds.
using DigitalTwin.Physics.Dem.Contact;
using DigitalTwin.Physics.Dem.Contact.Bonds;
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Physics.Dem;

public sealed partial class DemSystem
{
    /// <summary>A bond's period must hold at least 10 steps (Verlet is stable below 1/pi of it; coordination stiffens it).</summary>
    internal const double MaxBondStepFraction = 0.1;

    private IBondKernel? _bondKernel;
    private BondList? _bonds;
    private int _bondsFormed;
    private int[] _idToIndex = [];

    /// <summary>Bonds formed (intact or broken).</summary>
    public int BondCount => _bonds?.Count ?? 0;

    public int IntactBondCount => _bonds is null ? 0 : _bonds.Count - _bonds.BrokenCount;

    public int BrokenBondCount => _bonds?.BrokenCount ?? 0;

    /// <summary>Elastic energy held by the intact bonds now [J].</summary>
    public double BondEnergy() => _bonds is null || _bondKernel is null ? 0 : _bondKernel.Energy(this, _bonds);

    /// <summary>Energy the bonds held when they broke, summed [J].</summary>
    public double BondReleasedEnergy => _bonds?.ReleasedEnergy ?? 0;

    /// <summary>Work done against the bond dashpots so far [J].</summary>
    public double BondDampedEnergy => _bonds?.DampedEnergy ?? 0;

    /// <summary>Bonds every pair whose gap is below FormationGap times the smaller radius (and whose types pass
    /// <paramref name="typePair"/>), at zero load: the current overlap is the bond's rest state. Returns the count.</summary>
    public int FormBonds(BondParameters parameters, Func<int, int, bool>? typePair = null)
    {
        var problems = parameters.Validate();
        RequireBondLaw(problems);
        if (parameters.FormationGap * Radius.AsSpan(0, N).ToArray().DefaultIfEmpty(0).Min() > Skin)
        {
            problems.Add($"bond.FormationGap = {parameters.FormationGap}: the gap must stay within the neighbour skin {Skin} m");
        }

        DemInputException.ThrowIfAny(problems);
        var found = new List<(int IdA, int IdB, int I, int J, double Gap)>();
        for (var i = 0; i < N; i++)
        {
            for (var p = NeighStart[i]; p < NeighStart[i + 1]; p++)
            {
                var j = NeighJ[p];
                if (typePair is not null && !typePair(Type[i], Type[j]))
                {
                    continue;
                }

                var s3 = 3 * NeighImage[p];
                var dx = Pos[3 * i] - (Pos[3 * j] + ShiftTable[s3]);
                var dy = Pos[3 * i + 1] - (Pos[3 * j + 1] + ShiftTable[s3 + 1]);
                var dz = Pos[3 * i + 2] - (Pos[3 * j + 2] + ShiftTable[s3 + 2]);
                var gap = Math.Sqrt(dx * dx + dy * dy + dz * dz) - Radius[i] - Radius[j];
                if (gap <= parameters.FormationGap * Math.Min(Radius[i], Radius[j]))
                {
                    var (a, b) = Id[i] < Id[j] ? (i, j) : (j, i);
                    found.Add((Id[a], Id[b], a, b, gap));
                }
            }
        }

        // formation order by particle ids: the same bonds in the same order whatever the particle order
        found.Sort((x, y) => x.IdA != y.IdA ? x.IdA.CompareTo(y.IdA) : x.IdB.CompareTo(y.IdB));
        var n = found.Count;
        var rng = new SplitMix64(parameters.Seed);
        var bl = new BondList
        {
            Count = n, IdI = new int[n], IdJ = new int[n], I = new int[n], J = new int[n], Kn = new double[n], Ks = new double[n],
            Rb = new double[n], Delta0 = new double[n], SigmaC = new double[n], TauC = new double[n], GammaN = new double[n],
            GammaT = new double[n], History = new double[BondList.HistoryFields * n], Broken = new bool[n], Sigma = new double[n], Tau = new double[n],
        };
        for (var k = 0; k < n; k++)
        {
            var (idA, idB, i, j, gap) = found[k];
            double ri = Radius[i], rj = Radius[j];
            var kn = parameters.Modulus / (ri + rj);
            var ks = kn / parameters.StiffnessRatio;
            var rb = parameters.RadiusMultiplier * Math.Min(ri, rj);
            var area = Math.PI * rb * rb;
            var mstar = Mass[i] * Mass[j] / (Mass[i] + Mass[j]);
            bl.IdI[k] = idA;
            bl.IdJ[k] = idB;
            bl.Kn[k] = kn;
            bl.Ks[k] = ks;
            bl.Rb[k] = rb;
            bl.Delta0[k] = -gap;
            bl.SigmaC[k] = parameters.TensileStrength * (1 + parameters.StrengthSpread * (2 * rng.NextDouble() - 1));
            bl.TauC[k] = parameters.ShearStrength * (1 + parameters.StrengthSpread * (2 * rng.NextDouble() - 1));
            bl.GammaN[k] = 2 * parameters.DampingRatio * Math.Sqrt(mstar * kn * area);
            bl.GammaT[k] = 2 * parameters.DampingRatio * Math.Sqrt(mstar * ks * area);
        }

        Install(bl, n);
        return n;
    }

    /// <summary>The bonds with their history, by particle id (to carry them into a new system).</summary>
    public BondSnapshot ExportBonds() => _bonds?.ToSnapshot(_bondsFormed)
        ?? new BondSnapshot([], [], [], [], [], [], [], [], [], [], [], [], 0);

    /// <summary>Takes over bonds by particle id (both particles must exist here); forces are recomputed.</summary>
    public void AdoptBonds(BondSnapshot snapshot)
    {
        var problems = new List<string>();
        RequireBondLaw(problems);
        var ids = new HashSet<int>(Id.AsSpan(0, N).ToArray());
        for (var k = 0; k < snapshot.IdI.Length && problems.Count < 20; k++)
        {
            if (!ids.Contains(snapshot.IdI[k]) || !ids.Contains(snapshot.IdJ[k]))
            {
                problems.Add($"bond {k} ({snapshot.IdI[k]}-{snapshot.IdJ[k]}): particle not in this system");
            }
        }

        DemInputException.ThrowIfAny(problems);
        Install(BondList.From(snapshot), snapshot.FormedCount);
    }

    /// <summary>Peak tensile and shear stress of each bond at the last step [Pa] (0 for broken bonds), formation order.</summary>
    public ReadOnlySpan<double> BondTensileStress => _bonds is null ? [] : _bonds.Sigma;

    internal void MinimumImage(ref double dx, ref double dy, ref double dz)
    {
        if (Periodic[0])
        {
            dx -= (BoxHi[0] - BoxLo[0]) * Math.Round(dx / (BoxHi[0] - BoxLo[0]));
        }

        if (Periodic[1])
        {
            dy -= (BoxHi[1] - BoxLo[1]) * Math.Round(dy / (BoxHi[1] - BoxLo[1]));
        }

        if (Periodic[2])
        {
            dz -= (BoxHi[2] - BoxLo[2]) * Math.Round(dz / (BoxHi[2] - BoxLo[2]));
        }
    }

    /// <summary>The bond pass (called by the step loop on one thread after the contact pass, and by the set-up pass).</summary>
    private void ApplyBonds(double dt)
    {
        var b = _bonds!;
        if (b.MappedBuild != Builds)
        {
            MapBonds(b);
        }

        _bondKernel!.Apply(this, b, dt);
    }

    private void Install(BondList bl, int formed)
    {
        var time = BondStepProblems(bl);
        DemInputException.ThrowIfAny(time);
        _bonds = bl;
        _bondsFormed = formed;
        _bondKernel = ContactLawRegistry.CreateBondKernel(Settings.Contact);
        MapBonds(bl);
        Array.Clear(Force, 0, 3 * N);
        Array.Clear(Torque, 0, 3 * N);
        ComputeForcesOnce();
    }

    /// <summary>The bond section of a checkpoint: every per-bond array with its history, the output stresses and the energy books.</summary>
    private void WriteBonds(BinaryWriter w)
    {
        w.Write(_bonds is not null);
        if (_bonds is not { } b)
        {
            return;
        }

        w.Write(b.Count);
        w.Write(_bondsFormed);
        foreach (var ids in (int[][])[b.IdI, b.IdJ])
        {
            for (var k = 0; k < b.Count; k++)
            {
                w.Write(ids[k]);
            }
        }

        foreach (var values in (double[][])[b.Kn, b.Ks, b.Rb, b.Delta0, b.SigmaC, b.TauC, b.GammaN, b.GammaT, b.Sigma, b.Tau])
        {
            WriteArray(w, values, b.Count);
        }

        WriteArray(w, b.History, BondList.HistoryFields * b.Count);
        for (var k = 0; k < b.Count; k++)
        {
            w.Write(b.Broken[k]);
        }

        w.Write(b.ReleasedEnergy);
        w.Write(b.DampedEnergy);
    }

    /// <summary>Reads <see cref="WriteBonds"/>; installs the bonds without a force pass, which would advance the tangential history.</summary>
    private void ReadBonds(BinaryReader r)
    {
        if (!r.ReadBoolean())
        {
            return;
        }

        var n = r.ReadInt32();
        var formed = r.ReadInt32();
        var b = new BondList { Count = n, IdI = new int[n], IdJ = new int[n], I = new int[n], J = new int[n] };
        foreach (var ids in (int[][])[b.IdI, b.IdJ])
        {
            for (var k = 0; k < n; k++)
            {
                ids[k] = r.ReadInt32();
            }
        }

        (b.Kn, b.Ks, b.Rb, b.Delta0, b.SigmaC, b.TauC, b.GammaN, b.GammaT, b.Sigma, b.Tau) =
            (ReadArray(r, n), ReadArray(r, n), ReadArray(r, n), ReadArray(r, n), ReadArray(r, n), ReadArray(r, n), ReadArray(r, n), ReadArray(r, n), ReadArray(r, n), ReadArray(r, n));
        b.History = ReadArray(r, BondList.HistoryFields * n);
        b.Broken = new bool[n];
        for (var k = 0; k < n; k++)
        {
            b.Broken[k] = r.ReadBoolean();
        }

        b.BrokenCount = b.Broken.Count(x => x);
        b.ReleasedEnergy = r.ReadDouble();
        b.DampedEnergy = r.ReadDouble();
        var problems = new List<string>();
        RequireBondLaw(problems);
        problems.AddRange(BondStepProblems(b));
        DemInputException.ThrowIfAny(problems.Select(p => "checkpoint: " + p).ToList());
        _bonds = b;
        _bondsFormed = formed;
        _bondKernel = ContactLawRegistry.CreateBondKernel(Settings.Contact);
        MapBonds(b);
    }

    private void RequireBondLaw(List<string> problems)
    {
        if (Settings.Contact.Bond == "none")
        {
            problems.Add("contact.Bond = 'none': select a bond law (e.g. 'parallel') to form bonds");
        }
    }

    private void MapBonds(BondList b)
    {
        var max = 0;
        for (var i = 0; i < N; i++)
        {
            max = Math.Max(max, Id[i]);
        }

        if (_idToIndex.Length < max + 1)
        {
            _idToIndex = new int[max + 1];
        }

        Array.Fill(_idToIndex, -1);
        for (var i = 0; i < N; i++)
        {
            _idToIndex[Id[i]] = i;
        }

        for (var k = 0; k < b.Count; k++)
        {
            var i = b.IdI[k] < _idToIndex.Length ? _idToIndex[b.IdI[k]] : -1;
            var j = b.IdJ[k] < _idToIndex.Length ? _idToIndex[b.IdJ[k]] : -1;
            if (i < 0 || j < 0)
            {
                // a removed particle takes its bonds with it
                if (!b.Broken[k])
                {
                    b.Broken[k] = true;
                    b.BrokenCount++;
                }

                b.I[k] = b.J[k] = 0;
                continue;
            }

            b.I[k] = i;
            b.J[k] = j;
        }

        b.MappedBuild = Builds;
    }

    /// <summary>Each bond's normal and rotational periods against the time step (the contact guard does not see bonds).</summary>
    private List<string> BondStepProblems(BondList b)
    {
        var problems = new List<string>();
        var map = new Dictionary<int, int>();
        for (var i = 0; i < N; i++)
        {
            map[Id[i]] = i;
        }

        double worst = 0;
        var worstBond = -1;
        for (var k = 0; k < b.Count; k++)
        {
            if (!map.TryGetValue(b.IdI[k], out var i) || !map.TryGetValue(b.IdJ[k], out var j))
            {
                continue;
            }

            var area = Math.PI * b.Rb[k] * b.Rb[k];
            var mstar = Mass[i] * Mass[j] / (Mass[i] + Mass[j]);
            var tn = 2 * Math.PI * Math.Sqrt(mstar / (b.Kn[k] * area));
            double ii = 1 / InvInertia[i], ij = 1 / InvInertia[j];
            var krot = b.Ks[k] * area * Math.Max(Radius[i], Radius[j]) * Math.Max(Radius[i], Radius[j]) + b.Kn[k] * 0.25 * area * b.Rb[k] * b.Rb[k];
            var tr = 2 * Math.PI * Math.Sqrt(ii * ij / (ii + ij) / krot);
            var fraction = Dt / Math.Min(tn, tr);
            if (fraction > worst)
            {
                (worst, worstBond) = (fraction, k);
            }
        }

        if (worst > MaxBondStepFraction)
        {
            problems.Add($"settings.TimeStep = {Dt:G4} s is {worst:F3} of the period of bond {worstBond} (particles {b.IdI[worstBond]}-{b.IdJ[worstBond]}); at most {MaxBondStepFraction} is stable: lower dt, the bond modulus or its radius");
        }

        return problems;
    }
}
