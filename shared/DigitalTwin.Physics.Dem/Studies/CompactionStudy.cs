// Study 1 (seed 004): composite compaction. Uniaxial servo pressing (U), release to 1 atm by the
// deck's geometric ramp (R), isostatic pressure on six servo walls (I), AM swelling cycles (D_k/C_k)
// at held pressure. Protocol and convergence tests follow the peer deck's compaction.in.
using DigitalTwin.Physics.Dem.Computes;

namespace DigitalTwin.Physics.Dem.Studies;

public sealed record CompactionOptions
{
    public CompositeParameters Parameters { get; init; } = CompositeParameters.Default;

    public int Threads { get; init; } = Environment.ProcessorCount;

    public double UniaxialPressurePa { get; init; } = 375e6;

    public double ReleasePressurePa { get; init; } = 101325.0;

    /// <summary>Isostatic pressures; each starts a branch from the released packing (the paper: 1, 3, 5 MPa).</summary>
    public IReadOnlyList<double> IsostaticPressuresPa { get; init; } = [5e6];

    public int Cycles { get; init; } = 5;

    /// <summary>AM diameter change per half cycle (the paper: 6 %).</summary>
    public double SwellingStrain { get; init; } = 0.06;

    /// <summary>+1: expand first (the paper's D1); -1: shrink first (a twin that starts lithiated).</summary>
    public int SwellingSign { get; init; } = 1;

    public bool Release { get; init; } = true;

    // ---- deck compaction.in numerics
    public int Chunk { get; init; } = 5000;

    public double VelocityMaxU { get; init; } = 5.0;

    public double KpU { get; init; } = 1.0;

    public int MaxChunksU { get; init; } = 80;

    public double ToleranceU { get; init; } = 0.005;

    public double RelativeMotionTolerance { get; init; } = 2.0e-5;

    public int AnalysisSteps { get; init; } = 1000;

    public int RampChunksR { get; init; } = 30;

    public double VelocityR0 { get; init; } = 4.0;

    public double VelocityExponentR { get; init; } = 0.6;

    public double KpR { get; init; } = 2.0;

    public int MaxChunksR { get; init; } = 60;

    public double ToleranceR { get; init; } = 0.05;

    /// <summary>Isostatic and cycling stages: max hold chunks and the wall-force tolerance.</summary>
    public int MaxChunksI { get; init; } = 60;

    public double ToleranceI { get; init; } = 0.05;

    /// <summary>Chunks over which the AM radius is ramped in each half cycle.</summary>
    public int SwellingRampChunks { get; init; } = 4;

    /// <summary>Overrides the parameter set's time step [s].</summary>
    public double? TimeStep { get; init; }
}

public sealed record StageResult(string Name, bool Converged, string Diagnosis, long Steps, double SimulatedTimeS, double HeightM, PackingReport Report, ParticleSnapshot Snapshot);

