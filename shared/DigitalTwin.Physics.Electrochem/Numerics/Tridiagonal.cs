// Thomas algorithm for tridiagonal systems; the caller supplies the scratch so nothing allocates.
using System.Runtime.CompilerServices;
namespace DigitalTwin.Physics.Electrochem.Numerics;

public static class Tridiagonal
{
    /// <summary>Solves sub[i] x[i-1] + diag[i] x[i] + sup[i] x[i+1] = rhs[i]. Inputs are not modified.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Solve(ReadOnlySpan<double> sub, ReadOnlySpan<double> diag, ReadOnlySpan<double> sup,
        ReadOnlySpan<double> rhs, Span<double> x, Span<double> scratch)
    {
        var n = diag.Length;
        var beta = diag[0];
        x[0] = rhs[0] / beta;
        for (var i = 1; i < n; i++)
        {
            scratch[i] = sup[i - 1] / beta;
            beta = diag[i] - sub[i] * scratch[i];
            x[i] = (rhs[i] - sub[i] * x[i - 1]) / beta;
        }

        for (var i = n - 2; i >= 0; i--)
        {
            x[i] -= scratch[i + 1] * x[i + 1];
        }
    }
}
