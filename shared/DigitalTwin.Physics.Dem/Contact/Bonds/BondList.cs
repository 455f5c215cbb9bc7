// The bonds of a DemSystem as plain arrays (one slot per bond, formation order): ids, current particle indices,
// per-bond constants and history. Indices are re-mapped from the ids after each neighbour build (particles re-order).
namespace DigitalTwin.Physics.Dem.Contact.Bonds;

internal sealed class BondList
{
    public const int HistoryFields = 7;

    public int Count;
    public int[] IdI = [], IdJ = [], I = [], J = [];
    public double[] Kn = [], Ks = [], Rb = [], Delta0 = [], SigmaC = [], TauC = [], GammaN = [], GammaT = [];

    /// <summary>us (3), theta_b (3), theta_t (1) per bond.</summary>
    public double[] History = [];
    public bool[] Broken = [];

    /// <summary>Peak section stresses of the last step [Pa] (output).</summary>
    public double[] Sigma = [], Tau = [];

    /// <summary>Neighbour build the indices belong to.</summary>
    public int MappedBuild = -1;

    /// <summary>Elastic energy the broken bonds held when they broke [J].</summary>
    public double ReleasedEnergy;

    /// <summary>Work of the bond dashpots so far [J] (positive: dissipated).</summary>
    public double DampedEnergy;

    public int BrokenCount;

    public static BondList From(BondSnapshot s)
    {
        var n = s.IdI.Length;
        var b = new BondList
        {
            Count = n, IdI = (int[])s.IdI.Clone(), IdJ = (int[])s.IdJ.Clone(), I = new int[n], J = new int[n],
            Kn = (double[])s.Kn.Clone(), Ks = (double[])s.Ks.Clone(), Rb = (double[])s.Rb.Clone(), Delta0 = (double[])s.Delta0.Clone(),
            SigmaC = (double[])s.SigmaC.Clone(), TauC = (double[])s.TauC.Clone(), GammaN = (double[])s.GammaN.Clone(),
            GammaT = (double[])s.GammaT.Clone(), History = (double[])s.History.Clone(), Broken = (bool[])s.Broken.Clone(),
            Sigma = new double[n], Tau = new double[n],
        };
        b.BrokenCount = b.Broken.Count(x => x);
        return b;
    }

    public BondSnapshot ToSnapshot(int formed) => new(
        (int[])IdI.Clone(), (int[])IdJ.Clone(), (double[])Kn.Clone(), (double[])Ks.Clone(), (double[])Rb.Clone(), (double[])Delta0.Clone(),
        (double[])SigmaC.Clone(), (double[])TauC.Clone(), (double[])GammaN.Clone(), (double[])GammaT.Clone(), (double[])History.Clone(),
        (bool[])Broken.Clone(), formed);
}
