// Study 3 (seed 000): a secondary particle as primary grains held by irreversible parallel bonds (default) or by
// SJKR cohesion, optionally cycled by grain swelling/shrinking in a liquid (Stokes-drag surrogate) or embedded in
// SE spheres, then crushed between flat platens: force-displacement curve, fracture force, Hiramatsu-Oka strength
// 0.7 F/(pi R^2). A series crushes copies of one aggregate after increasing cycle counts (strength vs cycles).
using System.Text.Json;
using DigitalTwin.Physics.Dem.Computes;

namespace DigitalTwin.Physics.Dem.Studies;

public enum CrushEnvironment
{
    Liquid,
    Solid,
}

/// <summary>What holds the grains together: bonds formed once that break for good, or SJKR cohesion that re-forms on contact.</summary>
public enum CrushModel
{
    Bonded,
    Sjkr,
}

public sealed record CrushOptions
{
    public CrushModel Model { get; init; } = CrushModel.Bonded;

    /// <summary>Aggregates (seeds Seed, Seed+1, ...) whose mean pristine strength the bond calibration matches.</summary>
    public int CalibrationSeeds { get; init; } = 1;

    /// <summary>Mean bond tensile strength [Pa] (shear strength scales with it); null takes the calibrated parameter set value.</summary>
    public double? BondTensileStrength { get; init; }

    public CrushEnvironment Environment { get; init; } = CrushEnvironment.Liquid;

    public int Cycles { get; init; }

    public ulong Seed { get; init; } = 1;

    public int Threads { get; init; } = System.Environment.ProcessorCount;

    /// <summary>SJKR cohesion energy density between grains [J/m3]; null takes the calibrated value of the parameter set.</summary>
    public double? CohesionEnergyDensity { get; init; }

    /// <summary>Load drop (fraction of the peak) that marks fracture.</summary>
    public double FractureDrop { get; init; } = 0.2;

    /// <summary>Largest platen travel, as a fraction of the secondary diameter.</summary>
    public double MaxStrain { get; init; } = 0.3;

    public CrushParameters Parameters { get; init; } = CrushParameters.Default;
}

public sealed record CrushProgress(string Stage, double Fraction, string Message);

/// <summary>One calibration point: the parameter value and the pristine strengths of every seed [Pa] with their mean,
/// sample standard deviation and standard error of the mean (sd / sqrt(seeds)).</summary>
public sealed record CrushCalibrationStep(double Value, double MeanPa, double SdPa, double[] ValuesPa, IReadOnlyList<CrushResult> Runs)
{
    public double StandardErrorPa => SdPa / Math.Sqrt(ValuesPa.Length);

    public static CrushCalibrationStep Of(double value, IReadOnlyList<CrushResult> runs)
    {
        var v = runs.Select(r => r.StrengthPa).ToArray();
        var mean = v.Average();
        var sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new CrushCalibrationStep(value, mean, sd, v, runs);
    }
}

/// <summary>A calibration: the chosen value (the evaluated point nearest the target), the target and every step.</summary>
public sealed record CrushCalibration(double Value, double TargetPa, CrushCalibrationStep Best, IReadOnlyList<CrushCalibrationStep> Steps);

public sealed record CrushResult(
    CrushEnvironment Environment,
    int Cycles,
    int Grains,
    double SecondaryRadiusM,
    double CohesionEnergyDensity,
    double IntactContactFraction,
    double FractureForceN,
    double FractureDisplacementM,
    double StrengthPa,
    bool Fractured,
    double[] Displacement,
    double[] Force)
{
    /// <summary>Grain-grain contacts (SJKR) or bonds lost between the pristine aggregate and the crush test.</summary>
    public int BrokenBonds { get; init; }

    /// <summary>Bonds formed in the pristine aggregate (0 for SJKR).</summary>
    public int BondsFormed { get; init; }

    /// <summary>Mean bond tensile strength of the run [Pa] (0 for SJKR).</summary>
    public double BondTensileStrengthPa { get; init; }
}

/// <summary>The bonded-grain set: the parallel bond, the low-stress packing it is formed in (PFC practice: bonds
/// installed at low locked-in stress), an optional weak SJKR between debonded grains, and the grain-to-grain scatter
/// of the swelling strain (anisotropic lattice change of randomly oriented grains, lumped into classes).</summary>
public sealed record CrushBondParameters(
    Contact.Bonds.BondParameters Bond, double PackingPressure, double WeakCohesion, double SwellingMismatch, int GrainClasses, double RayleighFraction);

