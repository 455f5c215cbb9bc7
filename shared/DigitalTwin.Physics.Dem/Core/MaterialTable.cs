// Material and type-pair properties, and the derived pair constants LIGGGHTS builds
// (createYeff/createGeff/createBetaEff in global_properties.cpp): Y*, G*, beta per type pair.
namespace DigitalTwin.Physics.Dem;

/// <summary>Elastic properties of one material type (particle or wall).</summary>
/// <param name="Name">Label used in messages and outputs (e.g. "AM").</param>
/// <param name="YoungsModulus">E [Pa].</param>
/// <param name="PoissonRatio">nu [-].</param>
public sealed record DemMaterial(string Name, double YoungsModulus, double PoissonRatio);

/// <summary>Properties of a type pair (symmetric).</summary>
/// <param name="Restitution">coefficient of restitution e (0, 1].</param>
/// <param name="Friction">Coulomb friction mu [-].</param>
/// <param name="CohesionEnergyDensity">SJKR cohesion energy density k [J/m3].</param>
/// <param name="RollingFriction">rolling friction coefficient mu_r [-] (CDT law).</param>
public sealed record DemPairProperties(double Restitution, double Friction, double CohesionEnergyDensity = 0.0, double RollingFriction = 0.0);

/// <summary>Per-type and per-type-pair constants, validated once, stored as flat arrays indexed ti*TypeCount+tj.</summary>
public sealed class MaterialTable
{
    public MaterialTable(IReadOnlyList<DemMaterial> materials, Func<int, int, DemPairProperties> pair)
    {
        var problems = new List<string>();
        var n = materials.Count;
        if (n == 0)
        {
            problems.Add("materials: at least one material type is required");
        }

        for (var t = 0; t < n; t++)
        {
            var m = materials[t];
            if (!(m.YoungsModulus > 0 && m.YoungsModulus < 1e13))
            {
                problems.Add($"materials[{t}] ({m.Name}).YoungsModulus = {m.YoungsModulus} Pa: must be in (0, 1e13) Pa");
            }

            if (!(m.PoissonRatio > -1 && m.PoissonRatio < 0.5))
            {
                problems.Add($"materials[{t}] ({m.Name}).PoissonRatio = {m.PoissonRatio}: must be in (-1, 0.5)");
            }
        }

        TypeCount = n;
        Materials = materials.ToArray();
        Yeff = new double[n * n];
        Geff = new double[n * n];
        Beta = new double[n * n];
        Friction = new double[n * n];
        Restitution = new double[n * n];
        Cohesion = new double[n * n];
        RollingFriction = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var p = pair(i, j);
                var q = pair(j, i);
                var label = $"pair ({materials[i].Name}, {materials[j].Name})";
                if (p != q)
                {
                    problems.Add($"{label}: properties must be symmetric, got {p} and {q}");
                }

                if (!(p.Restitution > 0 && p.Restitution <= 1))
                {
                    problems.Add($"{label}.Restitution = {p.Restitution}: must be in (0, 1]");
                }

                if (!(p.Friction >= 0 && p.Friction <= 10))
                {
                    problems.Add($"{label}.Friction = {p.Friction}: must be in [0, 10]");
                }

                if (!(p.CohesionEnergyDensity >= 0 && double.IsFinite(p.CohesionEnergyDensity)))
                {
                    problems.Add($"{label}.CohesionEnergyDensity = {p.CohesionEnergyDensity} J/m3: must be finite and >= 0");
                }

                if (!(p.RollingFriction >= 0 && p.RollingFriction <= 10))
                {
                    problems.Add($"{label}.RollingFriction = {p.RollingFriction}: must be in [0, 10]");
                }

                var k = i * n + j;
                var (ei, ni) = (materials[i].YoungsModulus, materials[i].PoissonRatio);
                var (ej, nj) = (materials[j].YoungsModulus, materials[j].PoissonRatio);
                Yeff[k] = 1.0 / ((1 - ni * ni) / ei + (1 - nj * nj) / ej);
                Geff[k] = 1.0 / (2 * (2 - ni) * (1 + ni) / ei + 2 * (2 - nj) * (1 + nj) / ej);
                var le = Math.Log(p.Restitution);
                Beta[k] = le / Math.Sqrt(le * le + Math.PI * Math.PI);
                Friction[k] = p.Friction;
                Restitution[k] = p.Restitution;
                Cohesion[k] = p.CohesionEnergyDensity;
                RollingFriction[k] = p.RollingFriction;
            }
        }

        DemInputException.ThrowIfAny(problems);
    }

    public int TypeCount { get; }

    public IReadOnlyList<DemMaterial> Materials { get; }

    /// <summary>Y* = 1/((1-nu_i^2)/E_i + (1-nu_j^2)/E_j) [Pa].</summary>
    public double[] Yeff { get; }

    /// <summary>G* = 1/(2(2-nu_i)(1+nu_i)/E_i + 2(2-nu_j)(1+nu_j)/E_j) [Pa].</summary>
    public double[] Geff { get; }

    /// <summary>beta = ln e / sqrt(ln^2 e + pi^2) (negative for e &lt; 1).</summary>
    public double[] Beta { get; }

    public double[] Friction { get; }

    public double[] Restitution { get; }

    public double[] Cohesion { get; }

    public double[] RollingFriction { get; }

    public int Pair(int ti, int tj) => ti * TypeCount + tj;

    /// <summary>Same table with the SJKR cohesion energy density of every particle pair (not walls) replaced.</summary>
    public MaterialTable WithCohesion(double energyDensity, Func<int, int, bool> applies) =>
        new(Materials, (i, j) =>
        {
            var k = Pair(i, j);
            return new DemPairProperties(Restitution[k], Friction[k], applies(i, j) ? energyDensity : Cohesion[k], RollingFriction[k]);
        });

    /// <summary>Shear modulus G = E / (2(1+nu)) of one type [Pa].</summary>
    public double ShearModulus(int type) => Materials[type].YoungsModulus / (2 * (1 + Materials[type].PoissonRatio));
}
