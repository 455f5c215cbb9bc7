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

public sealed record StageResult(string Name, bool Converged, string Diagnosis, long Steps, double SimulatedTimeS, double HeightM, PackingReport Report, ParticleSnapshot Snapshot)
{
    /// <summary>Full per-particle stresses and contact counts (6 components each definition), in snapshot order.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ParticleStress? Stress { get; init; }
}

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
            lo, hi, [s.IsPeriodic(0), s.IsPeriodic(1), s.IsPeriodic(2)])
        {
            Velocity = s.Velocities.ToArray(),
        };
    }

    /// <summary>Velocities (3 per particle) [m/s], when known.</summary>
    public double[]? Velocity { get; init; }
}

public sealed record CompactionProgress(string Stage, int Chunk, int MaxChunks, long Step, double HeightM, double PressurePa, double TargetPa, string Message);

public sealed record CompactionResult(IReadOnlyList<StageResult> Stages, bool Completed, string ParameterSet, ulong? Seed, int ParticleCount);

public static class CompactionStudy
{
    /// <summary>Runs U, R, then per isostatic pressure a branch I + cycles, on a packing in a box periodic in x, y (footprint L, initial height H0).</summary>
    public static CompactionResult Run(Packing packing, double footprint, double h0, CompactionOptions o, ulong? seed = null,
        IProgress<CompactionProgress>? progress = null, CancellationToken ct = default)
    {
        var p = o.Parameters;
        using var runner = new CompactionRunner(packing, footprint, h0, p.CreateMaterials(), new DemSettings { TimeStep = o.TimeStep ?? p.TimeStepS, Skin = p.SkinM, Threads = o.Threads }, o);
        var stages = new List<StageResult> { runner.Uniaxial("U", o.UniaxialPressurePa, o.VelocityMaxU, progress, ct) };
        if (!stages[0].Converged || !o.Release)
        {
            return new CompactionResult(stages, stages[0].Converged && !o.Release && o.IsostaticPressuresPa.Count == 0, p.Name, seed, packing.Count);
        }

        stages.Add(runner.Release("R", o.ReleasePressurePa, progress, ct));
        if (!stages[1].Converged)
        {
            return new CompactionResult(stages, false, p.Name, seed, packing.Count);
        }

        var released = runner.Save();
        var completed = true;
        foreach (var pi in o.IsostaticPressuresPa)
        {
            runner.Restore(released);
            var label = $"I{pi / 1e6:G3}MPa";
            var branch = new List<StageResult> { runner.Isostatic(label, pi, progress, ct) };
            if (branch[0].Converged)
            {
                branch.AddRange(runner.Swelling(label, o.Cycles, o.SwellingStrain, o.SwellingSign < 0, progress, ct));
            }

            stages.AddRange(branch);
            completed &= branch.All(b => b.Converged) && branch.Count == 1 + 2 * o.Cycles;
        }

        return new CompactionResult(stages, completed, p.Name, seed, packing.Count);
    }

    public static ParticleInput ToInput(Packing p) => new()
    {
        X = p.X, Y = p.Y, Z = p.Z, Radius = p.Radius, Density = p.Density, Type = p.Type, Id = p.Id,
    };
}

/// <summary>Runs compaction stages in any order on one packing (the service's stage lists, the study's fixed sequence).</summary>
public sealed class CompactionRunner : IDisposable
{
    private readonly MaterialTable _materials;
    private readonly DemSettings _settings;
    private readonly CompactionOptions _o;
    private DemSystem _sys;
    private PlaneWall? _top;
    private PlaneWall? _bottom;
    private double _pressure;

    /// <summary>Sets up the plates over the packing; <paramref name="activeType"/> swells, <paramref name="electrolyteType"/> is its partner in AM-SE counts.</summary>
    public CompactionRunner(Packing packing, double footprint, double h0, MaterialTable materials, DemSettings settings, CompactionOptions options,
        int activeType = CompositeParameters.Am, int electrolyteType = CompositeParameters.Se)
    {
        ActiveType = activeType;
        ElectrolyteType = electrolyteType;
        _materials = materials;
        _settings = settings;
        _o = options;
        var box = new DemBox([0, 0, Math.Min(-2e-6, packing.Z.Min() - 1e-6)], [footprint, footprint, Math.Max(h0 + 4e-6, packing.Z.Max() + 1e-6)], [true, true, false]);
        _bottom = new PlaneWall("bottom", 2, 1, 0.0, AmWallType);
        _top = new PlaneWall("top", 2, -1, h0, AmWallType) { Servo = new ServoControl { TargetPressure = options.UniaxialPressurePa, VelocityMax = options.VelocityMaxU, Kp = options.KpU } };
        _sys = new DemSystem(materials, box, CompactionStudy.ToInput(packing), [_bottom, _top], settings);
    }