/// <summary>The crush parameter set (embedded JSON with provenance).</summary>
public sealed record CrushParameters(
    double GrainE, double GrainNu, double GrainRho, double GrainRadius, double GrainSpread,
    double SecondaryRadius, double PackingPressure,
    double SeE, double SeNu, double SeRho, double SeRadius, double ConfiningPressure,
    double Viscosity, double Restitution, double Friction, double Cohesion, double VolumeStrain,
    double RayleighFraction, double PunchSpeed, double Skin)
{
    public static CrushParameters Default { get; } = Load("Crush2026_NMC_secondary");

    /// <summary>Bonded-grain parameters (the default model).</summary>
    public required CrushBondParameters Bonded { get; init; }

    public static CrushParameters Load(string name)
    {
        using var stream = typeof(CrushParameters).Assembly.GetManifestResourceStream($"DigitalTwin.Physics.Dem.Parameters.{name}.json")
            ?? throw new DemInputException([$"parameter set '{name}' is not embedded"]);
        using var d = JsonDocument.Parse(stream);
        var r = d.RootElement;
        double G(string a, string b) => r.GetProperty(a).GetProperty(b).GetDouble();
        var bond = new Contact.Bonds.BondParameters
        {
            Modulus = G("bond", "modulusPa"), StiffnessRatio = G("bond", "stiffnessRatio"), RadiusMultiplier = G("bond", "radiusMultiplier"),
            TensileStrength = G("bond", "tensileStrengthPa"), ShearStrength = G("bond", "tensileStrengthPa") * G("bond", "shearToTensile"),
            StrengthSpread = G("bond", "strengthSpread"), DampingRatio = G("bond", "dampingRatio"), FormationGap = G("bond", "formationGap"),
        };
        var bonded = new CrushBondParameters(bond, G("bond", "packingPressurePa"), G("bond", "weakCohesionJM3"), G("bond", "swellingMismatch"),
            (int)G("bond", "grainClasses"), G("bond", "rayleighFraction"));
        return new CrushParameters(
            G("grain", "youngsModulusPa"), G("grain", "poissonRatio"), G("grain", "densityKgM3"), G("grain", "meanRadiusM"), G("grain", "radiusSpread"),
            G("secondary", "radiusM"), G("secondary", "packingPressurePa"),
            G("electrolyte", "youngsModulusPa"), G("electrolyte", "poissonRatio"), G("electrolyte", "densityKgM3"), G("electrolyte", "radiusM"), G("electrolyte", "confiningPressurePa"),
            G("liquid", "viscosityPaS"), G("contact", "restitution"), G("contact", "friction"), G("cohesion", "energyDensityJM3"), G("cycling", "volumeStrain"),
            G("numerics", "rayleighFraction"), G("numerics", "punchSpeedMS"), G("numerics", "skinM"))
        { Bonded = bonded };
    }
}

public static class CrushStudy
{
    private const int Grain = 0;
    private const int Electrolyte = 1;
    private const int Steel = 2;

    /// <summary>Hiramatsu-Oka tensile strength sigma = kappa F / (pi R^2), kappa = 0.7 (seed 000 §2.1).</summary>
    public static double HiramatsuOka(double force, double radius) => 0.7 * force / (Math.PI * radius * radius);

    public static CrushResult Run(CrushOptions o, IProgress<CrushProgress>? progress = null, CancellationToken ct = default) =>
        RunSeries(o, [o.Cycles], progress, ct)[0];

