// Small systems the tests share: one material, two spheres, a sphere and a wall, a random gas.
using DigitalTwin.Physics.Dem.Contact;
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Physics.Dem.Tests;

internal static class TestSystems
{
    public const double E = 140e9;
    public const double Nu = 0.3;
    public const double Rho = 4750;

    public static MaterialTable OneMaterial(double restitution = 0.5, double friction = 0.4) =>
        new([new DemMaterial("AM", E, Nu), new DemMaterial("wall", 210e9, Nu)], (_, _) => new DemPairProperties(restitution, friction));

    public static ContactModelOptions Elastic { get; } = new() { Damping = "none", Tangential = "none" };

    public static DemSystem TwoSpheres(MaterialTable m, ContactModelOptions contact, double radius, double speed, double dt, double gap = 0.01)
    {
        var x0 = radius * (1 + gap);
        var box = new DemBox([-10 * radius, -10 * radius, -10 * radius], [10 * radius, 10 * radius, 10 * radius], [false, false, false]);
        var p = new ParticleInput
        {
            X = [-x0, x0], Y = [0, 0], Z = [0, 0], Radius = [radius, radius], Density = [Rho, Rho], Type = [0, 0],
            Vx = [speed / 2, -speed / 2], Vy = [0, 0], Vz = [0, 0],
        };
        return new DemSystem(m, box, p, [], new DemSettings { TimeStep = dt, Skin = 0.2 * radius, Contact = contact, Threads = 1, CharacteristicSpeed = speed });
    }

    /// <summary>A loose composite packing of about n particles on the deck's recipe, in a periodic footprint with plates.</summary>
    public static (DemSystem System, PlaneWall Bottom, PlaneWall Top) SmallCompaction(int n, ulong seed, double pressure, int threads, double vmax = 5.0)
    {
        var p = CompositeParameters.Default;
        var g = PackingGenerator.Generate(p, n, seed);
        var box = new DemBox([0, 0, -2e-6], [g.FootprintM, g.FootprintM, g.HeightM + 4e-6], [true, true, false]);
        var bottom = new PlaneWall("bottom", 2, 1, 0, CompositeParameters.Wall);
        var top = new PlaneWall("top", 2, -1, g.HeightM, CompositeParameters.Wall)
        {
            Servo = new ServoControl { TargetPressure = pressure, VelocityMax = vmax, Kp = 1.0 },
        };
        var s = new DemSystem(p.CreateMaterials(), box, CompactionStudy.ToInput(g.Packing), [bottom, top],
            new DemSettings { TimeStep = p.TimeStepS, Skin = p.SkinM, Threads = threads, MinParticlesPerThread = 1 });
        return (s, bottom, top);
    }
}