    /// <summary>The wall material is the last material type.</summary>
    private int AmWallType => _materials.TypeCount - 1;

    public DemSystem System => _sys;

    public int ActiveType { get; }

    public int ElectrolyteType { get; }

    /// <summary>Snapshot of the whole state (for branches from one released packing).</summary>
    public (byte[] State, bool Isostatic, double Pressure) Save() => (_sys.SaveCheckpoint(), _top is null, _pressure);

    public void Restore((byte[] State, bool Isostatic, double Pressure) saved)
    {
        _sys.Dispose();
        _sys = DemSystem.Restore(saved.State, _materials, _settings);
        _pressure = saved.Pressure;
        (_bottom, _top) = saved.Isostatic ? (null, null) : (_sys.Walls[0], _sys.Walls[1]);
    }

    public StageResult Uniaxial(string name, double pressure, double vmax, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var (top, bottom) = Plates(name);
        var area = _sys.FaceArea(2);
        var servo = top.Servo!;
        servo.TargetPressure = pressure;
        servo.VelocityMax = vmax;
        servo.Kp = _o.KpU;
        _pressure = pressure;
        var target = pressure * area;
        var hold = top.Position - bottom.Position;
        var step0 = _sys.Step;
        var diagnosis = "";
        for (var chunk = 1; chunk <= _o.MaxChunksU; chunk++)
        {
            _sys.Run(_o.Chunk, ct);
            var h = top.Position - bottom.Position;
            var eT = Math.Abs(top.Load / target - 1);
            var eB = Math.Abs(bottom.Load / target - 1);
            var dz = Math.Abs(h - hold) / h;
            progress?.Report(new CompactionProgress(name, chunk, _o.MaxChunksU, _sys.Step, h, top.Load / area, pressure,
                $"P_top {top.Load / area / 1e6:F2} MPa, P_bot {bottom.Load / area / 1e6:F2} MPa, H {h * 1e6:F3} um"));
            if (eT < _o.ToleranceU && eB < _o.ToleranceU && dz < _o.RelativeMotionTolerance)
            {
                return Analyse(name, true, "converged", step0, ct);
            }

            hold = h;
            diagnosis = $"after {chunk} chunks: |F_top/F-1| = {eT:G3}, |F_bot/F-1| = {eB:G3}, |dH|/H = {dz:G3} (tolerances {_o.ToleranceU}, {_o.ToleranceU}, {_o.RelativeMotionTolerance})";
        }

        return Analyse(name, false, "not converged " + diagnosis, step0, ct);
    }

    public StageResult Release(string name, double pressure, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var (top, bottom) = Plates(name);
        var area = _sys.FaceArea(2);
        var step0 = _sys.Step;
        var servo = top.Servo!;
        var from = _pressure > 0 ? _pressure : _o.UniaxialPressurePa;
        for (var k = 1; k <= _o.RampChunksR; k++)
        {
            var ft = from * Math.Pow(pressure / from, k / (double)_o.RampChunksR);
            servo.TargetPressure = ft;
            servo.VelocityMax = _o.VelocityR0 * Math.Pow(ft / _o.UniaxialPressurePa, _o.VelocityExponentR);
            servo.Kp = _o.KpR;
            _sys.Run(_o.Chunk, ct);
            progress?.Report(new CompactionProgress(name + " ramp", k, _o.RampChunksR, _sys.Step, top.Position - bottom.Position, top.Load / area, ft,
                $"target {ft / 1e6:G4} MPa, P_top {top.Load / area / 1e6:G4} MPa"));
        }

        _pressure = pressure;
        var target = pressure * area;
        var hold = top.Position - bottom.Position;
        var diagnosis = "";
        for (var chunk = 1; chunk <= _o.MaxChunksR; chunk++)
        {
            _sys.Run(_o.Chunk, ct);
            var h = top.Position - bottom.Position;
            var eT = Math.Abs(top.Load / target - 1);
            var eB = Math.Abs(bottom.Load / target - 1);
            var dz = Math.Abs(h - hold) / h;
            progress?.Report(new CompactionProgress(name, chunk, _o.MaxChunksR, _sys.Step, h, top.Load / area, pressure,
                $"P_top {top.Load / area / 1e3:F1} kPa, P_bot {bottom.Load / area / 1e3:F1} kPa, H {h * 1e6:F3} um"));
            if (eT < _o.ToleranceR && eB < _o.ToleranceR && dz < _o.RelativeMotionTolerance)
            {
                return Analyse(name, true, "converged", step0, ct);
            }

            hold = h;
            diagnosis = $"after {chunk} hold chunks: |F_top/F-1| = {eT:G3}, |F_bot/F-1| = {eB:G3}, |dH|/H = {dz:G3}";
        }

        return Analyse(name, false, "not converged " + diagnosis, step0, ct);
    }

