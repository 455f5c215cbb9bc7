// The DEM engine: particles as plain arrays, a half neighbour list with skin, planar walls with
// servos, velocity-Verlet with rotation (LIGGGHTS fix nve/sphere), run by a fixed thread team.
using System.Runtime.Intrinsics;
using DigitalTwin.Physics.Dem.Contact;

namespace DigitalTwin.Physics.Dem;

public sealed partial class DemSystem : IDisposable
{
    internal const int BlockShift = 8;
    internal const int BlockSize = 1 << BlockShift;

    // ---- particle arrays (xyz triplets interleaved per quantity)
    internal int N;
    internal double[] Pos = [];
    internal double[] Vel = [];
    internal double[] Omega = [];
    internal double[] Force = [];
    internal double[] Torque = [];
    internal double[] Radius = [];
    internal double[] Radius0 = [];
    internal double[] Mass = [];
    internal double[] InvMass = [];
    internal double[] InvInertia = [];
    internal double[] Density = [];
    internal int[] Type = [];
    internal int[] Id = [];

    // ---- box
    internal readonly bool[] Periodic = new bool[3];
    internal readonly double[] BoxLo = new double[3];
    internal readonly double[] BoxHi = new double[3];
    internal readonly double[] ShiftTable = new double[27 * 3];

    // ---- half neighbour list (CSR by owner) and per-pair state
    internal int[] NeighStart = [0];
    internal int[] NeighJ = [];
    internal byte[] NeighImage = [];
    // tangential history per pair, one array per component (the 4-lane kernel loads it straight)
    internal double[] ShearX = [];
    internal double[] ShearY = [];
    internal double[] ShearZ = [];
    internal int PairCount;

    // partner shares in pair order: -F (3) and the torque on j (3), written in sequence by the force loop;
    // RevPair[RevStart[j]..RevStart[j+1]] are j's pairs in owner order, read by the gather
    internal double[] Partner = [];
    internal int[] RevStart = [0];
    internal int[] RevPair = [];
    internal double[] PosBuild = [];
    internal double[] RadiusBuild = [];
    internal int Builds;

    // ---- walls
    internal int WallCount;
    internal int[] WallAxis = [];
    internal double[] WallSide = [];
    internal double[] WallPos = [];
    internal double[] WallVel = [];
    internal int[] WallType = [];
    internal double[] WallShear = [];
    internal double[] WallForce = [];
    internal byte[] WallTouch = [];
    internal double[] WallPosBuild = [];
    internal int[][] WallCandidates = [];
    internal int[] WallCandidateCount = [];

    // ---- threading
    internal int BlockCount;
    internal int[] ThreadBlocks = [];
    private readonly WorkerTeam _team;
    private readonly PairScratch[] _scratch;
    private bool _forceRebuild = true;

    /// <summary>4-lane kernel where Vector256 runs in hardware; the scalar reference gives the same bits otherwise.</summary>
    internal bool UseSimd = Vector256.IsHardwareAccelerated;

    private readonly IForceKernel _kernel;
    private readonly PlaneWall[] _walls;
    private readonly Dictionary<int, RadiusSchedule> _schedules = [];
    private readonly double[] _typeScale;
    private bool _radiiChanged;

    public DemSystem(MaterialTable materials, DemBox box, ParticleInput particles, IReadOnlyList<PlaneWall> walls, DemSettings settings)
        : this(materials, box, particles, walls, settings, restoring: false)
    {
    }

