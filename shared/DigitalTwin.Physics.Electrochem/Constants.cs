// Physical constants used by every model (CODATA 2018, as PyBaMM takes them from scipy.constants).
namespace DigitalTwin.Physics.Electrochem;

public static class Constants
{
    /// <summary>Gas constant [J.mol-1.K-1].</summary>
    public const double R = 8.314462618;

    /// <summary>Faraday constant [C.mol-1].</summary>
    public const double F = 96485.33212;

    /// <summary>Boltzmann constant [J.K-1].</summary>
    public const double KB = 1.380649e-23;

    /// <summary>Elementary charge [C].</summary>
    public const double Qe = 1.602176634e-19;
}
