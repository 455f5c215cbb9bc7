// The electrode's DEM study as a contract message (press to the stack pressure, swell the active material to the
// state of charge), and the study's last stage back as the grain's figures. Pure mapping, no I/O.
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.GrainInterfaces;

namespace DigitalTwin.Twin.Dem;

public static class PackingStudySpec
{
    /// <summary>Names of the two stages, as progress reports them.</summary>
    public const string PressStage = "press";

    public const string SwellStage = "swell";

    /// <summary>
    /// Press a generated packing to <paramref name="pressure"/> [Pa], then ramp the active material's diameter strain
    /// from 0 to <paramref name="diameterStrain"/> [dimensionless] with the plate servo holding the pressure.
    /// Solid-electrolyte cells pack AM with SE particles; liquid cells pack AM alone.
    /// </summary>
    public static StudySpec Build(PackingStudyOptions o, double pressure, bool solidElectrolyte, double diameterStrain, string label)
    {
        ArgumentNullException.ThrowIfNull(o);
        var c = new CompactionStudy
        {
            WallMaterial = Material(o.Wall),
            Generate = new GeneratedPacking { ParticleCount = (uint)o.ParticleCount, LateralSize = o.LateralSize, InitialSolidFraction = o.InitialSolidFraction },
            ContactModel = new ContactModel { Normal = "hertz", Damping = "restitution", Tangential = "mindlin_history", Cohesion = "none", Rolling = "none" },
            TimeStep = o.TimeStep,
        };
        c.ParticleTypes.Add(Type(o.ActiveMaterial, true, solidElectrolyte ? o.ActiveMaterial.MassFraction : 1.0));
        if (solidElectrolyte)
        {
            c.ParticleTypes.Add(Type(o.SolidElectrolyte, false, o.SolidElectrolyte.MassFraction));
        }

        c.Stages.Add(new CompactionStage { Name = PressStage, Uniaxial = new UniaxialPressing { TargetPressure = pressure, MaxPlateSpeed = o.PlateSpeed } });
        var schedule = new SwellingSchedule();
        schedule.Time.Add([0, o.SwellingTime]);
        schedule.DiameterStrain.Add([0, diameterStrain]);
        c.Stages.Add(new CompactionStage { Name = SwellStage, Schedule = schedule });
        return new StudySpec { Compaction = c, Seed = o.Seed, Threads = o.Threads, Label = label };
    }

    /// <summary>The figures of a finished packing stage; AM–SE numbers are NaN/0 for an AM-only packing.</summary>
    public static PackingSnapshot Figures(PackingResult r, IReadOnlyList<ParticleType> types, string studyId, long finishedNs, int cycle, string trigger, double strain)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(types);
        var figures = new List<PackingTypeFigures>();
        for (var t = 0; t < types.Count; t++)
        {
            var s = r.TypeStresses.FirstOrDefault(x => x.TypeIndex == t && x.Definition == StressDefinition.LoveWeber);
            figures.Add(new PackingTypeFigures(types[t].Name, types[t].ActiveMaterial,
                s?.Zz?.VolumeWeightedMean ?? double.NaN, s?.Zz?.P95 ?? double.NaN,
                s is null ? double.NaN : ((s.Xx?.VolumeWeightedMean ?? double.NaN) + (s.Yy?.VolumeWeightedMean ?? double.NaN) + (s.Zz?.VolumeWeightedMean ?? double.NaN)) / 3,
                Coordination(r, t)));
        }

        var active = types.Select((t, k) => (t, k)).FirstOrDefault(x => x.t.ActiveMaterial).k;
        var electrolyte = types.Count > 1 ? (active == 0 ? 1 : 0) : -1;
        var amSe = electrolyte < 0 ? null : r.Contacts.FirstOrDefault(p => p.TypeA == Math.Min(active, electrolyte) && p.TypeB == Math.Max(active, electrolyte));
        var amCount = Count(r, active);
        return new PackingSnapshot(studyId, finishedNs, cycle, trigger, strain, r.SolidFraction, r.Height, r.PlatePressure, r.MeanCoordination,
            figures.Count > active ? figures[active].StressZz : double.NaN, figures,
            (long)r.Contacts.Aggregate(0UL, (sum, p) => sum + p.Contacts),
            (long)(amSe?.Contacts ?? 0), amSe is null || !(amCount > 0) ? double.NaN : amSe.Contacts / amCount,
            double.NaN, double.NaN);
    }

    /// <summary>
    /// The grain's derived numbers: AM–SE contact loss against the electrode's first study, and the AM packing stress
    /// over the weakest particle class's fracture strength (NaN when there is nothing to compare with).
    /// </summary>
    public static PackingSnapshot WithComparisons(PackingSnapshot s, PackingSnapshot? first, double weakestStrength) => s with
    {
        AmSeContactLoss = first is { AmSeCoordination: > 0 } f && double.IsFinite(s.AmSeCoordination) ? 1 - (s.AmSeCoordination / f.AmSeCoordination) : double.NaN,
        StressToStrengthRatio = weakestStrength > 0 && double.IsFinite(s.ActiveMaterialStressZz) ? s.ActiveMaterialStressZz / weakestStrength : double.NaN,
    };

    /// <summary>Particles of type <paramref name="type"/>, recovered from a pair's count and mean coordination [count].</summary>
    private static double Count(PackingResult r, int type)
    {
        foreach (var p in r.Contacts.Where(p => p.TypeA == type && p.Coordination > 0))
        {
            return (p.TypeB == type ? 2.0 : 1.0) * p.Contacts / p.Coordination;
        }

        return double.NaN;
    }

    /// <summary>Contacts per particle of one type, with every other type and the walls [dimensionless].</summary>
    private static double Coordination(PackingResult r, int type)
    {
        var n = Count(r, type);
        if (!(n > 0))
        {
            return double.NaN;
        }

        var ends = r.Contacts.Sum(p => (p.TypeA == type ? (double)p.Contacts : 0) + (p.TypeB == type ? (double)p.Contacts : 0));
        return ends / n;
    }

    private static Material Material(PackingMaterial m) => new()
    {
        YoungsModulus = m.YoungsModulus, PoissonRatio = m.PoissonRatio, Density = m.Density, Restitution = m.Restitution, Friction = m.Friction,
    };

    private static ParticleType Type(PackingMaterial m, bool active, double massFraction) => new()
    {
        Name = m.Name, Material = Material(m), MinRadius = m.MinRadius, MaxRadius = m.MaxRadius, MassFraction = massFraction, ActiveMaterial = active,
    };
}
