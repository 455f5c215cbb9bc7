// Initial stoichiometries from a state of charge or an open-circuit voltage. With a stoichiometry window (BPX) SOC is
// linear in it; otherwise, as PyBaMM does, the window ends are where the OCV meets the cut-offs while the cell's
// cyclable lithium (from the set's initial concentrations) is kept.
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Models;

public static class InitialStates
{
    /// <summary>(negative, positive) stoichiometries at a state of charge in [0, 1]; negative is null for a half cell.</summary>
    public static (double? Negative, double Positive) FromSoc(CellParameters cell, ParameterSet set, double soc)
    {
        if (!(soc is >= 0 and <= 1))
        {
            throw new ArgumentException($"State of charge {soc} is outside [0, 1].");
        }

        var nMin = set.Find("Negative electrode minimum stoichiometry")?.Value.Evaluate(0);
        var nMax = set.Find("Negative electrode maximum stoichiometry")?.Value.Evaluate(0);
        var pMin = set.Find("Positive electrode minimum stoichiometry")?.Value.Evaluate(0);
        var pMax = set.Find("Positive electrode maximum stoichiometry")?.Value.Evaluate(0);
        if (pMin is { } a && pMax is { } b && (cell.HalfCell || (nMin is not null && nMax is not null)))
        {
            return (cell.HalfCell ? null : nMin!.Value + soc * (nMax!.Value - nMin.Value), b - soc * (b - a));
        }

        var (n0, p0) = FromVoltage(cell, cell.LowerVoltage);
        var (n1, p1) = FromVoltage(cell, cell.UpperVoltage);
        return (cell.HalfCell ? null : n0!.Value + soc * (n1!.Value - n0.Value), p0 + soc * (p1 - p0));
    }

    /// <summary>Stoichiometries whose open-circuit voltage is v, keeping the cyclable lithium of the set's initial state.</summary>
    public static (double? Negative, double Positive) FromVoltage(CellParameters cell, double v)
    {
        var pos = cell.Positive.Classes[0];
        double Up(double s) => pos.Ocp.Evaluate(s, cell.Temperature);
        if (cell.HalfCell)
        {
            return (null, Bisect(s => Up(s) - v, 1e-6, 1 - 1e-6));
        }

        var neg = cell.Negative!.Classes[0];
        double Un(double s) => neg.Ocp.Evaluate(s, cell.Temperature);
        var qn = cell.Negative.Classes.Sum(c => c.VolumeFraction) * cell.Negative.Thickness * neg.MaxConcentration;
        var qp = cell.Positive.Classes.Sum(c => c.VolumeFraction) * cell.Positive.Thickness * pos.MaxConcentration;
        var lithium = neg.InitialConcentration / neg.MaxConcentration * qn + pos.InitialConcentration / pos.MaxConcentration * qp;
        // sto_p = (lithium - sto_n qn) / qp; OCV falls as sto_n falls. Search sto_n where both stay inside (0, 1).
        var lo = Math.Max(1e-6, (lithium - qp * (1 - 1e-6)) / qn);
        var hi = Math.Min(1 - 1e-6, (lithium - qp * 1e-6) / qn);
        if (!(hi > lo))
        {
            throw new ArgumentException("The set's initial lithium inventory does not fit both electrodes.");
        }

        double Ocv(double sn) => Up((lithium - sn * qn) / qp) - Un(sn);
        var stoN = Bisect(sn => Ocv(sn) - v, lo, hi);
        return (stoN, (lithium - stoN * qn) / qp);
    }

    private static double Bisect(Func<double, double> f, double lo, double hi)
    {
        var flo = f(lo);
        var fhi = f(hi);
        if (Math.Sign(flo) == Math.Sign(fhi))
        {
            throw new ArgumentException($"No stoichiometry gives this voltage (the open-circuit voltage spans {Math.Min(flo, fhi):F3} to {Math.Max(flo, fhi):F3} V around it).");
        }

        for (var k = 0; k < 200 && hi - lo > 1e-14; k++)
        {
            var mid = 0.5 * (lo + hi);
            var fm = f(mid);
            if ((fm > 0) == (flo > 0))
            {
                lo = mid;
                flo = fm;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }
}