    /// <summary>One aggregate, cycled once through the largest count and crushed (as a copy) after each listed count:
    /// the strength-vs-cycles curve of one specimen (seed 000 Fig. 3e,f reduce their DEM the same way).</summary>
    public static IReadOnlyList<CrushResult> RunSeries(CrushOptions o, IReadOnlyList<int> cycleCounts, IProgress<CrushProgress>? progress = null, CancellationToken ct = default)
    {
        var problems = new List<string>();
        if (cycleCounts.Count == 0 || cycleCounts.Any(c => c < 0) || cycleCounts.Zip(cycleCounts.Skip(1)).Any(q => q.Second <= q.First))
        {
            problems.Add($"crush: cycle counts [{string.Join(", ", cycleCounts)}] must be >= 0 and strictly increasing");
        }

        var p = o.Parameters;
        var bonded = o.Model == CrushModel.Bonded;
        if (bonded)
        {
            problems.AddRange(Bond(o).Validate());
            if (p.Bonded.GrainClasses < 1 || !(p.Bonded.SwellingMismatch >= 0 && p.Bonded.SwellingMismatch <= 1))
            {
                problems.Add($"bond: grainClasses = {p.Bonded.GrainClasses} must be >= 1 and swellingMismatch = {p.Bonded.SwellingMismatch} in [0, 1]");
            }
        }

        DemInputException.ThrowIfAny(problems);
        var k = bonded ? p.Bonded.WeakCohesion : o.CohesionEnergyDensity ?? p.Cohesion;
        var materials = Materials(p, k);
        var dt = Dt(p, bonded);
        var results = new List<CrushResult>();
        using var aggregate = Aggregate(o, materials, dt, progress, ct);
        var before = bonded ? aggregate.BondCount : CohesiveContacts(aggregate);
        var n = aggregate.ParticleCount;
        if (cycleCounts[0] == 0)
        {
            results.Add(Crush(aggregate, n, 0, before, o, materials, dt, k, progress, ct));
        }

        var last = cycleCounts[^1];
        if (last > 0)
        {
            using var s = CycleSystem(aggregate, o, materials, dt);
            for (var c = 1; c <= last; c++)
            {
                OneCycle(s, o);
                progress?.Report(new CrushProgress("cycle", c / (double)last, $"cycle {c} of {last} ({o.Environment}), intact bonds {s.IntactBondCount}"));
                if (cycleCounts.Contains(c))
                {
                    results.Add(Crush(s, n, c, before, o, materials, dt, k, progress, ct));
                }
            }
        }

        return results;
    }

    /// <summary>The pristine strength matched to the target within 2 %: bisection in log k on the SJKR cohesion, or a
    /// secant in log-log on the bond tensile strength (strength grows about linearly with it). Returns k or sigma_c.</summary>
    public static double Calibrate(CrushOptions o, double targetStrength, IProgress<CrushProgress>? progress = null, CancellationToken ct = default)
    {
        return o.Model == CrushModel.Bonded ? CalibrateBond(o, targetStrength, progress, ct) : CalibrateSjkr(o, targetStrength, progress, ct);
    }

    /// <summary>The bond calibration with every evaluated point (mean, sd and standard error over CalibrationSeeds
    /// aggregates seed, seed+1, ...); the value is the point whose mean lies nearest the target.</summary>
    public static CrushCalibration CalibrateBondStrength(CrushOptions o, double targetStrength, IProgress<CrushProgress>? progress = null,
        Action<CrushCalibrationStep>? step = null, CancellationToken ct = default)
    {
        if (o.Model != CrushModel.Bonded)
        {
            throw new DemInputException([$"crush: bond calibration needs the bonded model, not {o.Model}"]);
        }

        const int maxSteps = 10;
        var seeds = Math.Max(1, o.CalibrationSeeds);
        var steps = new List<CrushCalibrationStep>();
        double lo = double.NaN, loMean = double.NaN, hi = double.NaN, hiMean = double.NaN;
        var sigma = o.BondTensileStrength ?? o.Parameters.Bonded.Bond.TensileStrength;
        for (var it = 0; it < maxSteps; it++)
        {
            var runs = new CrushResult[seeds];
            for (var k = 0; k < seeds; k++)
            {
                runs[k] = Run(o with { Cycles = 0, BondTensileStrength = sigma, Seed = o.Seed + (ulong)k }, null, ct);
                progress?.Report(new CrushProgress("calibrate", (it + (k + 1.0) / seeds) / maxSteps,
                    $"sigma_c = {sigma / 1e6:F0} MPa, seed {o.Seed + (ulong)k}: {runs[k].StrengthPa / 1e6:F1} MPa"));
            }

            var s = CrushCalibrationStep.Of(sigma, runs);
            steps.Add(s);
            step?.Invoke(s);
            if (Math.Abs(s.MeanPa / targetStrength - 1) < 0.02)
            {
                break;
            }

            if (s.MeanPa < targetStrength)
            {
                (lo, loMean) = (sigma, s.MeanPa);
            }
            else
            {
                (hi, hiMean) = (sigma, s.MeanPa);
            }

            // unbracketed: the strength is about proportional to sigma_c (one secant step through the origin); bracketed:
            // secant in log-log kept inside the middle 80 % of the bracket (the mean is a step function: bisection guards it)
            if (double.IsNaN(lo) || double.IsNaN(hi))
            {
                sigma *= Math.Clamp(targetStrength / s.MeanPa, 0.5, 2.0);
                continue;
            }

            if (hi / lo < 1.002)
            {
                break;
            }

            var t = Math.Log(targetStrength / loMean) / Math.Log(hiMean / loMean);
            sigma = lo * Math.Pow(hi / lo, Math.Clamp(double.IsFinite(t) ? t : 0.5, 0.1, 0.9));
        }

        var best = steps.MinBy(x => Math.Abs(x.MeanPa - targetStrength))!;
        return new CrushCalibration(best.Value, targetStrength, best, steps);
    }

