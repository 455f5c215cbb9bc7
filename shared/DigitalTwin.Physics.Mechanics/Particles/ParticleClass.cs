// Configuration of one particle class (a size/material class of an electrode): grid, elasticity, swelling law,
// and the optional interface, grain-mismatch, strength and crack-growth models. Immutable, shared by its cells.
using DigitalTwin.Physics.Mechanics.ChemicalStrain;
using DigitalTwin.Physics.Mechanics.Elasticity;
using DigitalTwin.Physics.Mechanics.Grains;
using DigitalTwin.Physics.Mechanics.Interface;
using DigitalTwin.Physics.Mechanics.Sphere;
using DigitalTwin.Physics.Mechanics.Strength;

namespace DigitalTwin.Physics.Mechanics.Particles;

public sealed class ParticleClass
{
    private ParticleClass(string id, SphereGrid grid, IsotropicElasticity elasticity, IChemicalStrain strain,
        ParticleInterface? particleInterface, GrainBoundaryMismatch? mismatch, ParticleStrengthLaw? strength,
        ParisCrackGrowth? cracking, Strength.Environment environment)
    {
        Id = id;
        Grid = grid;
        Elasticity = elasticity;
        Strain = strain;
        Interface = particleInterface;
        Mismatch = mismatch;
        StrengthLaw = strength;
        Cracking = cracking;
        Environment = environment;
    }

    /// <summary>Name of the class within its electrode, e.g. "positive/r3.0um".</summary>
    public string Id { get; }

    public SphereGrid Grid { get; }

    public IsotropicElasticity Elasticity { get; }

    public IChemicalStrain Strain { get; }

    /// <summary>Null for a free particle (liquid electrolyte): zero surface traction.</summary>
    public ParticleInterface? Interface { get; }

    /// <summary>Null unless the swelling law is anisotropic.</summary>
    public GrainBoundaryMismatch? Mismatch { get; }

    public ParticleStrengthLaw? StrengthLaw { get; }

    public ParisCrackGrowth? Cracking { get; }

    public Strength.Environment Environment { get; }

    public static ParticleClass Create(string id, SphereGrid grid, IsotropicElasticity elasticity, IChemicalStrain strain,
        ParticleInterface? particleInterface = null, GrainBoundaryMismatch? mismatch = null, ParticleStrengthLaw? strength = null,
        ParisCrackGrowth? cracking = null, Strength.Environment environment = Strength.Environment.Liquid)
    {
        var problems = new ParameterProblems($"particle class '{id}'");
        if (string.IsNullOrWhiteSpace(id))
        {
            problems.Add("class id is empty");
        }

        if (mismatch is not null && strain is not IAnisotropicChemicalStrain)
        {
            problems.Add($"grain-boundary mismatch needs an anisotropic swelling law, not '{strain.Name}'");
        }

        if (particleInterface is { SurfaceGrainSize: > 0 } && strain is not IAnisotropicChemicalStrain)
        {
            problems.Add($"interface surface-grain size > 0 needs an anisotropic swelling law, not '{strain.Name}'");
        }

        problems.ThrowIfAny();
        return new ParticleClass(id, grid, elasticity, strain, particleInterface, mismatch, strength, cracking, environment);
    }
}