    /// <summary>Six servo walls at the pressure; from plates the packing is re-boxed with walls just outside the particles.</summary>
    public StageResult Isostatic(string name, double pressure, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var vmax = _o.VelocityR0 * Math.Pow(pressure / _o.UniaxialPressurePa, _o.VelocityExponentR);
        if (_top is not null)
        {
            ReBox(pressure, vmax);
        }
        else
        {
            foreach (var w in _sys.Walls)
            {
                w.Servo!.TargetPressure = pressure;
                w.Servo.VelocityMax = vmax;
            }
        }

        _pressure = pressure;
        return Hold(name, progress, ct);
    }

    /// <summary>Cycles of AM swelling (+strain in diameter) and back at the held pressure; each half cycle is one stage.</summary>
    public IReadOnlyList<StageResult> Swelling(string label, int cycles, double strain, bool startSwollen, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var results = new List<StageResult>();
        var s = startSwollen ? -strain : strain;
        for (var c = 1; c <= cycles; c++)
        {
            foreach (var (name, scale) in new[] { (s > 0 ? "D" : "C", 1 + s), (s > 0 ? "C" : "D", 1.0) })
            {
                Ramp($"{label} {name}{c}", scale, _o.SwellingRampChunks * _o.Chunk, progress, ct);
                var st = Hold($"{label} {name}{c}", progress, ct);
                results.Add(st);
                if (!st.Converged)
                {
                    return results;
                }
            }
        }

        return results;
    }

    /// <summary>AM diameter strain (relative to the stage start) driven through (time, strain) points, then held.</summary>
    public StageResult Schedule(string name, double[] times, double[] strains, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var am = ActiveType;
        var s0 = _sys.TypeScale(am);
        _sys.SetTypeSchedule(am, new RadiusSchedule(times.Select(t => _sys.Time + t).ToArray(), strains.Select(e => s0 * (1 + e)).ToArray()));
        var steps = (int)Math.Ceiling(times[^1] / _sys.Dt);
        var step0 = _sys.Step;
        for (var done = 0; done < steps; done += _o.Chunk)
        {
            _sys.Run(Math.Min(_o.Chunk, steps - done), ct);
            progress?.Report(new CompactionProgress(name + " schedule", done / _o.Chunk + 1, (steps + _o.Chunk - 1) / _o.Chunk, _sys.Step, _sys.Extent(2), 0, _pressure,
                $"AM radius scale {_sys.TypeScale(am):F4}"));
        }

        _sys.SetTypeScale(am, s0 * (1 + strains[^1]));
        var hold = _top is null ? Hold(name, progress, ct) : Analyse(name, true, "schedule applied", step0, ct);
        return hold;
    }

    private void Ramp(string name, double scale, int steps, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var am = ActiveType;
        _sys.SetTypeSchedule(am, RadiusSchedule.Ramp(_sys.Time, steps * _sys.Dt, _sys.TypeScale(am), scale));
        for (var k = 1; k * _o.Chunk <= steps; k++)
        {
            _sys.Run(_o.Chunk, ct);
            progress?.Report(new CompactionProgress(name + " ramp", k, steps / _o.Chunk, _sys.Step, _sys.Extent(2), 0, _pressure, $"AM radius scale {_sys.TypeScale(am):F4}"));
        }

        _sys.SetTypeScale(am, scale);
    }

