// Time-step guard (LIGGGHTS fix check/timestep/gran): dt against the Rayleigh time of the smallest
// particle, t_R = pi R sqrt(rho/G)/(0.1631 nu + 0.8766), and the Hertz contact time at a characteristic
// speed, t_H = 2.87 (m*^2/(R* Y*^2 v))^(1/5). Above the limit the run is refused; above the warning level noted.
namespace DigitalTwin.Physics.Dem;

public static class TimeStepGuard
{
    public static double RayleighTime(double radius, double density, double shearModulus, double poisson) =>
        Math.PI * radius * Math.Sqrt(density / shearModulus) / (0.1631 * poisson + 0.8766);

    public static double HertzTime(double effMass, double effRadius, double yeff, double speed) =>
        2.87 * Math.Pow(effMass * effMass / (effRadius * yeff * yeff * speed), 0.2);

    internal static List<string> Check(DemSystem s, DemSettings settings, List<string> problems)
    {
        var warnings = new List<string>();
        if (s.N == 0)
        {
            return warnings;
        }

        var t = s.Materials;
        var minTr = double.MaxValue;
        var worst = 0;
        var minR = new double[t.TypeCount];
        var minM = new double[t.TypeCount];
        Array.Fill(minR, double.MaxValue);
        for (var i = 0; i < s.N; i++)
        {
            var ty = s.Type[i];
            var tr = RayleighTime(s.Radius[i], s.Density[i], t.ShearModulus(ty), t.Materials[ty].PoissonRatio);
            if (tr < minTr)
            {
                minTr = tr;
                worst = i;
            }

            if (s.Radius[i] < minR[ty])
            {
                minR[ty] = s.Radius[i];
                minM[ty] = s.Mass[i];
            }
        }

        var dt = settings.TimeStep;
        var f = dt / minTr;
        if (f > settings.MaxRayleighFraction)
        {
            problems.Add($"settings.TimeStep = {dt:G4} s is {f:P1} of the Rayleigh time {minTr:G4} s of particle {s.Id[worst]} (limit {settings.MaxRayleighFraction:P0}): reduce dt");
        }
        else if (f > settings.WarnRayleighFraction)
        {
            warnings.Add($"time step is {f:P1} of the smallest Rayleigh time (LIGGGHTS recommends <= {settings.WarnRayleighFraction:P0})");
        }

        var minTh = double.MaxValue;
        var wallTypes = s.WallType.Distinct().ToArray();
        for (var a = 0; a < t.TypeCount; a++)
        {
            if (minR[a] == double.MaxValue)
            {
                continue;
            }

            for (var b = 0; b < t.TypeCount; b++)
            {
                if (minR[b] == double.MaxValue)
                {
                    continue;
                }

                var rs = minR[a] * minR[b] / (minR[a] + minR[b]);
                var ms = minM[a] * minM[b] / (minM[a] + minM[b]);
                minTh = Math.Min(minTh, HertzTime(ms, rs, t.Yeff[t.Pair(a, b)], settings.CharacteristicSpeed));
            }

            foreach (var wt in wallTypes)
            {
                minTh = Math.Min(minTh, HertzTime(minM[a], minR[a], t.Yeff[t.Pair(a, wt)], settings.CharacteristicSpeed));
            }
        }

        if (settings.Contact.Normal == "hertz" && dt > settings.MaxHertzFraction * minTh)
        {
            problems.Add($"settings.TimeStep = {dt:G4} s exceeds {settings.MaxHertzFraction:P0} of the Hertz contact time {minTh:G4} s at {settings.CharacteristicSpeed} m/s: reduce dt");
        }

        return warnings;
    }
}
