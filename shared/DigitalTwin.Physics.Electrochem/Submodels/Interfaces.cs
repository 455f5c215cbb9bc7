// One interface per mechanism (STYLE §5); the options table picks an implementation of each.
namespace DigitalTwin.Physics.Electrochem.Submodels;

/// <summary>
/// Solid transport in a bank of particles (one per electrode node and size class). Sign: j &gt; 0 is
/// deintercalation (anodic), as in PyBaMM; the particle then loses lithium through its surface.
/// </summary>
public interface IParticleTransport
{
    /// <summary>Unknowns per particle.</summary>
    int PointsPerParticle { get; }

    /// <summary>Concentrations of all particles, particle-major [mol.m-3].</summary>
    Span<double> Concentration { get; }

    /// <summary>
    /// Newton linearisation of particle p for a step with BDF weight a0/h and history term hist (a1 c_n + a2 c_n-1)/h.
    /// Returns the surface concentration as c_surf(new) = alpha + beta * (j_new - j) and remembers how to update.
    /// With freeze the concentrations are held (consistent initialisation).
    /// </summary>
    void Linearise(int p, double j, double a0OverH, ReadOnlySpan<double> history, bool freeze, out double alpha, out double beta);

    /// <summary>Applies the Newton update of particle p once dj is known; returns the largest concentration change.</summary>
    double Update(int p, double dj);

    /// <summary>Current surface concentration of particle p for flux j [mol.m-3].</summary>
    double Surface(int p, double j);

    /// <summary>Volume-averaged concentration of particle p [mol.m-3].</summary>
    double Average(int p);

    /// <summary>Nodes of the radial profile <see cref="Profile"/> writes (centre and surface included).</summary>
    int ProfilePoints { get; }

    /// <summary>
    /// The radial profile of particle p for flux j as point values: radius [m] from 0 (centre) to R (surface) and
    /// concentration [mol.m-3], what the particle mechanics consumes.
    /// </summary>
    void Profile(int p, double j, Span<double> radius, Span<double> concentration);
}

/// <summary>Interfacial kinetics: current density j [A.m-2] from overpotential eta [V] and j0.</summary>
public interface IKinetics
{
    double Current(double eta, double j0, double thermalVoltage, out double dCurrentDEta, out double dCurrentDJ0);

    double Overpotential(double j, double j0, double thermalVoltage);
}

/// <summary>Exchange-current density j0 [A.m-2] and its partial derivatives.</summary>
public interface IExchangeCurrent
{
    double Evaluate(double ce, double cs, double temperature, out double dCe, out double dCs);
}

/// <summary>Counter-electrode overpotential for a half cell (Li metal), or none for a full cell.</summary>
public interface ICounterElectrode
{
    /// <summary>Overpotential [V] at the counter electrode for current density i (&gt; 0 discharge), and d/di.</summary>
    double Overpotential(double currentDensity, double thermalVoltage, out double dEtaDi);
}