    private DemSystem(MaterialTable materials, DemBox box, ParticleInput particles, IReadOnlyList<PlaneWall> walls, DemSettings settings, bool restoring)
    {
        Materials = materials;
        Settings = settings;
        var problems = ContactLawRegistry.Validate(settings.Contact);
        ValidateInput(materials, box, particles, walls, settings, problems, restoring);
        DemInputException.ThrowIfAny(problems);
        _kernel = ContactLawRegistry.CreateKernel(settings.Contact, materials);
        Dt = settings.TimeStep;
        Skin = settings.Skin;
        for (var a = 0; a < 3; a++)
        {
            Periodic[a] = box.Periodic[a];
            BoxLo[a] = box.Lo[a];
            BoxHi[a] = box.Hi[a];
        }

        BuildShiftTable();
        LoadParticles(particles);
        _walls = walls.ToArray();
        SetUpWalls();
        _typeScale = Enumerable.Repeat(1.0, materials.TypeCount).ToArray();
        // Below ~1500 particles per thread a step is too short to pay for the barriers; results do not depend on it.
        _team = new WorkerTeam(Math.Clamp(particles.Count / Math.Max(1, settings.MinParticlesPerThread), 1, Math.Max(1, settings.Threads)));
        _scratch = new PairScratch[_team.Count];
        for (var t = 0; t < _team.Count; t++)
        {
            _scratch[t] = new PairScratch();
        }

        _displacement = new double[2 * _team.Count];
        _partJ = new int[_team.Count][];
        _partImage = new byte[_team.Count][];
        for (var t = 0; t < _team.Count; t++)
        {
            _partJ[t] = [];
            _partImage[t] = [];
        }

        _partCount = new int[_team.Count];
        _partRange = new (int, int)[_team.Count];
        _threadScales = new double[_team.Count][];
        for (var t = 0; t < _team.Count; t++)
        {
            _threadScales[t] = new double[materials.TypeCount];
        }

        ThreadBlocks = new int[_team.Count + 1];
        _stepBody = StepLoop;
        Warnings = TimeStepGuard.Check(this, settings, problems);
        DemInputException.ThrowIfAny(problems);
        if (!restoring)
        {
            RebuildNeighbors();
            ComputeForcesOnce();
        }
    }

    public MaterialTable Materials { get; }

    public DemSettings Settings { get; }

    /// <summary>Time-step guard warnings (Rayleigh/Hertz fractions above the warning level).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public double Dt { get; private set; }

    public double Skin { get; }

    public double Time { get; private set; }

    public long Step { get; private set; }

    public int ParticleCount => N;

    public int ThreadCount => _team.Count;

    public IReadOnlyList<PlaneWall> Walls => _walls;

    /// <summary>Neighbour-list builds so far.</summary>
    public int NeighborBuilds => Builds;

    /// <summary>Pairs in the half list (touching or within the skin).</summary>
    public int NeighborPairs => PairCount;

    public bool IsPeriodic(int axis) => Periodic[axis];

    public double BoxLength(int axis) => BoxHi[axis] - BoxLo[axis];

    // ---- read-only views (current particle order; use Ids to identify particles)
    public ReadOnlySpan<double> Positions => Pos.AsSpan(0, 3 * N);

    public ReadOnlySpan<double> Velocities => Vel.AsSpan(0, 3 * N);

    public ReadOnlySpan<double> AngularVelocities => Omega.AsSpan(0, 3 * N);

    public ReadOnlySpan<double> Forces => Force.AsSpan(0, 3 * N);

    public ReadOnlySpan<double> Radii => Radius.AsSpan(0, N);

    public ReadOnlySpan<double> ReferenceRadii => Radius0.AsSpan(0, N);

    public ReadOnlySpan<double> Masses => Mass.AsSpan(0, N);

    public ReadOnlySpan<int> Types => Type.AsSpan(0, N);

    public ReadOnlySpan<int> Ids => Id.AsSpan(0, N);

    /// <summary>Radius scale s = R/R0 of one type from now on (the twin's state of charge drives it).</summary>
    public void SetTypeScale(int type, double scale)
    {
        if (!(scale > 0.5 && scale < 2.0))
        {
            throw new DemInputException([$"radius scale of type {type} = {scale}: must be in (0.5, 2)"]);
        }

        _schedules.Remove(type);
        _typeScale[type] = scale;
        ApplyScales();
    }

    /// <summary>Drives the radius scale of one type by a schedule over absolute time.</summary>
    public void SetTypeSchedule(int type, RadiusSchedule schedule) => _schedules[type] = schedule;

    public double TypeScale(int type) => _typeScale[type];

    /// <summary>Changes the time step (checked by the guard again).</summary>
    public void SetTimeStep(double dt)
    {
        var problems = new List<string>();
        var settings = new DemSettings
        {
            TimeStep = dt, Skin = Settings.Skin, Contact = Settings.Contact, MaxRayleighFraction = Settings.MaxRayleighFraction,
            WarnRayleighFraction = Settings.WarnRayleighFraction, CharacteristicSpeed = Settings.CharacteristicSpeed,
            MaxHertzFraction = Settings.MaxHertzFraction,
        };
        TimeStepGuard.Check(this, settings, problems);
        DemInputException.ThrowIfAny(problems);
        Dt = dt;
    }

    /// <summary>Removes particles (e.g. the electrolyte around an aggregate before a crush test); history of kept pairs survives.</summary>
    public void RemoveParticles(Func<int, bool> removeById)
    {
        var keep = new List<int>();
        for (var i = 0; i < N; i++)
        {
            if (!removeById(Id[i]))
            {
                keep.Add(i);
            }
        }

        RemapForRemoval(keep.ToArray());
        _forceRebuild = true;
        RebuildNeighbors();
        ComputeForcesOnce();
    }

