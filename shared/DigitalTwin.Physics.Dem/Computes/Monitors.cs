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

    /// <summary>Elastic energy stored in Hertz normal contacts, 8/15 Y* sqrt(R*) delta^(5/2) summed over pairs and walls [J].</summary>
    public static double HertzElasticEnergy(DemSystem s)
    {
        var e = 0.0;
        var t = s.Materials;
        for (var i = 0; i < s.N; i++)
        {
            for (var p = s.NeighStart[i]; p < s.NeighStart[i + 1]; p++)
            {
                var j = s.NeighJ[p];
                var c = 3 * s.NeighImage[p];
                var dx = s.Pos[3 * i] - (s.Pos[3 * j] + s.ShiftTable[c]);
                var dy = s.Pos[3 * i + 1] - (s.Pos[3 * j + 1] + s.ShiftTable[c + 1]);
                var dz = s.Pos[3 * i + 2] - (s.Pos[3 * j + 2] + s.ShiftTable[c + 2]);
                var delta = s.Radius[i] + s.Radius[j] - Math.Sqrt(dx * dx + dy * dy + dz * dz);
                if (delta > 0)
                {
                    var rs = s.Radius[i] * s.Radius[j] / (s.Radius[i] + s.Radius[j]);
                    e += 8.0 / 15.0 * t.Yeff[t.Pair(s.Type[i], s.Type[j])] * Math.Sqrt(rs) * Math.Pow(delta, 2.5);
                }
            }

            for (var w = 0; w < s.WallCount; w++)
            {
                var delta = s.Radius[i] - s.WallSide[w] * (s.Pos[3 * i + s.WallAxis[w]] - s.WallPos[w]);
                if (delta > 0)
                {
                    e += 8.0 / 15.0 * t.Yeff[t.Pair(s.Type[i], s.WallType[w])] * Math.Sqrt(s.Radius[i]) * Math.Pow(delta, 2.5);
                }
            }
        }

        return e;
    }
}
