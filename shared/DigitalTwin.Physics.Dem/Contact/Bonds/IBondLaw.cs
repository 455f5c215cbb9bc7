// The bond slot of the contact model (STYLE §8): an irreversible cohesive bond between two particles, formed
// once at the initial contacts and evaluated in its own pass after the contact laws. A law is a struct used as
// the generic parameter of BondKernel, so the JIT inlines it: no virtual call per bond.
namespace DigitalTwin.Physics.Dem.Contact.Bonds;

/// <summary>A bond law: forces and moments of one intact bond from its geometry and history.</summary>
public interface IBondLaw
{
    /// <summary>Sets the force and moment outputs of <paramref name="b"/> and advances its history by
    /// <paramref name="dt"/> (0 in the set-up pass); false when the bond breaks in this step (forces then zero).</summary>
    bool Apply(ref BondPoint b, double dt);

    /// <summary>Elastic energy stored in the bond at its current history [J].</summary>
    double Energy(in BondPoint b);
}

/// <summary>The scratch record one bond's law reads and writes (inputs set by the kernel, history loaded and stored back).</summary>
public struct BondPoint
{
    // ---- geometry and kinematics
    /// <summary>Unit normal from j to i.</summary>
    public double Nx, Ny, Nz;

    /// <summary>Normal stretch u_n = delta0 - delta [m]: the loss of overlap since formation (positive in tension).</summary>
    public double Stretch;

    /// <summary>Normal relative velocity (v_i - v_j)·n [m/s].</summary>
    public double Vn;

    /// <summary>Tangential relative velocity at the bond centre, rotation included [m/s].</summary>
    public double Vtx, Vty, Vtz;

    /// <summary>Relative angular velocity omega_i - omega_j [rad/s].</summary>
    public double Wx, Wy, Wz;

    // ---- constants of this bond
    /// <summary>Normal and shear stiffness per area kn, ks [Pa/m].</summary>
    public double Kn, Ks;

    /// <summary>Bond radius [m].</summary>
    public double Rb;

    /// <summary>Tensile and shear strengths [Pa].</summary>
    public double SigmaC, TauC;

    /// <summary>Normal and tangential viscous coefficients [N s/m].</summary>
    public double GammaN, GammaT;

    // ---- history: shear displacement [m], bending rotation vector [rad], twist angle [rad]
    public double Usx, Usy, Usz;
    public double Tbx, Tby, Tbz;
    public double Tt;

    // ---- outputs
    /// <summary>Normal force on i along n [N] (negative pulls i towards j).</summary>
    public double Fn;

    /// <summary>Shear force on i at the bond centre [N].</summary>
    public double Fsx, Fsy, Fsz;

    /// <summary>Bending + twisting moment on i [N m] (j receives the opposite).</summary>
    public double Mx, My, Mz;

    /// <summary>Largest tensile and shear stress of the bond section at this step [Pa].</summary>
    public double Sigma, Tau;
}