    /// <summary>Secant/bisection in log sigma_c on the mean pristine strength over CalibrationSeeds aggregates: one
    /// aggregate's strength jumps where a local failure first drops the load by the fracture margin, the mean is smoother.</summary>
    private static double CalibrateBond(CrushOptions o, double targetStrength, IProgress<CrushProgress>? progress, CancellationToken ct) =>
        CalibrateBondStrength(o, targetStrength, progress, null, ct).Value;

    private static double CalibrateSjkr(CrushOptions o, double targetStrength, IProgress<CrushProgress>? progress, CancellationToken ct)
    {
        // above ~2e10 J/m3 the SJKR resting overlap passes half a grain radius and the aggregate press diverges
        // (seed 1: 1.9e10 -> 1346 MPa, 3.2e10 blows up), far above any realistic target
        double lo = 1e8, hi = 2e10;
        var k = o.CohesionEnergyDensity ?? o.Parameters.Cohesion;
        for (var it = 0; it < 14; it++)
        {
            var r = Run(o with { Cycles = 0, CohesionEnergyDensity = k }, null, ct);
            progress?.Report(new CrushProgress("calibrate", (it + 1) / 14.0, $"k = {k:G4} J/m3 -> {r.StrengthPa / 1e6:F1} MPa"));
            if (Math.Abs(r.StrengthPa / targetStrength - 1) < 0.02)
            {
                return k;
            }

            if (r.StrengthPa < targetStrength)
            {
                lo = k;
            }
            else
            {
                hi = k;
            }

            k = Math.Sqrt(lo * hi);
        }

        return k;
    }

    /// <summary>The bond of a run: the parameter set's, at the requested mean strength (shear scaled alike), seeded by the run.</summary>
    private static Contact.Bonds.BondParameters Bond(CrushOptions o)
    {
        var b = o.Parameters.Bonded.Bond;
        var scale = (o.BondTensileStrength ?? b.TensileStrength) / b.TensileStrength;
        return b with { TensileStrength = b.TensileStrength * scale, ShearStrength = b.ShearStrength * scale, Seed = o.Seed ^ 0xB0DDUL };
    }

    /// <summary>A fraction of the smallest grain's Rayleigh time; the bonded set uses its own (stiff bonds need a shorter step).</summary>
    private static double Dt(CrushParameters p, bool bonded)
    {
        var g = p.GrainE / (2 * (1 + p.GrainNu));
        var strain = Math.Min(0.5, p.VolumeStrain * (1 + (bonded ? p.Bonded.SwellingMismatch : 0)));
        var rmin = p.GrainRadius * (1 - p.GrainSpread) * Math.Cbrt(1 - strain);
        return (bonded ? p.Bonded.RayleighFraction : p.RayleighFraction) * TimeStepGuard.RayleighTime(rmin, p.GrainRho, g, p.GrainNu);
    }

    /// <summary>Types: grain class 0, SE, platen, then grain classes 1.. (same material, own swelling schedule).</summary>
    private static int ClassType(int c) => c == 0 ? Grain : Steel + c;

    private static bool IsGrain(int type) => type == Grain || type > Steel;

    /// <summary>Swelling classes of the bonded model; the SJKR model swells every grain alike (as calibrated).</summary>
    private static int Classes(CrushOptions o) => o.Model == CrushModel.Bonded ? Math.Max(1, o.Parameters.Bonded.GrainClasses) : 1;

    private static MaterialTable Materials(CrushParameters p, double k)
    {
        var list = new List<DemMaterial> { new("NMC", p.GrainE, p.GrainNu), new("SE", p.SeE, p.SeNu), new("platen", 210e9, 0.3) };
        for (var c = 1; c < Math.Max(1, p.Bonded.GrainClasses); c++)
        {
            list.Add(new DemMaterial($"NMC-{c}", p.GrainE, p.GrainNu));
        }

        return new MaterialTable(list, (a, b) => new DemPairProperties(p.Restitution, p.Friction, IsGrain(a) && IsGrain(b) ? k : 0));
    }

