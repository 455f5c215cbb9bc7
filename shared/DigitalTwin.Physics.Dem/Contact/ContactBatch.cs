// Four particle-particle contacts side by side (one per Vector256 lane): the SIMD twin of ContactPoint.
// Laws evaluate a batch with the same operations in the same order as one ContactPoint, so every lane is
// bitwise equal to the scalar reference (no fused multiply-add, IEEE sqrt and division in both).
using System.Runtime.Intrinsics;

namespace DigitalTwin.Physics.Dem.Contact;

public struct ContactBatch
{
    /// <summary>Type-pair indices of the four lanes (material-table lookups are per lane).</summary>
    public int T0, T1, T2, T3;

    public Vector256<double> Overlap;
    public Vector256<double> EffRadius;
    public Vector256<double> EffMass;
    public Vector256<double> Distance;
    public Vector256<double> RadiusI;
    public Vector256<double> RadiusJ;
    public Vector256<double> Nx, Ny, Nz;
    public Vector256<double> Vn;
    public Vector256<double> Vtx, Vty, Vtz;
    public Vector256<double> Wx, Wy, Wz;
    public Vector256<double> Sn, St;
    public Vector256<double> DampingPrefactor;
    public Vector256<double> GammaN, GammaT;
    public Vector256<double> Fn;
    public Vector256<double> Fcoh;
    public Vector256<double> Ftx, Fty, Ftz;
    public Vector256<double> Mrx, Mry, Mrz;

    /// <summary>One pair-table value per lane.</summary>
    public readonly Vector256<double> Lookup(double[] table) => Vector256.Create(table[T0], table[T1], table[T2], table[T3]);

    /// <summary>Lanes where a is less than b as an all-ones mask (the vector form of a scalar if).</summary>
    public static Vector256<double> Less(Vector256<double> a, Vector256<double> b) => Vector256.LessThan(a, b);
}
