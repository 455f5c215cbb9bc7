// Settings of the electrodes' DEM packing studies (Twin:Dem): cadence, packing size, materials, deadline, queue.
namespace DigitalTwin.Twin.Dem;

/// <summary>
/// One particle type of the twin's DEM packing [Pa, dimensionless, kg.m-3, m]. Defaults are the
/// Alabdali2024_NMC532_LPSCl set of shared/DigitalTwin.Physics.Dem/Parameters (the peer LIGGGHTS deck's values).
/// </summary>
public sealed record PackingMaterial
{
    public string Name { get; init; } = "AM";

    public double YoungsModulus { get; init; } = 140e9;

    public double PoissonRatio { get; init; } = 0.30;

    public double Density { get; init; } = 4750;

    public double Restitution { get; init; } = 0.5;

    public double Friction { get; init; } = 0.4;

    public double MinRadius { get; init; } = 1.5e-6;

    public double MaxRadius { get; init; } = 5e-6;

    /// <summary>Mass share in the packing (Alabdali 2024: 73.3 % AM) [dimensionless].</summary>
    public double MassFraction { get; init; } = 0.733;
}

/// <summary>
/// How the twin studies an electrode's packing: at every <see cref="EveryCycles"/>-th cycle end (and on demand) the
/// electrode's packing is pressed to the stack pressure, then its active material swells to the state of charge.
/// </summary>
public sealed record PackingStudyOptions
{
    /// <summary>Run studies when a DEM service is configured.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Completed cycles between two cycle-end studies of an electrode; 0 = on demand only [count].</summary>
    public int EveryCycles { get; init; } = 1;

    /// <summary>Particles of the packing (small, so a study takes seconds) [count].</summary>
    public int ParticleCount { get; init; } = 150;

    /// <summary>Lateral (periodic) box edge [m].</summary>
    public double LateralSize { get; init; } = 30e-6;

    /// <summary>Solid fraction of the loose packing before pressing [dimensionless].</summary>
    public double InitialSolidFraction { get; init; } = 0.40;

    /// <summary>Pressing pressure when the design states no stack pressure (Alabdali 2024 hold 1–5 MPa; 30 MPa keeps a 150-particle press fast) [Pa].</summary>
    public double DefaultStackPressure { get; init; } = 30e6;

    /// <summary>Largest plate speed of the pressing servo (the deck's 5 m/s) [m.s-1].</summary>
    public double PlateSpeed { get; init; } = 5.0;

    /// <summary>Simulated time of the swelling ramp (10,000 steps of 0.2 ns) [s].</summary>
    public double SwellingTime { get; init; } = 2e-6;

    /// <summary>DEM time step (the deck's 0.2 ns); 0 lets the service choose [s].</summary>
    public double TimeStep { get; init; } = 2e-10;

    /// <summary>Worker threads per study on the DEM service; 0 = all its cores [count].</summary>
    public uint Threads { get; init; } = 1;

    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Active-material diameter strain per unit change of stoichiometry: the binder's swelling bridge (1/3 of the
    /// ~6.5 % volume change of NMC over its window, ElectrodeGrain) [dimensionless].
    /// </summary>
    public double SwellingPerStoichiometry { get; init; } = 0.065 / 3;

    /// <summary>Longest a study may take from request to result before it is cancelled.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Studies running on the DEM service at once, over all electrodes [count].</summary>
    public int MaxConcurrent { get; init; } = 1;

    /// <summary>Studies waiting or running; a cycle end beyond this skips its study [count].</summary>
    public int MaxQueued { get; init; } = 64;

    public PackingMaterial ActiveMaterial { get; init; } = new();

    /// <summary>Solid-electrolyte particles of a solid-state electrode (Li6PS5Cl in the default set); liquid cells pack AM only.</summary>
    public PackingMaterial SolidElectrolyte { get; init; } = new() { Name = "SE", YoungsModulus = 22e9, Density = 1640, MinRadius = 3e-6, MaxRadius = 6.5e-6, MassFraction = 0.267 };

    /// <summary>The pressing plates (steel).</summary>
    public PackingMaterial Wall { get; init; } = new() { Name = "wall", YoungsModulus = 210e9, Density = 7800 };

    /// <summary>Every problem with these settings, naming the key under <paramref name="prefix"/>.</summary>
    public IEnumerable<string> Problems(string prefix)
    {
        if (EveryCycles < 0)
        {
            yield return $"{prefix}:EveryCycles = {EveryCycles}: must be >= 0 (0 = on demand only)";
        }

        if (ParticleCount < 2)
        {
            yield return $"{prefix}:ParticleCount = {ParticleCount}: must be >= 2";
        }

        foreach (var (key, value) in new[] { ("LateralSize", LateralSize), ("DefaultStackPressure", DefaultStackPressure), ("PlateSpeed", PlateSpeed), ("SwellingTime", SwellingTime) })
        {
            if (!(value > 0) || !double.IsFinite(value))
            {
                yield return $"{prefix}:{key} = {value}: must be a positive number";
            }
        }

        if (!(InitialSolidFraction > 0 && InitialSolidFraction < 0.74))
        {
            yield return $"{prefix}:InitialSolidFraction = {InitialSolidFraction}: must be in (0, 0.74)";
        }

        if (!(TimeStep >= 0) || TimeStep > SwellingTime)
        {
            yield return $"{prefix}:TimeStep = {TimeStep}: must be >= 0 and below SwellingTime";
        }

        if (Deadline <= TimeSpan.Zero)
        {
            yield return $"{prefix}:Deadline = {Deadline}: must be positive";
        }

        if (MaxConcurrent < 1)
        {
            yield return $"{prefix}:MaxConcurrent = {MaxConcurrent}: must be >= 1";
        }

        if (MaxQueued < MaxConcurrent)
        {
            yield return $"{prefix}:MaxQueued = {MaxQueued}: must be >= MaxConcurrent ({MaxConcurrent})";
        }

        foreach (var (key, m) in new[] { ("ActiveMaterial", ActiveMaterial), ("SolidElectrolyte", SolidElectrolyte), ("Wall", Wall) })
        {
            if (!(m.YoungsModulus > 0) || !(m.Density > 0) || !(m.PoissonRatio > -1 && m.PoissonRatio < 0.5))
            {
                yield return $"{prefix}:{key}: YoungsModulus ({m.YoungsModulus}) and Density ({m.Density}) must be > 0 and PoissonRatio ({m.PoissonRatio}) in (-1, 0.5)";
            }

            if (key != "Wall" && !(m.MinRadius > 0 && m.MaxRadius >= m.MinRadius))
            {
                yield return $"{prefix}:{key}: MinRadius ({m.MinRadius}) must be > 0 and MaxRadius ({m.MaxRadius}) >= MinRadius";
            }
        }
    }
}