    private static DemSettings Settings(CrushOptions o, double dt, double damping, double k) => new()
    {
        TimeStep = dt, Skin = o.Parameters.Skin, Threads = o.Threads, InitialOverlapTolerance = double.PositiveInfinity, CharacteristicSpeed = 2,
        Contact = new Contact.ContactModelOptions
        {
            Cohesion = k > 0 ? "sjkr" : "none", Bond = o.Model == CrushModel.Bonded ? "parallel" : "none",
        },
        GlobalDamping = damping,
    };

    /// <summary>Damping rate ~ a fifth of the grain contact frequency: quasi-static relaxation without freezing the dynamics.</summary>
    private static double RelaxRate(double dt) => 0.02 / dt;

    private static DemSystem Aggregate(CrushOptions o, MaterialTable m, double dt, IProgress<CrushProgress>? progress, CancellationToken ct)
    {
        var p = o.Parameters;
        var bonded = o.Model == CrushModel.Bonded;
        var k = bonded ? p.Bonded.WeakCohesion : o.CohesionEnergyDensity ?? p.Cohesion;
        var packing = bonded ? p.Bonded.PackingPressure : p.PackingPressure;
        var rng = new SplitMix64(o.Seed);
        // grains by RSA in a cube 2.3 R_sec wide at solid fraction 0.35, then pressed isostatically
        var edge = 2.3 * p.SecondaryRadius;
        var radii = new List<double>();
        var vol = 0.0;
        while (vol < 0.35 * edge * edge * edge)
        {
            var r = p.GrainRadius * (1 + p.GrainSpread * (2 * rng.NextDouble() - 1));
            radii.Add(r);
            vol += 4.0 / 3.0 * Math.PI * r * r * r;
        }

        var placed = PlaceRandom(radii.OrderByDescending(r => r).ToArray(), edge, rng);
        var n = placed.Count;
        var walls = new List<PlaneWall>();
        for (var a = 0; a < 3; a++)
        {
            walls.Add(new PlaneWall($"{"xyz"[a]}-lo", a, 1, 0, Steel) { Servo = new ServoControl { TargetPressure = packing, VelocityMax = 2.0, Kp = 1.0 } });
            walls.Add(new PlaneWall($"{"xyz"[a]}-hi", a, -1, edge, Steel) { Servo = new ServoControl { TargetPressure = packing, VelocityMax = 2.0, Kp = 1.0 } });
        }

        var box = new DemBox([-edge, -edge, -edge], [2 * edge, 2 * edge, 2 * edge], [false, false, false]);
        var input = new ParticleInput
        {
            X = placed.Select(q => q.X).ToArray(), Y = placed.Select(q => q.Y).ToArray(), Z = placed.Select(q => q.Z).ToArray(),
            Radius = placed.Select(q => q.R).ToArray(), Density = Enumerable.Repeat(p.GrainRho, n).ToArray(), Type = new int[n],
        };
        var press = new DemSystem(m, box, input, walls, Settings(o with { Model = CrushModel.Sjkr }, dt, RelaxRate(dt), k));
        const int chunk = 2000;
        for (var c = 0; c < 60; c++)
        {
            press.Run(chunk, ct);
            var worst = press.Walls.Max(w => Math.Abs(w.Load / (packing * press.FaceArea(w.Axis)) - 1));
            progress?.Report(new CrushProgress("pack", Math.Min(1, (c + 1) / 20.0), $"worst wall error {worst:P0}"));
            if (c >= 5 && worst < 0.05)
            {
                break;
            }
        }

        // carve the sphere around the box centre, remove the walls, relax
        var centre = new double[3];
        for (var a = 0; a < 3; a++)
        {
            centre[a] = 0.5 * (press.Walls[2 * a].Position + press.Walls[2 * a + 1].Position);
        }

        var pos = press.Positions.ToArray();
        var rad = press.Radii.ToArray();
        var keep = Enumerable.Range(0, press.ParticleCount).Where(i =>
        {
            var d2 = 0.0;
            for (var a = 0; a < 3; a++)
            {
                d2 += (pos[3 * i + a] - centre[a]) * (pos[3 * i + a] - centre[a]);
            }

            return Math.Sqrt(d2) + rad[i] <= p.SecondaryRadius;
        }).ToArray();
        var grains = new ParticleInput
        {
            X = keep.Select(i => pos[3 * i] - centre[0]).ToArray(), Y = keep.Select(i => pos[3 * i + 1] - centre[1]).ToArray(),
            Z = keep.Select(i => pos[3 * i + 2] - centre[2]).ToArray(), Radius = keep.Select(i => rad[i]).ToArray(),
            Density = Enumerable.Repeat(p.GrainRho, keep.Length).ToArray(), Type = new int[keep.Length],
        };
        // the shear history of the pressing is not carried over: the carved aggregate starts from its overlaps
        var s3 = 3 * p.SecondaryRadius;
        var agg = new DemSystem(m, new DemBox([-s3, -s3, -s3], [s3, s3, s3], [false, false, false]), grains, [], Settings(o, dt, RelaxRate(dt), k));
        press.Dispose();
        if (bonded)
        {
            // bonds at every contact and near-contact of the carved aggregate, at zero load (PFC: bond the low-stress packing)
            agg.FormBonds(Bond(o), (a, b) => IsGrain(a) && IsGrain(b));
        }

        Relax(agg, progress, "relax", ct);
        return agg;
    }

