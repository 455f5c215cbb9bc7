// Conservative finite volumes for Fick's law in spheres with D_s(c): cell-centred uniform mesh in r,
// face fluxes r^2 D dc/dr, so the lithium in every particle changes only by its surface flux. With stress-induced
// diffusion D becomes D (1 + theta (c - c_0)), theta = Omega/(RT) 2 Omega E/(9(1-nu)) (Ai et al. 2020 eq. 12).
using System.Runtime.CompilerServices;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Submodels;

public sealed class FickianParticles : IParticleTransport
{
    private readonly int _m;
    private readonly double[] _c;
    private readonly double[] _z1;
    private readonly double[] _z2;
    private readonly double[] _vol;   // control volumes r^3 differences / 3, per unit R^3
    private readonly double[] _face;  // face areas r^2, per unit R^2 (faces 1..M; face M is the surface)
    private readonly double[] _radius; // per particle
    private readonly double[] _fluxFactor;
    private readonly double[] _cmax;
    private readonly ParameterFunction[] _diffusivity;
    private readonly bool[] _constantD;
    private readonly double[] _dConst;
    private readonly double[] _stressCoefficient; // Omega 2 Omega E/(9(1-nu) R_gas) per particle [K.m3.mol-1]
    private readonly double[] _stressFree;        // c_0 per particle [mol.m-3]
    private readonly double[] _theta;             // stress coefficient / T [m3.mol-1]
    private readonly ParticleClass[] _distinct;
    private double _temperature;
    private readonly double[] _sub;
    private readonly double[] _diag;
    private readonly double[] _sup;
    private readonly double[] _scratch;
    private readonly double[] _gradSurface; // dc_surf/dc_{M-1}, dc_surf/dc_{M-2}

    // Constant-D classes: the matrix depends only on the class and a0/h, so its factorisation and the response
    // to the surface flux (z2) are computed once per class and step length and shared by all its particles.
    private readonly int[] _classOf;
    private readonly double[] _cacheA0;
    private readonly double[] _cacheSub;
    private readonly double[] _cacheC;
    private readonly double[] _cacheInvBeta;
    private readonly double[] _cacheZ2;
    private readonly double[] _k;    // face conductances r^2 D / dr per class (faces 0..M-2)
    private readonly double[] _vol3; // R^3 v per class
    private bool _frozen;

    /// <summary>classes[p] is the class of particle p; points finite volumes per particle; temperature in K.</summary>
    public FickianParticles(IReadOnlyList<ParticleClass> classes, int points, double temperature)
    {
        _m = points;
        var n = classes.Count;
        _c = new double[n * points];
        _z1 = new double[n * points];
        _z2 = new double[n * points];
        _radius = new double[n];
        _fluxFactor = new double[n];
        _cmax = new double[n];
        _diffusivity = new ParameterFunction[n];
        _constantD = new bool[n];
        _dConst = new double[n];
        _stressCoefficient = new double[n];
        _stressFree = new double[n];
        _theta = new double[n];
        _temperature = temperature;
        _vol = new double[points];
        _face = new double[points + 1];
        var dr = 1.0 / points;
        for (var i = 0; i < points; i++)
        {
            var r0 = i * dr;
            var r1 = (i + 1) * dr;
            _vol[i] = (r1 * r1 * r1 - r0 * r0 * r0) / 3.0;
            _face[i + 1] = r1 * r1;
        }

        for (var p = 0; p < n; p++)
        {
            var cls = classes[p];
            _radius[p] = cls.Radius;
            _fluxFactor[p] = cls.FluxFactor;
            _cmax[p] = cls.MaxConcentration;
            _diffusivity[p] = cls.Diffusivity;
            _stressCoefficient[p] = cls.StressCoefficient;
            _stressFree[p] = cls.StressFreeConcentration;
            _c.AsSpan(p * points, points).Fill(cls.InitialConcentration);
        }

        var distinct = classes.Distinct().ToList();
        _distinct = [.. distinct];
        _classOf = classes.Select(c => distinct.IndexOf(c)).ToArray();
        var nc = distinct.Count;
        _cacheA0 = Enumerable.Repeat(double.NaN, nc).ToArray();
        _cacheSub = new double[nc * points];
        _cacheC = new double[nc * points];
        _cacheInvBeta = new double[nc * points];
        _cacheZ2 = new double[nc * points];
        _k = new double[nc * points];
        _vol3 = new double[nc * points];
        for (var c = 0; c < nc; c++)
        {
            var r = distinct[c].Radius;
            for (var i = 0; i < points; i++)
            {
                _vol3[c * points + i] = r * r * r * _vol[i];
            }
        }

        ApplyTemperature(temperature);
        _sub = new double[points];
        _diag = new double[points];
        _sup = new double[points];
        _scratch = new double[points];
        _gradSurface = new double[2];
    }

