// What a DEM run is built from: the box (periodic axes), the particles, the walls, the contact
// model and the numerics. Validated as a whole by DemSystem; every problem is reported at once.
using DigitalTwin.Physics.Dem.Contact;

namespace DigitalTwin.Physics.Dem;

/// <summary>Simulation box [m]; on a periodic axis particles wrap, elsewhere walls (or nothing) bound them.</summary>
public sealed record DemBox(double[] Lo, double[] Hi, bool[] Periodic)
{
    public double Length(int axis) => Hi[axis] - Lo[axis];
}

/// <summary>Initial particles as plain arrays (SI). Velocities and spins default to zero.</summary>
public sealed class ParticleInput
{
    public required double[] X { get; init; }

    public required double[] Y { get; init; }

    public required double[] Z { get; init; }

    public required double[] Radius { get; init; }

    /// <summary>Density [kg/m3].</summary>
    public required double[] Density { get; init; }

    /// <summary>0-based material type.</summary>
    public required int[] Type { get; init; }

    /// <summary>Stable particle ids (outputs, restart); defaults to 1..N.</summary>
    public int[]? Id { get; init; }

    public double[]? Vx { get; init; }

    public double[]? Vy { get; init; }

    public double[]? Vz { get; init; }

    public double[]? Wx { get; init; }

    public double[]? Wy { get; init; }

    public double[]? Wz { get; init; }

    public int Count => X.Length;
}

/// <summary>Servo on a wall's load (LIGGGHTS fix mesh/surface/stress/servo, ctrlPV force):
/// inward speed u = vmax (kp e + ki ∫e dt + kd de/dt), e = (F_target - F_load)/F_target, |u| &lt;= vmax.</summary>
public sealed class ServoControl
{
    /// <summary>Target pressure [Pa]; the target force is this times the wall's current face area.</summary>
    public double TargetPressure { get; set; }

    /// <summary>Speed cap [m/s].</summary>
    public double VelocityMax { get; set; }

    public double Kp { get; set; } = 1.0;

    public double Ki { get; set; }

    public double Kd { get; set; }

    internal double ErrorIntegral;
    internal double OldLoad;
}

/// <summary>An infinite plane normal to one axis. Particles live on the side given by <see cref="Side"/>.</summary>
public sealed class PlaneWall
{
    public PlaneWall(string name, int axis, int side, double position, int materialType)
    {
        Name = name;
        Axis = axis;
        Side = side;
        Position = position;
        MaterialType = materialType;
    }

    public string Name { get; }

    /// <summary>0 = x, 1 = y, 2 = z.</summary>
    public int Axis { get; }

    /// <summary>+1: particles are at larger coordinates (a floor); -1: at smaller (a lid).</summary>
    public int Side { get; }

    /// <summary>Plane coordinate along the axis [m].</summary>
    public double Position { get; set; }

    /// <summary>Velocity along +axis [m/s] (set by the servo if one is attached).</summary>
    public double Velocity { get; set; }

    public int MaterialType { get; }

    public ServoControl? Servo { get; set; }

    /// <summary>Force of the particles on the wall [N], last step.</summary>
    public double[] Force { get; } = new double[3];

    /// <summary>Compressive load: normal force the particles press onto the wall with [N].</summary>
    public double Load => -Side * Force[Axis];

    /// <summary>Contacts with particles at the last step.</summary>
    public int ContactCount { get; internal set; }
}

/// <summary>Numerics and options of a run.</summary>
public sealed class DemSettings
{
    public required double TimeStep { get; init; }

    /// <summary>Neighbour skin [m]; lists are rebuilt when a particle moved (or grew) by half of it.</summary>
    public required double Skin { get; init; }

    public ContactModelOptions Contact { get; init; } = new();

    /// <summary>Worker threads of the force loop; results do not depend on it (reductions run over fixed blocks).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Fewer particles per thread than this and threads are dropped (a short step cannot pay for the barriers).</summary>
    public int MinParticlesPerThread { get; init; } = 1500;

    /// <summary>The run is refused if dt exceeds this fraction of the smallest Rayleigh time.</summary>
    public double MaxRayleighFraction { get; init; } = 0.3;

    /// <summary>Above this fraction a warning is recorded (LIGGGHTS check/timestep/gran uses 0.2).</summary>
    public double WarnRayleighFraction { get; init; } = 0.2;

    /// <summary>Largest expected relative impact speed for the Hertz-time check [m/s].</summary>
    public double CharacteristicSpeed { get; init; } = 5.0;

    /// <summary>The run is refused if dt exceeds this fraction of the Hertz contact time at that speed.</summary>
    public double MaxHertzFraction { get; init; } = 0.2;

    /// <summary>Largest initial overlap accepted, relative to the smaller radius (packings from a restart set it higher).</summary>
    public double InitialOverlapTolerance { get; init; } = 1e-6;

    /// <summary>Viscous drag on every particle, F = -c m v and T = -c I w [1/s] (LAMMPS fix viscous); 0 = off.</summary>
    public double GlobalDamping { get; init; }
}
