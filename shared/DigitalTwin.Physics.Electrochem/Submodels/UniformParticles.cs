// The "uniform profile" particle option: one concentration per particle, no solid diffusion limitation.
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Submodels;

public sealed class UniformParticles : IParticleTransport
{
    private readonly double[] _c;
    private readonly double[] _z1;
    private readonly double[] _z2;
    private readonly double[] _radius;
    private readonly double[] _fluxFactor;

    public UniformParticles(IReadOnlyList<ParticleClass> classes)
    {
        var n = classes.Count;
        _c = classes.Select(c => c.InitialConcentration).ToArray();
        _z1 = new double[n];
        _z2 = new double[n];
        _radius = classes.Select(c => c.Radius).ToArray();
        _fluxFactor = classes.Select(c => c.FluxFactor).ToArray();
    }

    public int PointsPerParticle => 1;

    public Span<double> Concentration => _c;

    public void Linearise(int p, double j, double a0OverH, ReadOnlySpan<double> history, bool freeze, out double alpha, out double beta)
    {
        if (freeze)
        {
            _z1[p] = 0;
            _z2[p] = 0;
            alpha = _c[p];
            beta = 0;
            return;
        }

        // (R^3/3) dc/dt = -R^2 f j / F  ->  dc/dt = -3 f j / (R F)
        var k = 3 * _fluxFactor[p] / (_radius[p] * Constants.F);
        var res = a0OverH * _c[p] + history[0] + k * j;
        _z1[p] = -res / a0OverH;
        _z2[p] = k / a0OverH;
        alpha = _c[p] + _z1[p];
        beta = -_z2[p];
    }

    public double Update(int p, double dj)
    {
        var d = _z1[p] - _z2[p] * dj;
        _c[p] += d;
        return Math.Abs(d);
    }

    public double Surface(int p, double j) => _c[p];

    public double Average(int p) => _c[p];

    public int ProfilePoints => 2;

    public void Profile(int p, double j, Span<double> radius, Span<double> concentration)
    {
        radius[0] = 0;
        radius[1] = _radius[p];
        concentration[0] = concentration[1] = _c[p];
    }
}
