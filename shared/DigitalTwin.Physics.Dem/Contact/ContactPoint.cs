// The scratch record one contact's laws read and write, in the order normal -> damping ->
// cohesion -> tangential -> rolling (LIGGGHTS contact_models.h). Wall contacts use the same record.
namespace DigitalTwin.Physics.Dem.Contact;

public struct ContactPoint
{
    // ---- geometry and kinematics (set by the force loop)
    /// <summary>Type-pair index ti*TypeCount+tj into the material tables.</summary>
    public int PairType;

    /// <summary>Overlap delta = R_i + R_j - r &gt; 0 [m] (wall: R_i - distance).</summary>
    public double Overlap;

    /// <summary>R* = R_i R_j/(R_i+R_j), or R_i for a wall [m].</summary>
    public double EffRadius;

    /// <summary>m* = m_i m_j/(m_i+m_j), or m_i for a wall [kg].</summary>
    public double EffMass;

    /// <summary>Centre distance r (pairs) or centre-to-plane distance (walls) [m].</summary>
    public double Distance;

    public double RadiusI;

    /// <summary>Radius of j; 0 marks a wall contact.</summary>
    public double RadiusJ;

    /// <summary>Unit normal from j (or the wall) to i.</summary>
    public double Nx, Ny, Nz;

    /// <summary>Normal relative velocity (v_i - v_j)·n [m/s] (negative while approaching).</summary>
    public double Vn;

    /// <summary>Tangential relative velocity at the contact point, rotation included [m/s].</summary>
    public double Vtx, Vty, Vtz;

    /// <summary>Relative angular velocity omega_i - omega_j [rad/s] (rolling laws).</summary>
    public double Wx, Wy, Wz;

    // ---- outputs
    /// <summary>Normal and tangential contact stiffnesses S_n, S_t [N/m] the damping law scales.</summary>
    public double Sn, St;

    /// <summary>gamma = DampingPrefactor * (-beta) * sqrt(S m*): 2 sqrt(5/6) for Hertz, 2 for Hooke.</summary>
    public double DampingPrefactor;

    public double GammaN, GammaT;

    /// <summary>Repulsive normal force (elastic + damping) [N]; bounds friction.</summary>
    public double Fn;

    /// <summary>Attractive cohesive normal force magnitude [N] (subtracted from Fn along n).</summary>
    public double Fcoh;

    /// <summary>Tangential force on i [N].</summary>
    public double Ftx, Fty, Ftz;

    /// <summary>Rolling-resistance torque on i [N m] (j receives the opposite).</summary>
    public double Mrx, Mry, Mrz;
}
