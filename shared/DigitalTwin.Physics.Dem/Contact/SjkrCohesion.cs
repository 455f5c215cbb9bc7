// Simplified JKR cohesion (LIGGGHTS cohesion_model_sjkr.h): F = k A with A the lens cross-section
// A = (pi/4)|(d-Ri-Rj)(d+Ri-Rj)(d-Ri+Rj)(d+Ri+Rj)|/d^2 (sphere-sphere) or pi (R^2 - d^2) (sphere-wall).
namespace DigitalTwin.Physics.Dem.Contact;

public readonly struct SjkrCohesion(MaterialTable table) : ICohesionLaw
{
    private readonly double[] _k = table.Cohesion;

    public static bool IsActive => true;

    public void Apply(ref ContactPoint c)
    {
        var k = _k[c.PairType];
        double area;
        if (c.RadiusJ == 0)
        {
            area = Math.PI * (c.RadiusI * c.RadiusI - c.Distance * c.Distance);
        }
        else
        {
            var d = c.Distance;
            var (ri, rj) = (c.RadiusI, c.RadiusJ);
            area = -0.25 * Math.PI * (d - ri - rj) * (d + ri - rj) * (d - ri + rj) * (d + ri + rj) / (d * d);
        }

        c.Fcoh = k * area;
    }
}
