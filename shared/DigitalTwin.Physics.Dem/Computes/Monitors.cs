// Quasi-static monitors: kinetic energy (translation + rotation) and the force-balance ratio
// mean |sum of forces on a particle| / mean contact force (0 in perfect equilibrium).
namespace DigitalTwin.Physics.Dem.Computes;

public static class Monitors
{
    public static double KineticEnergy(DemSystem s)
    {
        var e = 0.0;
        for (var i = 0; i < s.N; i++)
        {
            var i3 = 3 * i;
            var v2 = s.Vel[i3] * s.Vel[i3] + s.Vel[i3 + 1] * s.Vel[i3 + 1] + s.Vel[i3 + 2] * s.Vel[i3 + 2];
            var w2 = s.Omega[i3] * s.Omega[i3] + s.Omega[i3 + 1] * s.Omega[i3 + 1] + s.Omega[i3 + 2] * s.Omega[i3 + 2];
            e += 0.5 * s.Mass[i] * v2 + 0.5 / s.InvInertia[i] * w2;
        }

        return e;
    }

    /// <summary>Total linear momentum [kg m/s].</summary>
    public static double[] Momentum(DemSystem s)
    {
        var p = new double[3];
        for (var i = 0; i < s.N; i++)
        {
            for (var a = 0; a < 3; a++)
            {
                p[a] += s.Mass[i] * s.Vel[3 * i + a];
            }
        }

        return p;
    }

    /// <summary>Unbalanced-force ratio: mean |F_i| over particles / mean |F_c| over contacts.</summary>
    public static double ForceBalance(DemSystem s, ParticleStress stress)
    {
        if (stress.ContactCount == 0)
        {
            return 0;
        }

        var sum = 0.0;
        for (var i = 0; i < s.N; i++)
        {
            var i3 = 3 * i;
            sum += Math.Sqrt(s.Force[i3] * s.Force[i3] + s.Force[i3 + 1] * s.Force[i3 + 1] + s.Force[i3 + 2] * s.Force[i3 + 2]);
        }

        return sum / s.N / (stress.ContactForceSum / stress.ContactCount);
    }
}
