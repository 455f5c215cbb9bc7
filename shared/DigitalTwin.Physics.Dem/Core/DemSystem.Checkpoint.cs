// Checkpoint and restart: the whole dynamic state (particles in their current order, neighbour list
// with tangential history, wall and servo state, bonds with their history and energy books, clock) as bytes,
// so a restarted run continues bit for bit.
namespace DigitalTwin.Physics.Dem;

public sealed partial class DemSystem
{
    private const string Magic = "DTDEMCK3";

    /// <summary>The format before bonds were carried: still read (it has no bond section).</summary>
    private const string MagicWithoutBonds = "DTDEMCK2";

    /// <summary>Serialises the full state; the caller decides where the bytes go.</summary>
    public byte[] SaveCheckpoint()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(Magic);
            w.Write(N);
            w.Write(Time);
            w.Write(Step);
            w.Write(Dt);
            w.Write(Builds);
            for (var a = 0; a < 3; a++)
            {
                w.Write(BoxLo[a]);
                w.Write(BoxHi[a]);
                w.Write(Periodic[a]);
            }

            WriteArray(w, Pos, 3 * N);
            WriteArray(w, Vel, 3 * N);
            WriteArray(w, Omega, 3 * N);
            WriteArray(w, Force, 3 * N);
            WriteArray(w, Torque, 3 * N);
            WriteArray(w, Radius, N);
            WriteArray(w, Radius0, N);
            WriteArray(w, Density, N);
            WriteArray(w, PosBuild, 3 * N);
            WriteArray(w, RadiusBuild, N);
            for (var i = 0; i < N; i++)
            {
                w.Write(Type[i]);
                w.Write(Id[i]);
            }

            WriteArray(w, _typeScale, _typeScale.Length);
            w.Write(WallCount);
            foreach (var wall in _walls)
            {
                w.Write(wall.Name);
                w.Write(wall.Axis);
                w.Write(wall.Side);
                w.Write(wall.MaterialType);
                w.Write(wall.Position);
                w.Write(wall.Velocity);
                w.Write(wall.Servo is not null);
                if (wall.Servo is { } sv)
                {
                    w.Write(sv.TargetPressure);
                    w.Write(sv.VelocityMax);
                    w.Write(sv.Kp);
                    w.Write(sv.Ki);
                    w.Write(sv.Kd);
                    w.Write(sv.ErrorIntegral);
                    w.Write(sv.OldLoad);
                }
            }

            WriteArray(w, WallShear, 3 * N * WallCount);
            WriteArray(w, WallForce, 3 * N * WallCount);
            w.Write(N * WallCount);
            w.Write(WallTouch, 0, N * WallCount);
            WriteArray(w, WallPosBuild, WallCount);
            w.Write(PairCount);
            for (var i = 0; i <= N; i++)
            {
                w.Write(NeighStart[i]);
            }

            for (var p = 0; p < PairCount; p++)
            {
                w.Write(NeighJ[p]);
                w.Write(NeighImage[p]);
            }