    /// <summary>Keeps particles keep[0..] (ascending old indices) and the history of the pairs among them; owners stay the lower index.</summary>
    private void RemapForRemoval(int[] keep)
    {
        var oldN = N;
        var map = new int[oldN];
        Array.Fill(map, -1);
        for (var k = 0; k < keep.Length; k++)
        {
            map[keep[k]] = k;
        }

        var start = new int[keep.Length + 1];
        var js = new List<int>();
        var imgs = new List<byte>();
        var sh = new List<(double X, double Y, double Z)>();
        for (var k = 0; k < keep.Length; k++)
        {
            var a = keep[k];
            for (var p = NeighStart[a]; p < NeighStart[a + 1]; p++)
            {
                var b = map[NeighJ[p]];
                if (b >= 0)
                {
                    js.Add(b);
                    imgs.Add(NeighImage[p]);
                    sh.Add((ShearX[p], ShearY[p], ShearZ[p]));
                }
            }

            start[k + 1] = js.Count;
        }

        PermuteAndResize(keep, keep.Length);
        NeighStart = start;
        NeighJ = js.ToArray();
        NeighImage = imgs.ToArray();
        ShearX = sh.Select(v => v.X).ToArray();
        ShearY = sh.Select(v => v.Y).ToArray();
        ShearZ = sh.Select(v => v.Z).ToArray();
        PairCount = js.Count;
    }

    private void ValidateInput(MaterialTable materials, DemBox box, ParticleInput p, IReadOnlyList<PlaneWall> walls, DemSettings s, List<string> problems, bool restoring)
    {
        if (!(s.TimeStep > 0))
        {
            problems.Add($"settings.TimeStep = {s.TimeStep} s: must be > 0");
        }

        if (!(s.Skin > 0))
        {
            problems.Add($"settings.Skin = {s.Skin} m: must be > 0");
        }

        if (s.Threads < 1)
        {
            problems.Add($"settings.Threads = {s.Threads}: must be >= 1");
        }

        for (var a = 0; a < 3; a++)
        {
            if (!(box.Hi[a] > box.Lo[a]))
            {
                problems.Add($"box axis {"xyz"[a]}: Hi = {box.Hi[a]} must exceed Lo = {box.Lo[a]}");
            }
        }

        var n = p.Count;
        if (p.Y.Length != n || p.Z.Length != n || p.Radius.Length != n || p.Density.Length != n || p.Type.Length != n)
        {
            problems.Add("particles: X, Y, Z, Radius, Density and Type must have the same length");
            return;
        }

        var rmax = 0.0;
        for (var i = 0; i < n; i++)
        {
            var id = p.Id?[i] ?? i + 1;
            if (!(p.Radius[i] > 0 && p.Radius[i] < 1))
            {
                problems.Add($"particle {id}: radius {p.Radius[i]} m must be in (0, 1) m");
            }

            if (!(p.Density[i] > 0 && p.Density[i] < 1e5))
            {
                problems.Add($"particle {id}: density {p.Density[i]} kg/m3 must be in (0, 1e5)");
            }

            if (p.Type[i] < 0 || p.Type[i] >= materials.TypeCount)
            {
                problems.Add($"particle {id}: type {p.Type[i]} is not a material type (0..{materials.TypeCount - 1})");
            }

            rmax = Math.Max(rmax, p.Radius[i]);
            if (restoring)
            {
                continue;
            }

            double[] c = [p.X[i], p.Y[i], p.Z[i]];
            for (var a = 0; a < 3; a++)
            {
                if (!double.IsFinite(c[a]) || c[a] < box.Lo[a] || c[a] > box.Hi[a])
                {
                    problems.Add($"particle {id}: {"xyz"[a]} = {c[a]} m is outside the box [{box.Lo[a]}, {box.Hi[a]}]");
                }
            }

            foreach (var w in walls)
            {
                var d = w.Side * (c[w.Axis] - w.Position);
                if (d < 0)
                {
                    problems.Add($"particle {id}: centre is behind wall '{w.Name}' ({"xyz"[w.Axis]} = {c[w.Axis]} m, wall at {w.Position} m)");
                }
                else if (p.Radius[i] - d > s.InitialOverlapTolerance * p.Radius[i])
                {
                    problems.Add($"particle {id}: overlaps wall '{w.Name}' by {p.Radius[i] - d:G4} m");
                }
            }
        }

        foreach (var w in walls)
        {
            if (w.Axis is < 0 or > 2 || (w.Side != 1 && w.Side != -1))
            {
                problems.Add($"wall '{w.Name}': axis must be 0..2 and side +1 or -1");
            }
            else if (box.Periodic[w.Axis])
            {
                problems.Add($"wall '{w.Name}': axis {"xyz"[w.Axis]} is periodic; a wall needs a non-periodic axis");
            }

            if (w.MaterialType < 0 || w.MaterialType >= materials.TypeCount)
            {
                problems.Add($"wall '{w.Name}': material type {w.MaterialType} is not a material type");
            }

            if (w.Servo is { } sv && (!(sv.VelocityMax > 0) || !(sv.TargetPressure > 0) || sv.Kp < 0 || sv.Ki < 0 || sv.Kd < 0))
            {
                problems.Add($"wall '{w.Name}': servo needs TargetPressure > 0, VelocityMax > 0 and gains >= 0");
            }
            else if (w.Servo is { } sv2 && sv2.VelocityMax * s.TimeStep >= s.Skin / 2)
            {
                problems.Add($"wall '{w.Name}': servo VelocityMax {sv2.VelocityMax} m/s moves more than skin/2 per step (LIGGGHTS: vel_max < skin/(2 dt))");
            }
        }

        for (var a = 0; a < 3; a++)
        {
            if (box.Periodic[a] && box.Hi[a] - box.Lo[a] < 2 * (2 * rmax + s.Skin))
            {
                problems.Add($"box axis {"xyz"[a]}: periodic length {box.Hi[a] - box.Lo[a]} m must be at least twice the neighbour cutoff {2 * (2 * rmax + s.Skin)} m");
            }
        }

        if (problems.Count == 0 && !restoring)
        {
            CheckInitialOverlaps(p, box, s, problems);
        }
    }