    private static void Relax(DemSystem s, IProgress<CrushProgress>? progress, string stage, CancellationToken ct)
    {
        for (var c = 0; c < 20; c++)
        {
            s.Run(2000, ct);
            var ke = Monitors.KineticEnergy(s);
            progress?.Report(new CrushProgress(stage, (c + 1) / 20.0, $"kinetic energy {ke:G3} J"));
            if (c >= 3 && ke < 1e-18 * s.ParticleCount)
            {
                break;
            }
        }
    }

    private static int CohesiveContacts(DemSystem s) => ParticleStress.Compute(s).PairContacts[0];

    /// <summary>The aggregate (same ids, bonds adopted) with grain swelling classes, in a liquid or embedded in SE spheres.</summary>
    private static DemSystem CycleSystem(DemSystem aggregate, CrushOptions o, MaterialTable m, double dt)
    {
        var p = o.Parameters;
        var n = aggregate.ParticleCount;
        var pos = aggregate.Positions.ToArray();
        var ids = aggregate.Ids.ToArray().ToList();
        var x = Enumerable.Range(0, n).Select(i => pos[3 * i]).ToList();
        var y = Enumerable.Range(0, n).Select(i => pos[3 * i + 1]).ToList();
        var z = Enumerable.Range(0, n).Select(i => pos[3 * i + 2]).ToList();
        var r = aggregate.Radii.ToArray().ToList();
        // each grain's swelling class, drawn per id so it does not depend on the particle order
        var classes = Classes(o);
        var classRng = new SplitMix64(o.Seed ^ 0xC1A55UL);
        var classOf = new int[ids.Max() + 1];
        for (var id = 1; id < classOf.Length; id++)
        {
            classOf[id] = Math.Min(classes - 1, (int)(classRng.NextDouble() * classes));
        }

        var type = ids.Select(id => ClassType(classOf[id])).ToList();
        var rho = Enumerable.Repeat(p.GrainRho, n).ToList();
        var walls = new List<PlaneWall>();
        DemBox box;
        double damping;
        if (o.Environment == CrushEnvironment.Solid)
        {
            // SE spheres around the aggregate in a cube, held at the confining pressure by six servo walls
            var half = p.SecondaryRadius + 4 * p.SeRadius;
            var rng = new SplitMix64(o.Seed ^ 0x5E5EUL);
            var tries = 0;
            var nextId = ids.Max() + 1;
            while (tries++ < 200_000)
            {
                double cx = (2 * rng.NextDouble() - 1) * (half - p.SeRadius), cy = (2 * rng.NextDouble() - 1) * (half - p.SeRadius), cz = (2 * rng.NextDouble() - 1) * (half - p.SeRadius);
                var ok = true;
                for (var i = 0; i < x.Count && ok; i++)
                {
                    var d2 = (x[i] - cx) * (x[i] - cx) + (y[i] - cy) * (y[i] - cy) + (z[i] - cz) * (z[i] - cz);
                    ok = d2 > (r[i] + p.SeRadius) * (r[i] + p.SeRadius);
                }

                if (ok)
                {
                    x.Add(cx);
                    y.Add(cy);
                    z.Add(cz);
                    r.Add(p.SeRadius);
                    type.Add(Electrolyte);
                    rho.Add(p.SeRho);
                    ids.Add(nextId++);
                }
            }

            for (var a = 0; a < 3; a++)
            {
                walls.Add(new PlaneWall($"{"xyz"[a]}-lo", a, 1, -half, Steel) { Servo = new ServoControl { TargetPressure = p.ConfiningPressure, VelocityMax = 0.5, Kp = 1.0 } });
                walls.Add(new PlaneWall($"{"xyz"[a]}-hi", a, -1, half, Steel) { Servo = new ServoControl { TargetPressure = p.ConfiningPressure, VelocityMax = 0.5, Kp = 1.0 } });
            }

            box = new DemBox([-2 * half, -2 * half, -2 * half], [2 * half, 2 * half, 2 * half], [false, false, false]);
            damping = RelaxRate(dt);
        }
        else
        {
            var s3 = 3 * p.SecondaryRadius;
            box = new DemBox([-s3, -s3, -s3], [s3, s3, s3], [false, false, false]);
            // Stokes drag 6 pi mu r v on a grain of mass rho 4/3 pi r^3: rate 4.5 mu / (rho r^2)
            damping = Math.Max(4.5 * p.Viscosity / (p.GrainRho * p.GrainRadius * p.GrainRadius), RelaxRate(dt));
        }

        var input = new ParticleInput
        {
            X = x.ToArray(), Y = y.ToArray(), Z = z.ToArray(), Radius = r.ToArray(), Density = rho.ToArray(), Type = type.ToArray(), Id = ids.ToArray(),
        };
        var k = o.Model == CrushModel.Bonded ? p.Bonded.WeakCohesion : o.CohesionEnergyDensity ?? p.Cohesion;
        var s = new DemSystem(m, box, input, walls, Settings(o, dt, damping, k));
        if (o.Model == CrushModel.Bonded)
        {
            s.AdoptBonds(aggregate.ExportBonds());
        }

        if (o.Environment == CrushEnvironment.Solid)
        {
            // close the loose SE packing onto the aggregate at the confining pressure before cycling (fast servo, then slow)
            foreach (var w in walls)
            {
                w.Servo!.VelocityMax = 20;
            }

            for (var c = 0; c < 30; c++)
            {
                s.Run(2000);
                if (c >= 2 && s.Walls.Max(w => Math.Abs(w.Load / (p.ConfiningPressure * s.FaceArea(w.Axis)) - 1)) < 0.1)
                {
                    break;
                }
            }

            foreach (var w in walls)
            {
                w.Servo!.VelocityMax = 0.5;
            }
        }

        return s;
    }

