// Summaries of a radial concentration profile: volume-averaged and surface stoichiometry.
namespace DigitalTwin.Estimation.Particles;

public static class ProfileSummary
{
    /// <summary>
    /// Volume average θ̄ = ∫c r² dr / (c_max ∫r² dr) by the trapezoid rule on the given nodes (exact for a profile
    /// linear between nodes times r²'s trapezoid error), and the surface value c(R)/c_max [dimensionless].
    /// </summary>
    public static (double Average, double Surface) Of(IReadOnlyList<double> radius, IReadOnlyList<double> concentration, double maxConcentration)
    {
        ArgumentNullException.ThrowIfNull(radius);
        ArgumentNullException.ThrowIfNull(concentration);
        if (radius.Count != concentration.Count || radius.Count == 0 || !(maxConcentration > 0))
        {
            throw new ArgumentException($"A profile needs matching radius and concentration columns and a positive maximum concentration (had {radius.Count} radii, {concentration.Count} values, c_max {maxConcentration}).");
        }

        if (radius.Count == 1)
        {
            var only = concentration[0] / maxConcentration;
            return (only, only);
        }

        double numerator = 0, denominator = 0;
        for (var i = 1; i < radius.Count; i++)
        {
            var dr = radius[i] - radius[i - 1];
            var w0 = radius[i - 1] * radius[i - 1];
            var w1 = radius[i] * radius[i];
            numerator += 0.5 * dr * ((w0 * concentration[i - 1]) + (w1 * concentration[i]));
            denominator += 0.5 * dr * (w0 + w1);
        }

        return (numerator / denominator / maxConcentration, concentration[^1] / maxConcentration);
    }
}
