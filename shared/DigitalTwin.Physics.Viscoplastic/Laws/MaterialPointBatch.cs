// Structure-of-arrays state of many binder material points and one backward-Euler update over all of them.
namespace DigitalTwin.Physics.Viscoplastic.Laws;

public sealed class MaterialPointBatch
{
    public MaterialPointBatch(PerzynaLudwik law, int count)
    {
        if (count < 1)
        {
            throw new ViscoplasticInputException("material point batch", [$"point count = {count} must be at least 1"]);
        }

        Law = law;
        Count = count;
        Strain = new double[6 * count];
        Eigenstrain = new double[6 * count];
        PlasticStrain = new double[6 * count];
        AccumulatedPlasticStrain = new double[count];
        Stress = new double[6 * count];
        Status = new UpdateStatus[count];
    }

    public PerzynaLudwik Law { get; }

    public int Count { get; }

    /// <summary>Input: total strain per point [6, engineering shears].</summary>
    public double[] Strain { get; }

    /// <summary>Input: eigenstrain (swelling) per point [6].</summary>
    public double[] Eigenstrain { get; }

    /// <summary>State: plastic strain per point [6].</summary>
    public double[] PlasticStrain { get; }

    /// <summary>State: ε̄p per point [-].</summary>
    public double[] AccumulatedPlasticStrain { get; }

    /// <summary>Output: stress per point [Pa, 6].</summary>
    public double[] Stress { get; }

    /// <summary>Output: status per point; refused points keep their state.</summary>
    public UpdateStatus[] Status { get; }

    /// <summary>Updates points [from, to) over Δt [s]; returns the number refused.</summary>
    public int Update(double timeStep, int from = 0, int to = -1)
    {
        if (to < 0)
        {
            to = Count;
        }

        var refused = 0;
        var law = Law;
        for (var i = from; i < to; i++)
        {
            var o = 6 * i;
            var status = law.Update(Strain.AsSpan(o, 6), Eigenstrain.AsSpan(o, 6), timeStep, PlasticStrain.AsSpan(o, 6),
                ref AccumulatedPlasticStrain[i], Stress.AsSpan(o, 6), []);
            Status[i] = status;
            refused += status == UpdateStatus.Refused ? 1 : 0;
        }

        return refused;
    }

    /// <summary>The refusal reasons of every refused point, for one error message.</summary>
    public IReadOnlyList<string> RefusalReasons(double timeStep)
    {
        var reasons = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            if (Status[i] == UpdateStatus.Refused)
            {
                var o = 6 * i;
                reasons.Add($"point {i}: " + Law.RefusalReason(Strain.AsSpan(o, 6), Eigenstrain.AsSpan(o, 6), PlasticStrain.AsSpan(o, 6), AccumulatedPlasticStrain[i], timeStep));
            }
        }

        return reasons;
    }
}