    /// <summary>Charge (delithiation) contracts the grains, discharge expands them back (seed 000 §2.2); grain class c
    /// swells by eps_V (1 + h x_c), x_c evenly in [-1, 1], so neighbouring grains of different classes mismatch.</summary>
    private static void OneCycle(DemSystem s, CrushOptions o)
    {
        var p = o.Parameters;
        var classes = Classes(o);
        var mismatch = o.Model == CrushModel.Bonded ? p.Bonded.SwellingMismatch : 0;
        const int ramp = 6000;
        foreach (var charged in new[] { true, false })
        {
            for (var c = 0; c < classes; c++)
            {
                var xc = classes > 1 ? -1 + 2.0 * c / (classes - 1) : 0;
                var target = charged ? Math.Cbrt(1 - p.VolumeStrain * (1 + mismatch * xc)) : 1.0;
                s.SetTypeSchedule(ClassType(c), RadiusSchedule.Ramp(s.Time, ramp * s.Dt, s.TypeScale(ClassType(c)), target));
            }

            s.Run(ramp);
            for (var c = 0; c < classes; c++)
            {
                var xc = classes > 1 ? -1 + 2.0 * c / (classes - 1) : 0;
                s.SetTypeScale(ClassType(c), charged ? Math.Cbrt(1 - p.VolumeStrain * (1 + mismatch * xc)) : 1.0);
            }

            s.Run(4000);
        }
    }