    private static void CheckInitialOverlaps(ParticleInput p, DemBox box, DemSettings s, List<string> problems)
    {
        // A coarse cell search: initial packings must not overlap beyond the tolerance.
        var n = p.Count;
        var rmax = p.Radius.Max();
        var cell = 2 * rmax;
        var nc = new int[3];
        for (var a = 0; a < 3; a++)
        {
            nc[a] = Math.Clamp((int)(box.Length(a) / cell), 1, 1024);
        }

        var cells = new Dictionary<long, List<int>>();
        long Key(int cx, int cy, int cz) => ((long)cx * nc[1] + cy) * nc[2] + cz;
        int CellOf(double x, int a) => Math.Clamp((int)((x - box.Lo[a]) / box.Length(a) * nc[a]), 0, nc[a] - 1);
        for (var i = 0; i < n; i++)
        {
            var k = Key(CellOf(p.X[i], 0), CellOf(p.Y[i], 1), CellOf(p.Z[i], 2));
            if (!cells.TryGetValue(k, out var list))
            {
                cells[k] = list = [];
            }

            list.Add(i);
        }

        var reported = 0;
        for (var i = 0; i < n && reported < 20; i++)
        {
            int cx = CellOf(p.X[i], 0), cy = CellOf(p.Y[i], 1), cz = CellOf(p.Z[i], 2);
            for (var ox = -1; ox <= 1; ox++)
            {
                for (var oy = -1; oy <= 1; oy++)
                {
                    for (var oz = -1; oz <= 1; oz++)
                    {
                        int[] cc = [cx + ox, cy + oy, cz + oz];
                        var skip = false;
                        for (var a = 0; a < 3; a++)
                        {
                            if (cc[a] < 0 || cc[a] >= nc[a])
                            {
                                if (!box.Periodic[a])
                                {
                                    skip = true;
                                }

                                cc[a] = ((cc[a] % nc[a]) + nc[a]) % nc[a];
                            }
                        }

                        if (skip || !cells.TryGetValue(Key(cc[0], cc[1], cc[2]), out var list))
                        {
                            continue;
                        }

                        foreach (var j in list)
                        {
                            if (j <= i)
                            {
                                continue;
                            }

                            var d = new[] { p.X[i] - p.X[j], p.Y[i] - p.Y[j], p.Z[i] - p.Z[j] };
                            for (var a = 0; a < 3; a++)
                            {
                                if (box.Periodic[a])
                                {
                                    d[a] -= box.Length(a) * Math.Round(d[a] / box.Length(a));
                                }
                            }

                            var r = Math.Sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                            var overlap = p.Radius[i] + p.Radius[j] - r;
                            if (overlap > s.InitialOverlapTolerance * Math.Min(p.Radius[i], p.Radius[j]))
                            {
                                problems.Add($"particles {p.Id?[i] ?? i + 1} and {p.Id?[j] ?? j + 1} overlap by {overlap:G4} m (tolerance {s.InitialOverlapTolerance} of the smaller radius)");
                                reported++;
                            }
                        }
                    }
                }
            }
        }

        if (reported >= 20)
        {
            problems.Add("particles: further overlaps not listed");
        }
    }