    public int PointsPerParticle => _m;

    /// <summary>Moves the diffusivities (and theta = coefficient / T) to temperature T [K].</summary>
    public void SetTemperature(double temperature)
    {
        if (temperature != _temperature)
        {
            ApplyTemperature(temperature);
        }
    }

    // Constant-D detection, the shared conductances of constant-D classes and theta, at temperature T.
    private void ApplyTemperature(double temperature)
    {
        _temperature = temperature;
        var m = _m;
        for (var c = 0; c < _distinct.Length; c++)
        {
            var cls = _distinct[c];
            var d = cls.Diffusivity.Evaluate(0.1, temperature);
            var r = cls.Radius;
            for (var i = 0; i < m; i++)
            {
                _k[c * m + i] = i < m - 1 ? r * r * _face[i + 1] / (r / m) * d : 0;
            }

            _cacheA0[c] = double.NaN;
        }

        for (var p = 0; p < _diffusivity.Length; p++)
        {
            var f = _diffusivity[p];
            var d0 = f.Evaluate(0.1, temperature);
            _constantD[p] = _stressCoefficient[p] == 0 && IndependentOfStoichiometry(f, d0, temperature);
            _dConst[p] = d0;
            _theta[p] = _stressCoefficient[p] / temperature;
        }
    }

    private static bool IndependentOfStoichiometry(ParameterFunction f, double d0, double temperature)
    {
        for (var k = 1; k <= 9; k++)
        {
            if (f.Evaluate(0.1 * k, temperature) != d0)
            {
                return false;
            }
        }

        return true;
    }

    public Span<double> Concentration => _c;

