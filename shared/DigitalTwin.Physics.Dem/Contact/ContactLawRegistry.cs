// The one registry table of contact laws (STYLE §8): names per slot, what each needs, and the
// dispatch that turns a validated selection into one generic force loop (JIT-specialised, no virtual call per contact).
namespace DigitalTwin.Physics.Dem.Contact;

public enum ContactSlot
{
    Normal,
    Damping,
    Tangential,
    Cohesion,
    Rolling,
    Bond,
}

/// <summary>One registered law: its slot, name and a one-line description for docs and error messages.</summary>
public sealed record ContactLawInfo(ContactSlot Slot, string Name, string Description);

/// <summary>Which law fills each slot, plus the LIGGGHTS options tangential_damping and limitForce.</summary>
public sealed record ContactModelOptions
{
    public string Normal { get; init; } = "hertz";

    public string Damping { get; init; } = "viscous";

    public string Tangential { get; init; } = "history";

    public string Cohesion { get; init; } = "none";

    public string Rolling { get; init; } = "none";

    /// <summary>Irreversible bond between particles formed by DemSystem.FormBonds (Contact/Bonds).</summary>
    public string Bond { get; init; } = "none";

    /// <summary>Damp the tangential spring while sticking (LIGGGHTS tangential_damping on).</summary>
    public bool TangentialDamping { get; init; } = true;

    /// <summary>Clip the normal force at zero so damping never attracts (LIGGGHTS limitForce on).</summary>
    public bool LimitForce { get; init; } = true;

    /// <summary>Characteristic impact velocity for the Hooke stiffness [m/s].</summary>
    public double CharacteristicVelocity { get; init; } = 1.0;
}

public static class ContactLawRegistry
{
    /// <summary>Every law, one row each; selections are validated against this table.</summary>
    public static IReadOnlyList<ContactLawInfo> Laws { get; } =
    [
        new(ContactSlot.Normal, "hertz", "Hertz: F = 4/3 Y* sqrt(R*) d^1.5"),
        new(ContactSlot.Normal, "hooke", "linear spring, LIGGGHTS hooke stiffness from a characteristic velocity"),
        new(ContactSlot.Normal, "none", "no normal force"),
        new(ContactSlot.Damping, "viscous", "restitution-based viscous damping (normal, and tangential while sticking)"),
        new(ContactSlot.Damping, "none", "no damping"),
        new(ContactSlot.Tangential, "history", "Mindlin spring with history and Coulomb cap"),
        new(ContactSlot.Tangential, "none", "frictionless"),
        new(ContactSlot.Cohesion, "sjkr", "simplified JKR: F = k * contact area"),
        new(ContactSlot.Cohesion, "none", "no cohesion"),
        new(ContactSlot.Rolling, "cdt", "constant directional torque rolling resistance"),
        new(ContactSlot.Rolling, "none", "no rolling resistance"),
        new(ContactSlot.Bond, "parallel", "parallel bond (Potyondy-Cundall): normal, shear, bending, twist; breaks for good at its strength"),
        new(ContactSlot.Bond, "none", "no bonds"),
    ];

    /// <summary>All problems with a selection at once (unknown names list the valid ones).</summary>
    public static List<string> Validate(ContactModelOptions o)
    {
        var problems = new List<string>();
        Check(ContactSlot.Normal, o.Normal);
        Check(ContactSlot.Damping, o.Damping);
        Check(ContactSlot.Tangential, o.Tangential);
        Check(ContactSlot.Cohesion, o.Cohesion);
        Check(ContactSlot.Rolling, o.Rolling);
        Check(ContactSlot.Bond, o.Bond);
        if (o.Normal == "hooke" && !(o.CharacteristicVelocity > 0))
        {
            problems.Add($"contact.CharacteristicVelocity = {o.CharacteristicVelocity} m/s: must be > 0 for the hooke law");
        }

        return problems;

        void Check(ContactSlot slot, string name)
        {
            if (!Laws.Any(l => l.Slot == slot && l.Name == name))
            {
                var valid = string.Join(", ", Laws.Where(l => l.Slot == slot).Select(l => l.Name));
                problems.Add($"contact.{slot} = '{name}': unknown {slot.ToString().ToLowerInvariant()} law (known: {valid})");
            }
        }
    }

    internal static IForceKernel CreateKernel(ContactModelOptions o, MaterialTable t)
    {
        DemInputException.ThrowIfAny(Validate(o));
        return o.Normal switch
        {
            "hertz" => WithNormal(new HertzNormal(t), o, t),
            "hooke" => WithNormal(new HookeNormal(t, o.CharacteristicVelocity), o, t),
            _ => WithNormal(new NoNormal(), o, t),
        };
    }

    /// <summary>The bond pass of a selection; null for "none" (no pass at all).</summary>
    internal static Bonds.IBondKernel? CreateBondKernel(ContactModelOptions o) => o.Bond switch
    {
        "parallel" => new Bonds.BondKernel<Bonds.ParallelBond>(new Bonds.ParallelBond(), o.Bond),
        _ => null,
    };

    private static IForceKernel WithNormal<TN>(TN n, ContactModelOptions o, MaterialTable t)
        where TN : struct, INormalLaw =>
        o.Damping switch
        {
            "viscous" => WithDamping(n, new ViscousDamping(t, o.TangentialDamping, o.LimitForce), o, t),
            _ => WithDamping(n, new NoDamping(), o, t),
        };

    private static IForceKernel WithDamping<TN, TD>(TN n, TD d, ContactModelOptions o, MaterialTable t)
        where TN : struct, INormalLaw
        where TD : struct, IDampingLaw =>
        o.Cohesion switch
        {
            "sjkr" => WithCohesion(n, d, new SjkrCohesion(t), o, t),
            _ => WithCohesion(n, d, new NoCohesion(), o, t),
        };

    private static IForceKernel WithCohesion<TN, TD, TC>(TN n, TD d, TC c, ContactModelOptions o, MaterialTable t)
        where TN : struct, INormalLaw
        where TD : struct, IDampingLaw
        where TC : struct, ICohesionLaw =>
        o.Tangential switch
        {
            "history" => WithTangential(n, d, c, new HistoryTangential(t), o, t),
            _ => WithTangential(n, d, c, new NoTangential(), o, t),
        };

    private static IForceKernel WithTangential<TN, TD, TC, TT>(TN n, TD d, TC c, TT tt, ContactModelOptions o, MaterialTable t)
        where TN : struct, INormalLaw
        where TD : struct, IDampingLaw
        where TC : struct, ICohesionLaw
        where TT : struct, ITangentialLaw =>
        o.Rolling switch
        {
            "cdt" => new PairKernel<TN, TD, TC, TT, CdtRolling>(n, d, c, tt, new CdtRolling(t)),
            _ => new PairKernel<TN, TD, TC, TT, NoRolling>(n, d, c, tt, new NoRolling()),
        };
}