/// <summary>Particle list of a stage: positions [m], radii [m], 0-based types, Love-Weber diagonal stress [Pa].</summary>
public sealed record ParticleSnapshot(int[] Id, int[] Type, double[] Radius, double[] X, double[] Y, double[] Z, double[] StressXx, double[] StressYy, double[] StressZz, double[] BoxLo, double[] BoxHi, bool[] Periodic)
{
    public static ParticleSnapshot From(DemSystem s, ParticleStress st)
    {
        var n = s.ParticleCount;
        var lo = new double[3];
        var hi = new double[3];
        for (var a = 0; a < 3; a++)
        {
            if (s.IsPeriodic(a))
            {
                lo[a] = s.BoxLo[a];
                hi[a] = s.BoxHi[a];
            }
            else
            {
                lo[a] = s.Walls.Where(w => w.Axis == a && w.Side == 1).Select(w => w.Position).DefaultIfEmpty(s.BoxLo[a]).First();
                hi[a] = s.Walls.Where(w => w.Axis == a && w.Side == -1).Select(w => w.Position).DefaultIfEmpty(s.BoxHi[a]).First();
            }
        }

        var pos = s.Positions.ToArray();
        return new ParticleSnapshot(s.Ids.ToArray(), s.Types.ToArray(), s.Radii.ToArray(),
            Enumerable.Range(0, n).Select(i => pos[3 * i]).ToArray(),
            Enumerable.Range(0, n).Select(i => pos[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => pos[3 * i + 2]).ToArray(),
            Enumerable.Range(0, n).Select(i => st.LoveWeber[6 * i]).ToArray(),
            Enumerable.Range(0, n).Select(i => st.LoveWeber[6 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => st.LoveWeber[6 * i + 2]).ToArray(),
            lo, hi, [s.IsPeriodic(0), s.IsPeriodic(1), s.IsPeriodic(2)]);
    }
}

public sealed record CompactionProgress(string Stage, int Chunk, int MaxChunks, long Step, double HeightM, double PressurePa, double TargetPa, string Message);

public sealed record CompactionResult(IReadOnlyList<StageResult> Stages, bool Completed, string ParameterSet, ulong? Seed, int ParticleCount);

public static class CompactionStudy
{
    /// <summary>Runs the stages on a packing in a box periodic in x, y with footprint L and initial height H0.</summary>
    public static CompactionResult Run(Packing packing, double footprint, double h0, CompactionOptions o, ulong? seed = null,
        IProgress<CompactionProgress>? progress = null, CancellationToken ct = default)
    {
        var p = o.Parameters;
        var materials = p.CreateMaterials();
        var settings = new DemSettings { TimeStep = o.TimeStep ?? p.TimeStepS, Skin = p.SkinM, Threads = o.Threads };
        var zlo = -2e-6;
        var zhi = h0 + 4e-6;
        var box = new DemBox([0, 0, Math.Min(zlo, packing.Z.Min() - 1e-6)], [footprint, footprint, Math.Max(zhi, packing.Z.Max() + 1e-6)], [true, true, false]);
        var bottom = new PlaneWall("bottom", 2, 1, 0.0, CompositeParameters.Wall);
        var top = new PlaneWall("top", 2, -1, h0, CompositeParameters.Wall)
        {
            Servo = new ServoControl { TargetPressure = o.UniaxialPressurePa, VelocityMax = o.VelocityMaxU, Kp = o.KpU },
        };
        var stages = new List<StageResult>();
        using var sys = new DemSystem(materials, box, ToInput(packing), [bottom, top], settings);
        var u = UniaxialStage(sys, top, bottom, o, progress, ct);
        stages.Add(u);
        if (!u.Converged || !o.Release)
        {
            return new CompactionResult(stages, u.Converged && !o.Release && o.IsostaticPressuresPa.Count == 0, p.Name, seed, packing.Count);
        }

        var r = ReleaseStage(sys, top, bottom, o, progress, ct);
        stages.Add(r);
        if (!r.Converged)
        {
            return new CompactionResult(stages, false, p.Name, seed, packing.Count);
        }

        var completed = true;
        foreach (var pi in o.IsostaticPressuresPa)
        {
            var branch = IsostaticBranch(sys, materials, settings, pi, o, progress, ct);
            stages.AddRange(branch);
            completed &= branch.All(b => b.Converged) && branch.Count == 1 + 2 * o.Cycles;
        }

        return new CompactionResult(stages, completed, p.Name, seed, packing.Count);
    }

    public static ParticleInput ToInput(Packing p) => new()
    {
        X = p.X, Y = p.Y, Z = p.Z, Radius = p.Radius, Density = p.Density, Type = p.Type, Id = p.Id,
    };

    private static StageResult UniaxialStage(DemSystem sys, PlaneWall top, PlaneWall bottom, CompactionOptions o, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var area = sys.FaceArea(2);
        var target = o.UniaxialPressurePa * area;
        var hold = top.Position - bottom.Position;
        var converged = false;
        var step0 = sys.Step;
        string diagnosis = "";
        for (var chunk = 1; chunk <= o.MaxChunksU; chunk++)
        {
            sys.Run(o.Chunk, ct);
            var h = top.Position - bottom.Position;
            var eT = Math.Abs(top.Load / target - 1);
            var eB = Math.Abs(bottom.Load / target - 1);
            var dz = Math.Abs(h - hold) / h;
            progress?.Report(new CompactionProgress("U", chunk, o.MaxChunksU, sys.Step, h, top.Load / area, o.UniaxialPressurePa,
                $"P_top {top.Load / area / 1e6:F2} MPa, P_bot {bottom.Load / area / 1e6:F2} MPa, H {h * 1e6:F3} um"));
            if (eT < o.ToleranceU && eB < o.ToleranceU && dz < o.RelativeMotionTolerance)
            {
                converged = true;
                break;
            }

            hold = h;
            diagnosis = $"after {chunk} chunks: |F_top/F-1| = {eT:G3}, |F_bot/F-1| = {eB:G3}, |dH|/H = {dz:G3} (tolerances {o.ToleranceU}, {o.ToleranceU}, {o.RelativeMotionTolerance})";
        }

        return Analyse(sys, "U", converged, converged ? "converged" : "not converged " + diagnosis, step0, o, ct);
    }

    private static StageResult ReleaseStage(DemSystem sys, PlaneWall top, PlaneWall bottom, CompactionOptions o, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var area = sys.FaceArea(2);
        var step0 = sys.Step;
        var servo = top.Servo!;
        for (var k = 1; k <= o.RampChunksR; k++)
        {
            var ft = o.UniaxialPressurePa * Math.Pow(o.ReleasePressurePa / o.UniaxialPressurePa, k / (double)o.RampChunksR);
            servo.TargetPressure = ft;
            servo.VelocityMax = o.VelocityR0 * Math.Pow(ft / o.UniaxialPressurePa, o.VelocityExponentR);
            servo.Kp = o.KpR;
            sys.Run(o.Chunk, ct);
            progress?.Report(new CompactionProgress("R ramp", k, o.RampChunksR, sys.Step, top.Position - bottom.Position, top.Load / area, ft,
                $"target {ft / 1e6:G4} MPa, P_top {top.Load / area / 1e6:G4} MPa"));
        }

        var target = o.ReleasePressurePa * area;
        var hold = top.Position - bottom.Position;
        var converged = false;
        var diagnosis = "";
        for (var chunk = 1; chunk <= o.MaxChunksR; chunk++)
        {
            sys.Run(o.Chunk, ct);
            var h = top.Position - bottom.Position;
            var eT = Math.Abs(top.Load / target - 1);
            var eB = Math.Abs(bottom.Load / target - 1);
            var dz = Math.Abs(h - hold) / h;
            progress?.Report(new CompactionProgress("R", chunk, o.MaxChunksR, sys.Step, h, top.Load / area, o.ReleasePressurePa,
                $"P_top {top.Load / area / 1e3:F1} kPa, P_bot {bottom.Load / area / 1e3:F1} kPa, H {h * 1e6:F3} um"));
            if (eT < o.ToleranceR && eB < o.ToleranceR && dz < o.RelativeMotionTolerance)
            {
                converged = true;
                break;
            }

            hold = h;
            diagnosis = $"after {chunk} hold chunks: |F_top/F-1| = {eT:G3}, |F_bot/F-1| = {eB:G3}, |dH|/H = {dz:G3}";
        }

        return Analyse(sys, "R", converged, converged ? "converged" : "not converged " + diagnosis, step0, o, ct);
    }

    private static List<StageResult> IsostaticBranch(DemSystem released, MaterialTable materials, DemSettings settings, double pressure, CompactionOptions o,
        IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        // Walls on all six faces, placed just outside the particles: periodic contacts across x and y are cut.
        var n = released.ParticleCount;
        var pos = released.Positions.ToArray();
        var rad = released.Radii.ToArray();
        var lo = new double[3];
        var hi = new double[3];
        for (var a = 0; a < 3; a++)
        {
            lo[a] = Enumerable.Range(0, n).Min(i => pos[3 * i + a] - rad[i]);
            hi[a] = Enumerable.Range(0, n).Max(i => pos[3 * i + a] + rad[i]);
        }

        var vmax = o.VelocityR0 * Math.Pow(pressure / o.UniaxialPressurePa, o.VelocityExponentR);
        var walls = new List<PlaneWall>();
        string[] names = ["x", "y", "z"];
        for (var a = 0; a < 3; a++)
        {
            walls.Add(new PlaneWall($"{names[a]}-lo", a, 1, lo[a], CompositeParameters.Wall) { Servo = new ServoControl { TargetPressure = pressure, VelocityMax = vmax, Kp = o.KpR } });
            walls.Add(new PlaneWall($"{names[a]}-hi", a, -1, hi[a], CompositeParameters.Wall) { Servo = new ServoControl { TargetPressure = pressure, VelocityMax = vmax, Kp = o.KpR } });
        }

        var margin = 0.5 * (hi[2] - lo[2]);
        var box = new DemBox([lo[0] - margin, lo[1] - margin, lo[2] - margin], [hi[0] + margin, hi[1] + margin, hi[2] + margin], [false, false, false]);
        var input = new ParticleInput
        {
            X = Enumerable.Range(0, n).Select(i => pos[3 * i]).ToArray(),
            Y = Enumerable.Range(0, n).Select(i => pos[3 * i + 1]).ToArray(),
            Z = Enumerable.Range(0, n).Select(i => pos[3 * i + 2]).ToArray(),
            Radius = released.ReferenceRadii.ToArray(),
            Density = Enumerable.Range(0, n).Select(i => released.Density[i]).ToArray(),
            Type = released.Types.ToArray(),
            Id = released.Ids.ToArray(),
            Vx = Enumerable.Range(0, n).Select(i => released.Vel[3 * i]).ToArray(),
            Vy = Enumerable.Range(0, n).Select(i => released.Vel[3 * i + 1]).ToArray(),
            Vz = Enumerable.Range(0, n).Select(i => released.Vel[3 * i + 2]).ToArray(),
        };
        var iso = new DemSettings
        {
            TimeStep = settings.TimeStep, Skin = settings.Skin, Threads = settings.Threads, InitialOverlapTolerance = double.PositiveInfinity,
        };
        using var sys = new DemSystem(materials, box, input, walls, iso);
        var label = $"I{pressure / 1e6:G3}MPa";
        var results = new List<StageResult> { HoldStage(sys, label, pressure, o, progress, ct) };
        if (!results[0].Converged)
        {
            return results;
        }

        var strain = o.SwellingStrain * Math.Sign(o.SwellingSign);
        for (var c = 1; c <= o.Cycles; c++)
        {
            foreach (var (name, scale) in new[] { (strain > 0 ? "D" : "C", 1 + strain), (strain > 0 ? "C" : "D", 1.0) })
            {
                var from = sys.TypeScale(CompositeParameters.Am);
                var ramp = o.SwellingRampChunks * o.Chunk * sys.Dt;
                sys.SetTypeSchedule(CompositeParameters.Am, RadiusSchedule.Ramp(sys.Time, ramp, from, scale));
                for (var k = 1; k <= o.SwellingRampChunks; k++)
                {
                    sys.Run(o.Chunk, ct);
                    progress?.Report(new CompactionProgress($"{label} {name}{c} ramp", k, o.SwellingRampChunks, sys.Step, sys.Extent(2), sys.Walls[5].Load / sys.FaceArea(2), pressure,
                        $"AM radius scale {sys.TypeScale(CompositeParameters.Am):F4}"));
                }

                sys.SetTypeScale(CompositeParameters.Am, scale);
                var st = HoldStage(sys, $"{label} {name}{c}", pressure, o, progress, ct);
                results.Add(st);
                if (!st.Converged)
                {
                    return results;
                }
            }
        }

        return results;
    }

    private static StageResult HoldStage(DemSystem sys, string name, double pressure, CompactionOptions o, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var step0 = sys.Step;
        var hold = new[] { sys.Extent(0), sys.Extent(1), sys.Extent(2) };
        var converged = false;
        var diagnosis = "";
        for (var chunk = 1; chunk <= o.MaxChunksI; chunk++)
        {
            sys.Run(o.Chunk, ct);
            var ext = new[] { sys.Extent(0), sys.Extent(1), sys.Extent(2) };
            var worst = sys.Walls.Max(w => Math.Abs(w.Load / (pressure * sys.FaceArea(w.Axis)) - 1));
            var dz = Enumerable.Range(0, 3).Max(a => Math.Abs(ext[a] - hold[a]) / ext[a]);
            progress?.Report(new CompactionProgress(name, chunk, o.MaxChunksI, sys.Step, ext[2], sys.Walls[5].Load / sys.FaceArea(2), pressure,
                $"worst wall error {worst:P1}, box {ext[0] * 1e6:F1} x {ext[1] * 1e6:F1} x {ext[2] * 1e6:F1} um"));
            if (worst < o.ToleranceI && dz < o.RelativeMotionTolerance)
            {
                converged = true;
                break;
            }

            hold = ext;
            diagnosis = $"after {chunk} chunks: worst |F/F_target-1| = {worst:G3}, largest |dL|/L = {dz:G3}";
        }

        return Analyse(sys, name, converged, converged ? "converged" : "not converged " + diagnosis, step0, o, ct);
    }

    private static StageResult Analyse(DemSystem sys, string name, bool converged, string diagnosis, long step0, CompactionOptions o, CancellationToken ct)
    {
        sys.Run(o.AnalysisSteps, ct);
        var st = ParticleStress.Compute(sys);
        var report = PackingReport.Create(sys, st);
        return new StageResult(name, converged, diagnosis, sys.Step - step0, (sys.Step - step0) * sys.Dt, sys.Extent(2), report, ParticleSnapshot.From(sys, st));
    }
}