    /// <summary>Normalised control volumes (sum 1/3), for averaging and lithium inventories.</summary>
    public ReadOnlySpan<double> Volumes => _vol;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double D(int p, double c, out double dDdc)
    {
        if (_constantD[p])
        {
            dDdc = 0;
            return _dConst[p];
        }

        var cmax = _cmax[p];
        var sto = c / cmax;
        const double h = 1e-6;
        var f = _diffusivity[p];
        var d = f.Evaluate(sto, _temperature);
        dDdc = (f.Evaluate(sto + h, _temperature) - f.Evaluate(sto - h, _temperature)) / (2 * h * cmax);
        var theta = _theta[p];
        if (theta != 0)
        {
            var factor = 1 + theta * (c - _stressFree[p]);
            dDdc = dDdc * factor + d * theta;
            d *= factor;
        }

        return d;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Linearise(int p, double j, double a0OverH, ReadOnlySpan<double> history, bool freeze, out double alpha, out double beta)
    {
        _frozen = freeze;
        if (_constantD[p] && !freeze)
        {
            LineariseConstant(p, j, a0OverH, history, out alpha, out beta);
            return;
        }

        var m = _m;
        var off = p * m;
        var c = _c.AsSpan(off, m);
        var z1 = _z1.AsSpan(off, m);
        var z2 = _z2.AsSpan(off, m);
        var radius = _radius[p];
        var dr = radius / m;
        var flux = _fluxFactor[p] * j / Constants.F; // outward molar flux [mol.m-2.s-1]
        var dSurf = D(p, c[m - 1], out var dSurfDc);
        var g = -flux / dSurf;
        var cs = (9 * c[m - 1] - c[m - 2] + 3 * g * dr) / 8;
        var dcsDj = -3 * dr * _fluxFactor[p] / (8 * Constants.F * dSurf);
        var dcsDcLast = 9.0 / 8 + 3 * dr * flux * dSurfDc / (8 * dSurf * dSurf);
        const double dcsDcPrev = -1.0 / 8;
        if (freeze)
        {
            z1.Clear();
            z2.Clear();
            alpha = cs;
            beta = dcsDj;
            return;
        }

        // Rows scaled by 1/R: volumes R^3 v, areas R^2 a, gradients /(R dr_hat).
        var r3 = radius * radius * radius;
        var r2 = radius * radius;
        var sub = _sub;
        var diag = _diag;
        var sup = _sup;
        var rhs = z1;
        var prevFlux = 0.0;
        var prevDFluxDcLeft = 0.0;
        var prevDFluxDcRight = 0.0;
        for (var i = 0; i < m; i++)
        {
            double fluxRight = 0, dRightDc = 0, dRightDcNext = 0;
            if (i < m - 1)
            {
                var cf = 0.5 * (c[i] + c[i + 1]);
                var df = D(p, cf, out var dDf);
                var area = r2 * _face[i + 1] / dr;
                var grad = c[i + 1] - c[i];
                fluxRight = area * df * grad; // into cell i from cell i+1
                dRightDc = area * (-df + 0.5 * dDf * grad);
                dRightDcNext = area * (df + 0.5 * dDf * grad);
            }
            else
            {
                fluxRight = -r2 * flux;
            }

            var vol = r3 * _vol[i];
            rhs[i] = -(vol * (a0OverH * c[i] + history[i]) - fluxRight + prevFlux);
            diag[i] = vol * a0OverH - dRightDc + prevDFluxDcRight;
            sup[i] = -dRightDcNext;
            sub[i] = prevDFluxDcLeft;
            prevFlux = fluxRight;
            prevDFluxDcLeft = dRightDc;
            prevDFluxDcRight = dRightDcNext;
        }

        // Solve T z1 = rhs and T z2 = e_last * d(res_last)/dj, sharing one elimination.
        var dResDj = r2 * _fluxFactor[p] / Constants.F;
        var scratch = _scratch;
        var bet = diag[0];
        z1[0] = rhs[0] / bet;
        z2[0] = m == 1 ? dResDj / bet : 0;
        for (var i = 1; i < m; i++)
        {
            scratch[i] = sup[i - 1] / bet;
            bet = diag[i] - sub[i] * scratch[i];
            z1[i] = (rhs[i] - sub[i] * z1[i - 1]) / bet;
            z2[i] = ((i == m - 1 ? dResDj : 0) - sub[i] * z2[i - 1]) / bet;
        }

        for (var i = m - 2; i >= 0; i--)
        {
            z1[i] -= scratch[i + 1] * z1[i + 1];
            z2[i] -= scratch[i + 1] * z2[i + 1];
        }

        _gradSurface[0] = dcsDcLast;
        _gradSurface[1] = dcsDcPrev;
        alpha = cs + dcsDcLast * z1[m - 1] + dcsDcPrev * z1[m - 2];
        beta = dcsDj - (dcsDcLast * z2[m - 1] + dcsDcPrev * z2[m - 2]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LineariseConstant(int p, double j, double a0OverH, ReadOnlySpan<double> history, out double alpha, out double beta)
    {
        var m = _m;
        var cls = _classOf[p];
        var co = cls * m;
        var k = _k.AsSpan(co, m);
        var vol = _vol3.AsSpan(co, m);
        var radius = _radius[p];
        var dr = radius / m;
        var r2 = radius * radius;
        var dResDj = r2 * _fluxFactor[p] / Constants.F;
        if (_cacheA0[cls] != a0OverH)
        {
            // Factorise T = diag(vol a0/h) + conductances once; keep sub, c' and 1/beta, and solve T z2 = e_last dRes/dj.
            var sub = _cacheSub.AsSpan(co, m);
            var cp = _cacheC.AsSpan(co, m);
            var ib = _cacheInvBeta.AsSpan(co, m);
            var z2c = _cacheZ2.AsSpan(co, m);
            double prevK = 0;
            var bet = 0.0;
            for (var i = 0; i < m; i++)
            {
                var diag = vol[i] * a0OverH + k[i] + prevK;
                sub[i] = -prevK;
                if (i > 0)
                {
                    cp[i] = -prevK / bet; // sup[i-1] = -k[i-1] = -prevK
                    diag -= sub[i] * cp[i];
                }

                bet = diag;
                ib[i] = 1 / bet;
                prevK = k[i];
            }

            for (var i = 0; i < m; i++)
            {
                z2c[i] = ((i == m - 1 ? dResDj : 0) - (i > 0 ? sub[i] * z2c[i - 1] : 0)) * ib[i];
            }

            for (var i = m - 2; i >= 0; i--)
            {
                z2c[i] -= cp[i + 1] * z2c[i + 1];
            }

            _cacheA0[cls] = a0OverH;
        }

        var off = p * m;
        var c = _c.AsSpan(off, m);
        var z1 = _z1.AsSpan(off, m);
        var subC = _cacheSub.AsSpan(co, m);
        var cpC = _cacheC.AsSpan(co, m);
        var ibC = _cacheInvBeta.AsSpan(co, m);
        var flux = _fluxFactor[p] * j / Constants.F;
        var prevFlux = 0.0;
        for (var i = 0; i < m; i++)
        {
            var fluxRight = i < m - 1 ? k[i] * (c[i + 1] - c[i]) : -r2 * flux;
            var rhs = -(vol[i] * (a0OverH * c[i] + history[i]) - fluxRight + prevFlux);
            z1[i] = (rhs - (i > 0 ? subC[i] * z1[i - 1] : 0)) * ibC[i];
            prevFlux = fluxRight;
        }

        for (var i = m - 2; i >= 0; i--)
        {
            z1[i] -= cpC[i + 1] * z1[i + 1];
        }

        var z2 = _cacheZ2.AsSpan(co, m);
        var dSurf = _dConst[p];
        var cs = (9 * c[m - 1] - c[m - 2] - 3 * flux / dSurf * dr) / 8;
        var dcsDj = -3 * dr * _fluxFactor[p] / (8 * Constants.F * dSurf);
        alpha = cs + 9.0 / 8 * z1[m - 1] - 1.0 / 8 * z1[m - 2];
        beta = dcsDj - (9.0 / 8 * z2[m - 1] - 1.0 / 8 * z2[m - 2]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Update(int p, double dj)
    {
        if (_frozen)
        {
            return 0;
        }

        var off = p * _m;
        var z2 = _constantD[p] ? _cacheZ2.AsSpan(_classOf[p] * _m, _m) : _z2.AsSpan(off, _m);
        var worst = 0.0;
        for (var i = 0; i < _m; i++)
        {
            var d = _z1[off + i] - z2[i] * dj;
            _c[off + i] += d;
            worst = Math.Max(worst, Math.Abs(d));
        }

        return worst;
    }

    /// <summary>True when particle p's diffusivity does not depend on concentration (its balance is linear).</summary>
    public bool IsLinear(int p) => _constantD[p];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Surface(int p, double j)
    {
        var off = p * _m;
        var dr = _radius[p] / _m;
        var dSurf = D(p, _c[off + _m - 1], out _);
        var g = -_fluxFactor[p] * j / (Constants.F * dSurf);
        return (9 * _c[off + _m - 1] - _c[off + _m - 2] + 3 * g * dr) / 8;
    }

    public int ProfilePoints => _m + 2;

    /// <summary>
    /// Centre, cell centres and surface: the centre value from the even quadratic through the first two cells
    /// (zero slope at r = 0), the surface value from the flux boundary condition (<see cref="Surface"/>).
    /// </summary>
    public void Profile(int p, double j, Span<double> radius, Span<double> concentration)
    {
        var m = _m;
        var off = p * m;
        var r = _radius[p];
        radius[0] = 0;
        concentration[0] = m > 1 ? (9 * _c[off] - _c[off + 1]) / 8 : _c[off];
        for (var i = 0; i < m; i++)
        {
            radius[i + 1] = r * (i + 0.5) / m;
            concentration[i + 1] = _c[off + i];
        }

        radius[m + 1] = r;
        concentration[m + 1] = Surface(p, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Average(int p)
    {
        var off = p * _m;
        var s = 0.0;
        for (var i = 0; i < _m; i++)
        {
            s += _vol[i] * _c[off + i];
        }

        return 3 * s;
    }
}