            WriteArray(w, ShearX, PairCount);
            WriteArray(w, ShearY, PairCount);
            WriteArray(w, ShearZ, PairCount);
            WriteBonds(w);
        }

        return ms.ToArray();
    }

    /// <summary>Rebuilds a system from <see cref="SaveCheckpoint"/> bytes with the same materials and settings (threads may differ).</summary>
    public static DemSystem Restore(byte[] checkpoint, MaterialTable materials, DemSettings settings)
    {
        using var r = new BinaryReader(new MemoryStream(checkpoint));
        var magic = r.ReadString();
        if (magic is not (Magic or MagicWithoutBonds))
        {
            throw new DemInputException(["checkpoint: not a DigitalTwin DEM checkpoint (bad header)"]);
        }

        var n = r.ReadInt32();
        var time = r.ReadDouble();
        var step = r.ReadInt64();
        var dt = r.ReadDouble();
        var builds = r.ReadInt32();
        var lo = new double[3];
        var hi = new double[3];
        var per = new bool[3];
        for (var a = 0; a < 3; a++)
        {
            lo[a] = r.ReadDouble();
            hi[a] = r.ReadDouble();
            per[a] = r.ReadBoolean();
        }

        var pos = ReadArray(r, 3 * n);
        var vel = ReadArray(r, 3 * n);
        var omg = ReadArray(r, 3 * n);
        var force = ReadArray(r, 3 * n);
        var torque = ReadArray(r, 3 * n);
        var radius = ReadArray(r, n);
        var radius0 = ReadArray(r, n);
        var density = ReadArray(r, n);
        var posBuild = ReadArray(r, 3 * n);
        var radiusBuild = ReadArray(r, n);
        var type = new int[n];
        var id = new int[n];
        for (var i = 0; i < n; i++)
        {
            type[i] = r.ReadInt32();
            id[i] = r.ReadInt32();
        }

        var typeScale = ReadArray(r, materials.TypeCount);
        var nw = r.ReadInt32();
        var walls = new List<PlaneWall>();
        for (var k = 0; k < nw; k++)
        {
            var wall = new PlaneWall(r.ReadString(), r.ReadInt32(), r.ReadInt32(), 0, 0);
            var mt = r.ReadInt32();
            wall = new PlaneWall(wall.Name, wall.Axis, wall.Side, r.ReadDouble(), mt) { Velocity = r.ReadDouble() };
            if (r.ReadBoolean())
            {
                wall.Servo = new ServoControl
                {
                    TargetPressure = r.ReadDouble(), VelocityMax = r.ReadDouble(), Kp = r.ReadDouble(), Ki = r.ReadDouble(), Kd = r.ReadDouble(),
                    ErrorIntegral = r.ReadDouble(), OldLoad = r.ReadDouble(),
                };
            }

            walls.Add(wall);
        }

        // Restored states are compressed packings: accept their overlaps and current wall contacts.
        var relaxed = new DemSettings
        {
            TimeStep = dt, Skin = settings.Skin, Contact = settings.Contact, Threads = settings.Threads, MinParticlesPerThread = settings.MinParticlesPerThread,
            MaxRayleighFraction = settings.MaxRayleighFraction, WarnRayleighFraction = settings.WarnRayleighFraction,
            CharacteristicSpeed = settings.CharacteristicSpeed, MaxHertzFraction = settings.MaxHertzFraction,
            InitialOverlapTolerance = double.PositiveInfinity, GlobalDamping = settings.GlobalDamping,
        };
        var input = new ParticleInput
        {
            X = Enumerable.Range(0, n).Select(i => pos[3 * i]).ToArray(),
            Y = Enumerable.Range(0, n).Select(i => pos[3 * i + 1]).ToArray(),
            Z = Enumerable.Range(0, n).Select(i => pos[3 * i + 2]).ToArray(),
            Radius = radius0, Density = density, Type = type, Id = id,
        };
        var s = new DemSystem(materials, new DemBox(lo, hi, per), input, walls, relaxed, restoring: true);

        s.Time = time;
        s.Step = step;
        s.Dt = dt;
        s.Builds = builds;
        s.Pos = pos;
        s.Vel = vel;
        s.Omega = omg;
        s.Force = force;
        s.Torque = torque;
        s.Radius = radius;
        s.PosBuild = posBuild;
        s.RadiusBuild = radiusBuild;
        Array.Copy(typeScale, s._typeScale, typeScale.Length);
        for (var i = 0; i < n; i++)
        {
            s.UpdateMass(i);
        }

        s.WallShear = ReadArray(r, 3 * n * nw);
        s.WallForce = ReadArray(r, 3 * n * nw);
        s.WallTouch = r.ReadBytes(r.ReadInt32());
        s.WallPosBuild = ReadArray(r, nw);
        s.PairCount = r.ReadInt32();
        s.NeighStart = new int[n + 1];
        for (var i = 0; i <= n; i++)
        {
            s.NeighStart[i] = r.ReadInt32();
        }

        s.NeighJ = new int[s.PairCount];
        s.NeighImage = new byte[s.PairCount];
        for (var p = 0; p < s.PairCount; p++)
        {
            s.NeighJ[p] = r.ReadInt32();
            s.NeighImage[p] = r.ReadByte();
        }

        s.ShearX = ReadArray(r, s.PairCount);
        s.ShearY = ReadArray(r, s.PairCount);
        s.ShearZ = ReadArray(r, s.PairCount);
        if (magic == Magic)
        {
            s.ReadBonds(r);
        }

        s._forceRebuild = false;
        s.BuildReverse();
        s.Partition();
        s.SyncWallsIn();
        s.BuildWallCandidates();
        return s;
    }

    private static void WriteArray(BinaryWriter w, double[] a, int n)
    {
        for (var i = 0; i < n; i++)
        {
            w.Write(a[i]);
        }
    }

    private static double[] ReadArray(BinaryReader r, int n)
    {
        var a = new double[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = r.ReadDouble();
        }

        return a;
    }
}
