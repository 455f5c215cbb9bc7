// Integrates a fully strain-controlled history (total strain and eigenstrain per sample) of one material point,
// halving refused increments recursively; a history that still cannot be integrated is refused with the reason.
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Drivers;

public sealed class StrainHistoryIntegrator(PerzynaLudwik law)
{
    private const int MaximumDepth = 24;

    /// <summary>Sub-steps taken by the last call.</summary>
    public int SubSteps { get; private set; }

    /// <summary>
    /// Advances the state (plastic strain [6], ε̄p) from (strain0, eigen0) to (strain1, eigen1) over Δt [s]; writes the
    /// end stress [Pa, 6] and, if given, the tangent of the last sub-step [36].
    /// </summary>
    public void Advance(ReadOnlySpan<double> strain0, ReadOnlySpan<double> eigen0, ReadOnlySpan<double> strain1, ReadOnlySpan<double> eigen1,
        double timeStep, Span<double> plasticStrain, ref double accumulatedPlasticStrain, Span<double> stress, Span<double> tangent)
    {
        SubSteps = 0;
        Recurse(strain0, eigen0, strain1, eigen1, timeStep, plasticStrain, ref accumulatedPlasticStrain, stress, tangent, 0);
    }

    private void Recurse(ReadOnlySpan<double> s0, ReadOnlySpan<double> e0, ReadOnlySpan<double> s1, ReadOnlySpan<double> e1, double dt,
        Span<double> plastic, ref double p, Span<double> stress, Span<double> tangent, int depth)
    {
        Span<double> trialPlastic = stackalloc double[6];
        plastic.CopyTo(trialPlastic);
        var trialP = p;
        if (law.Update(s1, e1, dt, trialPlastic, ref trialP, stress, tangent) != UpdateStatus.Refused)
        {
            trialPlastic.CopyTo(plastic);
            p = trialP;
            return;
        }

        if (depth >= MaximumDepth)
        {
            throw new ViscoplasticInputException("strain history", [$"increment refused after {depth} halvings: {law.RefusalReason(s1, e1, plastic, p, dt)}"]);
        }

        SubSteps++;
        Span<double> sm = stackalloc double[6];
        Span<double> em = stackalloc double[6];
        for (var i = 0; i < 6; i++)
        {
            sm[i] = 0.5 * (s0[i] + s1[i]);
            em[i] = 0.5 * (e0[i] + e1[i]);
        }

        Recurse(s0, e0, sm, em, 0.5 * dt, plastic, ref p, stress, tangent, depth + 1);
        Recurse(sm, em, s1, e1, 0.5 * dt, plastic, ref p, stress, tangent, depth + 1);
    }
}
