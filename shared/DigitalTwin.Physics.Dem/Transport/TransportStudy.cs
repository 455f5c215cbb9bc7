// Study 2: transport on a packing (seed 004 §2.7, GeoDict ConductoDict/DiffuDict replaced by our
// voxel solver): electronic conduction through the AM network, ionic diffusion through the SE network.
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Physics.Dem.Transport;

/// <summary>AM conduction and SE diffusion of one packing at one voxel size.</summary>
public sealed record TransportReport(double VoxelSizeM, int[] GridSize, double PoreFraction, TransportResult Am, TransportResult Se)
{
    /// <summary>sigma_el / sigma_AM.</summary>
    public double ConductivityRatio => Am.EffectiveRatio;

    /// <summary>D_eff / D_SE.</summary>
    public double DiffusivityRatio => Se.EffectiveRatio;

    /// <summary>The paper's tau = sqrt(eta_SE / (D_eff/D_SE)).</summary>
    public double SeTortuosity => Se.Tortuosity;
}

public static class TransportStudy
{
    public static TransportReport Run(ParticleSnapshot s, double voxelSize = 0.5e-6, int amType = CompositeParameters.Am, int seType = CompositeParameters.Se,
        double tolerance = 1e-8, IProgress<(string Phase, double Fraction)>? progress = null, CancellationToken ct = default)
    {
        if (!(voxelSize > 0))
        {
            throw new DemInputException([$"voxel size {voxelSize} m: must be > 0"]);
        }

        var phase = s.Type.Select(t => t == amType ? VoxelGrid.Am : t == seType ? VoxelGrid.Se : VoxelGrid.Pore).ToArray();
        var g = VoxelGrid.FromSpheres(s.X, s.Y, s.Z, s.Radius, phase, s.BoxLo, s.BoxHi, s.Periodic, voxelSize);
        var am = ConductionSolver.Solve(g, VoxelGrid.Am, tolerance, progress: Wrap("AM conduction"), ct: ct);
        var se = ConductionSolver.Solve(g, VoxelGrid.Se, tolerance, progress: Wrap("SE diffusion"), ct: ct);
        return new TransportReport(g.VoxelSize, [g.Nx, g.Ny, g.Nz], g.Fraction(VoxelGrid.Pore), am, se);

        IProgress<double>? Wrap(string name) => progress is null ? null : new Relay(f => progress.Report((name, f)));
    }

    private sealed class Relay(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