    /// <summary>Crushes a copy of the grains (ids 1..grains) of <paramref name="source"/> with their bonds.</summary>
    private static CrushResult Crush(DemSystem source, int grains, int cycles, int before, CrushOptions o, MaterialTable m, double dt, double k,
        IProgress<CrushProgress>? progress, CancellationToken ct)
    {
        var p = o.Parameters;
        var bonded = o.Model == CrushModel.Bonded;
        var all = source.Ids.ToArray();
        var idx = Enumerable.Range(0, source.ParticleCount).Where(i => all[i] <= grains).ToArray();
        var n = idx.Length;
        var sp = source.Positions.ToArray();
        var pos = idx.SelectMany(i => new[] { sp[3 * i], sp[3 * i + 1], sp[3 * i + 2] }).ToArray();
        var rad = idx.Select(i => source.Radii[i]).ToArray();
        var zmin = Enumerable.Range(0, n).Min(i => pos[3 * i + 2] - rad[i]);
        var zmax = Enumerable.Range(0, n).Max(i => pos[3 * i + 2] + rad[i]);
        var bottom = new PlaneWall("substrate", 2, 1, zmin, Steel);
        var top = new PlaneWall("punch", 2, -1, zmax, Steel) { Velocity = -p.PunchSpeed };
        var s3 = 3 * p.SecondaryRadius;
        var input = new ParticleInput
        {
            X = Enumerable.Range(0, n).Select(i => pos[3 * i]).ToArray(), Y = Enumerable.Range(0, n).Select(i => pos[3 * i + 1]).ToArray(),
            Z = Enumerable.Range(0, n).Select(i => pos[3 * i + 2]).ToArray(), Radius = rad, Density = Enumerable.Repeat(p.GrainRho, n).ToArray(), Type = new int[n],
            Id = idx.Select(i => all[i]).ToArray(),
        };
        using var s = new DemSystem(m, new DemBox([-s3, -s3, -s3], [s3, s3, s3], [false, false, false]), input, [bottom, top], Settings(o, dt, RelaxRate(dt), k));
        if (bonded)
        {
            s.AdoptBonds(source.ExportBonds());
        }

        var after = bonded ? s.IntactBondCount : CohesiveContacts(s);
        var intact = before > 0 ? after / (double)before : 0;
        var travel = o.MaxStrain * 2 * p.SecondaryRadius;
        var sample = Math.Max(1, (int)(2e-9 / (p.PunchSpeed * dt)));
        var disp = new List<double>();
        var force = new List<double>();
        double peak = 0, peakDisp = 0;
        var fractured = false;
        while (zmax - top.Position < travel)
        {
            s.Run(sample, ct);
            var d = zmax - top.Position;
            var f = 0.5 * (top.Load + bottom.Load);
            disp.Add(d);
            force.Add(f);
            if (f > peak)
            {
                (peak, peakDisp) = (f, d);
            }
            else if (d > 0.02 * 2 * p.SecondaryRadius && f < (1 - o.FractureDrop) * peak)
            {
                fractured = true;
                break;
            }

            if (disp.Count % 50 == 0)
            {
                progress?.Report(new CrushProgress("crush", d / travel, $"F {f * 1e3:F2} mN at {d * 1e9:F0} nm"));
            }
        }

        return new CrushResult(o.Environment, cycles, n, p.SecondaryRadius, k, intact, peak, peakDisp, HiramatsuOka(peak, p.SecondaryRadius),
            fractured, disp.ToArray(), force.ToArray())
        {
            BrokenBonds = Math.Max(0, before - after), BondsFormed = bonded ? before : 0, BondTensileStrengthPa = bonded ? Bond(o).TensileStrength : 0,
        };
    }

    private static List<(double X, double Y, double Z, double R)> PlaceRandom(double[] radii, double edge, SplitMix64 rng)
    {
        var placed = new List<(double X, double Y, double Z, double R)>();
        var cell = 2 * radii.Max();
        var nc = Math.Max(1, (int)(edge / cell));
        var grid = new List<int>[nc * nc * nc];
        int C(double v) => Math.Clamp((int)(v / edge * nc), 0, nc - 1);
        foreach (var r in radii)
        {
            var ok = false;
            for (var attempt = 0; attempt < 100_000 && !ok; attempt++)
            {
                double x = r + rng.NextDouble() * (edge - 2 * r), y = r + rng.NextDouble() * (edge - 2 * r), z = r + rng.NextDouble() * (edge - 2 * r);
                ok = true;
                for (var dx = -1; dx <= 1 && ok; dx++)
                {
                    for (var dy = -1; dy <= 1 && ok; dy++)
                    {
                        for (var dz = -1; dz <= 1 && ok; dz++)
                        {
                            int cx = C(x) + dx, cy = C(y) + dy, cz = C(z) + dz;
                            if (cx < 0 || cy < 0 || cz < 0 || cx >= nc || cy >= nc || cz >= nc || grid[(cz * nc + cy) * nc + cx] is not { } list)
                            {
                                continue;
                            }

                            foreach (var j in list)
                            {
                                var q = placed[j];
                                if ((q.X - x) * (q.X - x) + (q.Y - y) * (q.Y - y) + (q.Z - z) * (q.Z - z) < (q.R + r) * (q.R + r))
                                {
                                    ok = false;
                                    break;
                                }
                            }
                        }
                    }
                }

                if (ok)
                {
                    (grid[(C(z) * nc + C(y)) * nc + C(x)] ??= []).Add(placed.Count);
                    placed.Add((x, y, z, r));
                }
            }

            if (!ok)
            {
                throw new DemInputException(["crush: grain placement failed; lower the initial solid fraction"]);
            }
        }

        return placed;
    }
}