    private StageResult Hold(string name, IProgress<CompactionProgress>? progress, CancellationToken ct)
    {
        var step0 = _sys.Step;
        var hold = new[] { _sys.Extent(0), _sys.Extent(1), _sys.Extent(2) };
        var diagnosis = "";
        for (var chunk = 1; chunk <= _o.MaxChunksI; chunk++)
        {
            _sys.Run(_o.Chunk, ct);
            var ext = new[] { _sys.Extent(0), _sys.Extent(1), _sys.Extent(2) };
            var worst = _sys.Walls.Max(w => Math.Abs(w.Load / (_pressure * _sys.FaceArea(w.Axis)) - 1));
            var dz = Enumerable.Range(0, 3).Max(a => Math.Abs(ext[a] - hold[a]) / ext[a]);
            progress?.Report(new CompactionProgress(name, chunk, _o.MaxChunksI, _sys.Step, ext[2], _sys.Walls[^1].Load / _sys.FaceArea(2), _pressure,
                $"worst wall error {worst:P1}, box {ext[0] * 1e6:F1} x {ext[1] * 1e6:F1} x {ext[2] * 1e6:F1} um"));
            if (worst < _o.ToleranceI && dz < _o.RelativeMotionTolerance)
            {
                return Analyse(name, true, "converged", step0, ct);
            }

            hold = ext;
            diagnosis = $"after {chunk} chunks: worst |F/F_target-1| = {worst:G3}, largest |dL|/L = {dz:G3}";
        }

        return Analyse(name, false, "not converged " + diagnosis, step0, ct);
    }

    private (PlaneWall Top, PlaneWall Bottom) Plates(string stage) =>
        _top is not null && _bottom is not null ? (_top, _bottom) : throw new DemInputException([$"stage '{stage}': plates are gone after an isostatic stage; uniaxial stages must come first"]);

    private void ReBox(double pressure, double vmax)
    {
        // Walls on all six faces, placed just outside the particles: periodic contacts across x and y are cut.
        var released = _sys;
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

        var walls = new List<PlaneWall>();
        for (var a = 0; a < 3; a++)
        {
            walls.Add(new PlaneWall($"{"xyz"[a]}-lo", a, 1, lo[a], AmWallType) { Servo = new ServoControl { TargetPressure = pressure, VelocityMax = vmax, Kp = _o.KpR } });
            walls.Add(new PlaneWall($"{"xyz"[a]}-hi", a, -1, hi[a], AmWallType) { Servo = new ServoControl { TargetPressure = pressure, VelocityMax = vmax, Kp = _o.KpR } });
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
            TimeStep = _settings.TimeStep, Skin = _settings.Skin, Threads = _settings.Threads, Contact = _settings.Contact,
            MinParticlesPerThread = _settings.MinParticlesPerThread, InitialOverlapTolerance = double.PositiveInfinity,
        };
        var scales = Enumerable.Range(0, _materials.TypeCount).Select(released.TypeScale).ToArray();
        _sys = new DemSystem(_materials, box, input, walls, iso);
        for (var t = 0; t < scales.Length; t++)
        {
            if (scales[t] != 1.0)
            {
                _sys.SetTypeScale(t, scales[t]);
            }
        }

        released.Dispose();
        (_top, _bottom) = (null, null);
    }

    private StageResult Analyse(string name, bool converged, string diagnosis, long step0, CancellationToken ct)
    {
        _sys.Run(_o.AnalysisSteps, ct);
        var st = ParticleStress.Compute(_sys);
        var report = PackingReport.Create(_sys, st, amType: ActiveType, seType: ElectrolyteType);
        return new StageResult(name, converged, diagnosis, _sys.Step - step0, (_sys.Step - step0) * _sys.Dt, _sys.Extent(2), report, ParticleSnapshot.From(_sys, st)) { Stress = st };
    }

    public void Dispose() => _sys.Dispose();
}

/// <summary>The zz stress of one bin in both definitions (for callers that pick one).</summary>
public readonly record struct PackingReportBin(double Lw, double Split);