    private void BuildShiftTable()
    {
        for (var code = 0; code < 27; code++)
        {
            int sx = code % 3 - 1, sy = code / 3 % 3 - 1, sz = code / 9 - 1;
            ShiftTable[3 * code] = sx * (BoxHi[0] - BoxLo[0]);
            ShiftTable[3 * code + 1] = sy * (BoxHi[1] - BoxLo[1]);
            ShiftTable[3 * code + 2] = sz * (BoxHi[2] - BoxLo[2]);
        }
    }

    private void LoadParticles(ParticleInput p)
    {
        N = p.Count;
        Pos = new double[3 * N];
        Vel = new double[3 * N];
        Omega = new double[3 * N];
        Force = new double[3 * N];
        Torque = new double[3 * N];
        Radius = (double[])p.Radius.Clone();
        Radius0 = (double[])p.Radius.Clone();
        Density = (double[])p.Density.Clone();
        Type = (int[])p.Type.Clone();
        Id = p.Id is null ? Enumerable.Range(1, N).ToArray() : (int[])p.Id.Clone();
        Mass = new double[N];
        InvMass = new double[N];
        InvInertia = new double[N];
        for (var i = 0; i < N; i++)
        {
            Pos[3 * i] = p.X[i];
            Pos[3 * i + 1] = p.Y[i];
            Pos[3 * i + 2] = p.Z[i];
            Vel[3 * i] = p.Vx?[i] ?? 0;
            Vel[3 * i + 1] = p.Vy?[i] ?? 0;
            Vel[3 * i + 2] = p.Vz?[i] ?? 0;
            Omega[3 * i] = p.Wx?[i] ?? 0;
            Omega[3 * i + 1] = p.Wy?[i] ?? 0;
            Omega[3 * i + 2] = p.Wz?[i] ?? 0;
            UpdateMass(i);
        }

        PosBuild = new double[3 * N];
        RadiusBuild = new double[N];
        BlockCount = (N + BlockSize - 1) >> BlockShift;
    }

    internal void UpdateMass(int i)
    {
        var r = Radius[i];
        var m = Density[i] * 4.0 / 3.0 * Math.PI * r * r * r;
        Mass[i] = m;
        InvMass[i] = 1.0 / m;
        InvInertia[i] = 1.0 / (0.4 * m * r * r);
    }

    private void SetUpWalls()
    {
        WallCount = _walls.Length;
        WallAxis = _walls.Select(w => w.Axis).ToArray();
        WallSide = _walls.Select(w => (double)w.Side).ToArray();
        WallPos = _walls.Select(w => w.Position).ToArray();
        WallVel = _walls.Select(w => w.Velocity).ToArray();
        WallType = _walls.Select(w => w.MaterialType).ToArray();
        WallShear = new double[3 * N * WallCount];
        WallForce = new double[3 * N * WallCount];
        WallTouch = new byte[N * WallCount];
        WallPosBuild = new double[WallCount];
        WallCandidates = new int[WallCount][];
        for (var w = 0; w < WallCount; w++)
        {
            WallCandidates[w] = [];
        }

        WallCandidateCount = new int[WallCount];
    }

    /// <summary>Face area a wall presses on: the product of the box extents across its axis [m2].</summary>
    public double FaceArea(int axis)
    {
        var area = 1.0;
        for (var a = 0; a < 3; a++)
        {
            if (a != axis)
            {
                area *= Extent(a);
            }
        }

        return area;
    }

    /// <summary>Extent along an axis: the periodic length, the gap between two walls on it, or the box.</summary>
    public double Extent(int axis)
    {
        if (Periodic[axis])
        {
            return BoxHi[axis] - BoxLo[axis];
        }

        double lo = double.NaN, hi = double.NaN;
        foreach (var w in _walls)
        {
            if (w.Axis == axis && w.Side == 1)
            {
                lo = w.Position;
            }
            else if (w.Axis == axis && w.Side == -1)
            {
                hi = w.Position;
            }
        }

        return !double.IsNaN(lo) && !double.IsNaN(hi) ? hi - lo : BoxHi[axis] - BoxLo[axis];
    }

    public void Dispose() => _team.Dispose();
}
