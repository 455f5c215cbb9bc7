// Contract messages <-> DEM library inputs and results. Pair properties of two types are the mean of
// their materials' values (equal materials: exactly those values). Law names accept the contract's aliases.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.Physics.Dem;
using DigitalTwin.Physics.Dem.Contact;
using Lib = DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Services.Dem;

internal static class SpecMapping
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["restitution"] = "viscous", ["mindlin_history"] = "history", ["mindlin"] = "history",
    };

    public static (MaterialTable Table, List<string> Problems) Materials(IList<ParticleType> types, Material? wall)
    {
        var problems = new List<string>();
        if (types.Count == 0)
        {
            problems.Add("particle_types: at least one type is required");
        }

        if (wall is null)
        {
            problems.Add("wall_material: required");
        }

        var all = types.Select(t => t.Material ?? new Material()).Append(wall ?? new Material()).ToList();
        var names = types.Select((t, k) => t.Name.Length > 0 ? t.Name : $"type{k}").Append("wall").ToList();
        for (var k = 0; k < all.Count; k++)
        {
            if (!(all[k].Density > 0) && k < types.Count)
            {
                problems.Add($"particle_types[{k}] ({names[k]}).material.density = {all[k].Density} kg.m-3: must be > 0");
            }
        }

        try
        {
            var table = new MaterialTable(
                all.Select((m, k) => new DemMaterial(names[k], m.YoungsModulus, m.PoissonRatio)).ToList(),
                (a, b) => new DemPairProperties(
                    0.5 * (all[a].Restitution + all[b].Restitution), 0.5 * (all[a].Friction + all[b].Friction),
                    0.5 * (all[a].CohesionEnergyDensity + all[b].CohesionEnergyDensity), 0.5 * (all[a].RollingFriction + all[b].RollingFriction)));
            return (table, problems);
        }
        catch (DemInputException e)
        {
            problems.AddRange(e.Problems);
            return (null!, problems);
        }
    }

    public static ContactModelOptions Contact(ContactModel? m, List<string> problems)
    {
        string Name(string? v, string fallback) => string.IsNullOrEmpty(v) ? fallback : Aliases.GetValueOrDefault(v, v);
        var o = new ContactModelOptions
        {
            Normal = Name(m?.Normal, "hertz"), Damping = Name(m?.Damping, "viscous"), Tangential = Name(m?.Tangential, "history"),
            Cohesion = Name(m?.Cohesion, "none"), Rolling = Name(m?.Rolling, "none"),
        };
        problems.AddRange(ContactLawRegistry.Validate(o).Select(p => "contact_model." + p["contact.".Length..]));
        return o;
    }

    public static (Lib.Packing Packing, double Footprint, double H0) Packing(CompactionStudy c, ulong seed)
    {
        if (c.PackingCase == CompactionStudy.PackingOneofCase.Generate)
        {
            var g = c.Generate;
            var types = c.ParticleTypes.Select((t, k) => new Lib.PackingGenerator.MixtureType(k, 2 * t.MinRadius, 2 * t.MaxRadius, t.Material?.Density ?? 0, t.MassFraction)).ToList();
            var gen = Lib.PackingGenerator.Generate(types, (int)g.ParticleCount, g.LateralSize, g.InitialSolidFraction > 0 ? g.InitialSolidFraction : 0.40, seed);
            return (gen.Packing, gen.FootprintM, gen.HeightM);
        }

        if (c.PackingCase != CompactionStudy.PackingOneofCase.Initial)
        {
            throw new DemInputException(["compaction.packing: generate or initial is required"]);
        }

        var s = c.Initial;
        var problems = new List<string>();
        var n = s.Id.Count;
        if (s.TypeIndex.Count != n || s.Radius.Count != n || s.Position.Count != 3 * n)
        {
            problems.Add($"compaction.initial: {n} ids need as many type_index and radius entries and 3 positions each");
        }

        if (s.Box is null || !(s.Box.SizeX > 0 && s.Box.SizeY > 0 && s.Box.SizeZ > 0) || !s.Box.PeriodicX || !s.Box.PeriodicY || s.Box.PeriodicZ)
        {
            problems.Add("compaction.initial.box: sizes > 0, periodic in x and y, not in z (plates) are required");
        }

        for (var i = 0; i < Math.Min(n, s.TypeIndex.Count); i++)
        {
            if (s.TypeIndex[i] >= c.ParticleTypes.Count)
            {
                problems.Add($"compaction.initial: particle {s.Id[i]} has type_index {s.TypeIndex[i]}, beyond the {c.ParticleTypes.Count} particle types");
            }
        }

        DemInputException.ThrowIfAny(problems);
        var rho = Enumerable.Range(0, n).Select(i => c.ParticleTypes[(int)s.TypeIndex[i]].Material?.Density ?? 0).ToArray();
        var p = new Lib.Packing(s.Id.Select(v => (int)v).ToArray(), s.TypeIndex.Select(v => (int)v).ToArray(), s.Radius.ToArray(), rho,
            Enumerable.Range(0, n).Select(i => s.Position[3 * i]).ToArray(), Enumerable.Range(0, n).Select(i => s.Position[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => s.Position[3 * i + 2]).ToArray());
        if (Math.Abs(s.Box!.SizeX - s.Box.SizeY) > 1e-12 * s.Box.SizeX)
        {
            throw new DemInputException([$"compaction.initial.box: size_x {s.Box.SizeX} and size_y {s.Box.SizeY} must be equal (square footprint)"]);
        }

        return (p, s.Box.SizeX, s.Box.SizeZ);
    }

    /// <summary>13 % of the smallest Rayleigh time (the peer deck's choice).</summary>
    public static double ChooseTimeStep(Lib.Packing p, MaterialTable m, List<Diagnostic> warnings)
    {
        var tr = Enumerable.Range(0, p.Count).Min(i =>
            TimeStepGuard.RayleighTime(p.Radius[i], p.Density[i], m.ShearModulus(p.Type[i]), m.Materials[p.Type[i]].PoissonRatio));
        var dt = 0.13 * tr;
        warnings.Add(new Diagnostic { Severity = Severity.Info, Code = "time_step_chosen", Message = $"time step {dt:G4} s = 13 % of the smallest Rayleigh time {tr:G4} s", Field = "time_step" });
        return dt;
    }

    public static PackingResult Packing(Lib.StageResult r, int types)
    {
        var rep = r.Report;
        var st = r.Stress!;
        var snap = r.Snapshot;
        var res = new PackingResult
        {
            SolidFraction = rep.SolidFraction, Height = rep.ExtentM[2], MeanCoordination = rep.MeanCoordination, StaticIdentityRatio = rep.IdentityRatio,
            PlatePressure = rep.WallPressurePa.TryGetValue("top", out var top) ? top : rep.WallPressurePa.GetValueOrDefault("z-hi"),
        };
        for (var t = 0; t < types; t++)
        {
            var idx = Enumerable.Range(0, snap.Id.Length).Where(i => snap.Type[i] == t).ToArray();
            if (idx.Length == 0)
            {
                continue;
            }

            foreach (var (def, data) in new[] { (StressDefinition.LoveWeber, st.LoveWeber), (StressDefinition.Split, st.Split) })
            {
                var ts = new TypeStress { TypeIndex = (uint)t, TypeName = rep.Types.FirstOrDefault(g => g.Count == idx.Length)?.Type ?? $"type{t}", Definition = def };
                var axes = Enumerable.Range(0, 3).Select(a =>
                {
                    var v = idx.Select(i => data[6 * i + a]).ToArray();
                    var w = idx.Select(i => st.Volume[i]).ToArray();
                    var sorted = v.Order().ToArray();
                    return new AxisStress
                    {
                        VolumeWeightedMean = v.Zip(w, (x, y) => x * y).Sum() / w.Sum(), NumberMean = v.Average(),
                        P05 = Pct(sorted, 0.05), P50 = Pct(sorted, 0.5), P95 = Pct(sorted, 0.95),
                    };
                }).ToArray();
                (ts.Xx, ts.Yy, ts.Zz) = (axes[0], axes[1], axes[2]);
                res.TypeStresses.Add(ts);
            }

            foreach (var (def, pick) in new[] { (StressDefinition.LoveWeber, (Func<Lib.PackingReportBin, double>)(b => b.Lw)), (StressDefinition.Split, b => b.Split) })
            {
                res.StressVsHeight.Add(Bins(def, t, rep.StressVsDepth.Where(b => b.Type == rep.Types[Math.Min(t, rep.Types.Count - 1)].Type), pick, 1.0));
                res.StressVsRadius.Add(Bins(def, t, rep.StressVsRadius.Where(b => b.Type == rep.Types[Math.Min(t, rep.Types.Count - 1)].Type), pick, 0.5));
            }
        }

        var nt = (int)Math.Sqrt(st.PairContacts.Length);
        for (var a = 0; a < Math.Min(types, nt); a++)
        {
            var na = snap.Type.Count(x => x == a);
            for (var b = a; b < Math.Min(types, nt); b++)
            {
                var n = st.PairContacts[a * nt + b];
                res.Contacts.Add(new PairContacts { TypeA = (uint)a, TypeB = b, Contacts = (ulong)n, Coordination = na > 0 ? (a == b ? 2.0 * n : n) / na : 0 });
            }

            var wall = Enumerable.Range(0, snap.Id.Length).Where(i => snap.Type[i] == a).Sum(i => st.WallContacts[i]);
            res.Contacts.Add(new PairContacts { TypeA = (uint)a, TypeB = -1, Contacts = (ulong)wall, Coordination = na > 0 ? wall / (double)na : 0 });
        }

        return res;
    }

    private static BinnedStress Bins(StressDefinition def, int type, IEnumerable<DigitalTwin.Physics.Dem.Computes.StressBin> bins, Func<Lib.PackingReportBin, double> pick, double scale)
    {
        var b = new BinnedStress { Definition = def, TypeIndex = type };
        foreach (var x in bins)
        {
            b.Lower.Add(x.Lo * scale);
            b.Upper.Add(x.Hi * scale);
            b.StressZz.Add(pick(new Lib.PackingReportBin(x.MeanStressPa[2], x.MeanStressSplitPa[2])));
            b.Count.Add((uint)x.Count);
        }

        return b;
    }

    private static double Pct(double[] sorted, double q)
    {
        var x = q * (sorted.Length - 1);
        var k = (int)Math.Floor(x);
        return k + 1 < sorted.Length ? sorted[k] + (x - k) * (sorted[k + 1] - sorted[k]) : sorted[k];
    }

    public static Lib.ParticleSnapshot Snapshot(ParticleSet s, List<string> problems)
    {
        var n = s.Id.Count;
        if (s.TypeIndex.Count != n || s.Radius.Count != n || s.Position.Count != 3 * n || s.Box is null)
        {
            problems.Add("transport.particles: box, and per id a type_index, a radius and 3 positions are required");
            return new Lib.ParticleSnapshot([], [], [], [], [], [], [], [], [], [0, 0, 0], [1, 1, 1], [true, true, false]);
        }

        return new Lib.ParticleSnapshot(s.Id.Select(v => (int)v).ToArray(), s.TypeIndex.Select(v => (int)v).ToArray(), s.Radius.ToArray(),
            Enumerable.Range(0, n).Select(i => s.Position[3 * i]).ToArray(), Enumerable.Range(0, n).Select(i => s.Position[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => s.Position[3 * i + 2]).ToArray(), new double[n], new double[n], new double[n],
            [0, 0, 0], [s.Box.SizeX, s.Box.SizeY, s.Box.SizeZ], [s.Box.PeriodicX, s.Box.PeriodicY, s.Box.PeriodicZ]);
    }

    public static PhaseTransport Phase(DigitalTwin.Physics.Dem.Transport.TransportResult r) => new()
    {
        VolumeFraction = r.PhaseFraction, PercolatingFraction = r.PercolatingFraction, EffectiveRatio = r.EffectiveRatio,
        TortuosityFactor = r.TortuosityFactor, Iterations = (uint)r.Iterations, RelativeResidual = r.RelativeResidual,
    };

    public static Lib.CrushOptions Crush(StudySpec spec, List<Diagnostic> warnings)
    {
        var c = spec.Crush;
        var p = Lib.CrushParameters.Default;
        var problems = new List<string>();
        if (c.Environment == ElectrolyteKind.Unspecified)
        {
            problems.Add("crush.environment: liquid or solid is required");
        }

        Material g = c.GrainMaterial ?? new Material { YoungsModulus = p.GrainE, PoissonRatio = p.GrainNu, Density = p.GrainRho, Restitution = p.Restitution, Friction = p.Friction };
        if (!(g.YoungsModulus > 0 && g.Density > 0 && g.Restitution > 0 && g.Restitution <= 1 && g.Friction >= 0))
        {
            problems.Add("crush.grain_material: youngs_modulus > 0, density > 0, restitution in (0, 1], friction >= 0 are required");
        }

        DemInputException.ThrowIfAny(problems);
        var se = c.ElectrolyteMaterial;
        var parameters = p with
        {
            GrainE = g.YoungsModulus, GrainNu = g.PoissonRatio, GrainRho = g.Density, Restitution = g.Restitution, Friction = g.Friction,
            GrainRadius = c.GrainRadius > 0 ? c.GrainRadius : p.GrainRadius, SecondaryRadius = c.ParticleRadius > 0 ? c.ParticleRadius : p.SecondaryRadius,
            SeE = se?.YoungsModulus > 0 ? se.YoungsModulus : p.SeE, SeRho = se?.Density > 0 ? se.Density : p.SeRho,
            SeRadius = c.ElectrolyteParticleRadius > 0 ? c.ElectrolyteParticleRadius : p.SeRadius,
            VolumeStrain = c.SwellingStrain > 0 ? 1 - Math.Pow(1 - c.SwellingStrain, 3) : p.VolumeStrain,
            PunchSpeed = c.PlatenSpeed > 0 ? c.PlatenSpeed : p.PunchSpeed,
        };
        if (c.TimeStep > 0 || c.ContactModel is not null)
        {
            warnings.Add(new Diagnostic { Severity = Severity.Warning, Code = "crush_fixed_model", Message = "the crush test uses Hertz-Mindlin grains held by parallel bonds (the parameter set's time step); time_step and contact_model are not used" });
        }

        return new Lib.CrushOptions
        {
            Environment = c.Environment == ElectrolyteKind.Solid ? Lib.CrushEnvironment.Solid : Lib.CrushEnvironment.Liquid,
            Cycles = (int)c.PreCycles, Seed = spec.Seed == 0 ? 1 : spec.Seed, Threads = spec.Threads == 0 ? Environment.ProcessorCount : (int)spec.Threads,
            CohesionEnergyDensity = g.CohesionEnergyDensity > 0 ? g.CohesionEnergyDensity : null, Parameters = parameters,
            // a cohesion energy density asks for the SJKR model; otherwise the grains are bonded (parallel bonds)
            Model = g.CohesionEnergyDensity > 0 ? Lib.CrushModel.Sjkr : Lib.CrushModel.Bonded,
        };
    }
}
