// Voxel transport against geometries with known answers: straight channels (sigma_eff = channel
// fraction, tortuosity factor 1), layers in series (harmonic mean) and in parallel (arithmetic mean),
// and dilute insulating spheres (Maxwell 1873: sigma_eff/sigma = 2(1 - phi)/(2 + phi)).
using DigitalTwin.Physics.Dem.Studies;
using DigitalTwin.Physics.Dem.Transport;

namespace DigitalTwin.Physics.Dem.Tests;

public class TransportTests
{
    [Fact]
    public void StraightChannelsConductInProportionToTheirArea()
    {
        var g = new VoxelGrid(20, 16, 30, 1e-6, true, true);
        var channel = 0;
        for (var z = 0; z < g.Nz; z++)
        {
            for (var y = 0; y < g.Ny; y++)
            {
                for (var x = 0; x < g.Nx; x++)
                {
                    if ((x < 6 && y < 5) || (x >= 12 && x < 15 && y >= 9))
                    {
                        g.Phase[g.Index(x, y, z)] = VoxelGrid.Am;
                        channel += z == 0 ? 1 : 0;
                    }
                    else
                    {
                        g.Phase[g.Index(x, y, z)] = VoxelGrid.Se;
                    }
                }
            }
        }

        var am = ConductionSolver.Solve(g, VoxelGrid.Am, 1e-12);
        var fraction = channel / (double)(g.Nx * g.Ny);
        // exact on the grid: each column has resistance nz (1e-9 relative from the solver tolerance)
        Assert.Equal(fraction, am.EffectiveRatio, 1e-9);
        Assert.Equal(1.0, am.TortuosityFactor, 1e-9);
        Assert.Equal(1.0, am.Tortuosity, 1e-9);
        var se = ConductionSolver.Solve(g, VoxelGrid.Se, 1e-12);
        Assert.Equal(1 - fraction, se.EffectiveRatio, 1e-9);
    }

    [Fact]
    public void LayersInSeriesAndInParallelGiveHarmonicAndArithmeticMeans()
    {
        double[] sigma = [0, 1.0, 0.2];
        var series = new VoxelGrid(8, 8, 40, 1e-6, true, true);
        var parallel = new VoxelGrid(40, 8, 12, 1e-6, true, true);
        for (var v = 0; v < series.Phase.Length; v++)
        {
            series.Phase[v] = v / 64 % 10 < 7 ? VoxelGrid.Am : VoxelGrid.Se;
        }

        for (var v = 0; v < parallel.Phase.Length; v++)
        {
            parallel.Phase[v] = v % 40 % 10 < 7 ? VoxelGrid.Am : VoxelGrid.Se;
        }

        // 70 % of the thickness at sigma 1, 30 % at 0.2: series 1/(0.7 + 0.3/0.2), parallel 0.7 + 0.3 * 0.2
        var s = ConductionSolver.SolveComposite(series, sigma, 1.0);
        var p = ConductionSolver.SolveComposite(parallel, sigma, 1.0);
        Assert.Equal(1 / (0.7 + 0.3 / 0.2), s.EffectiveRatio, 1e-8);
        Assert.Equal(0.7 + 0.3 * 0.2, p.EffectiveRatio, 1e-8);
    }

    [Fact]
    public void DiluteInsulatingSpheresFollowMaxwell()
    {
        // a simple-cubic array of insulating spheres (pore) in a conducting matrix (AM), phi ~ 0.05
        const int cell = 24;
        const int cells = 3;
        var r = 0.2285 * cell;
        var n = cell * cells;
        var centres = new List<(double X, double Y, double Z)>();
        for (var i = 0; i < cells; i++)
        {
            for (var j = 0; j < cells; j++)
            {
                for (var k = 0; k < cells; k++)
                {
                    centres.Add(((i + 0.5) * cell, (j + 0.5) * cell, (k + 0.5) * cell));
                }
            }
        }

        var g = new VoxelGrid(n, n, n, 1, true, true);
        var holes = 0;
        for (var z = 0; z < n; z++)
        {
            for (var y = 0; y < n; y++)
            {
                for (var x = 0; x < n; x++)
                {
                    var inside = centres.Any(c => (x + 0.5 - c.X) * (x + 0.5 - c.X) + (y + 0.5 - c.Y) * (y + 0.5 - c.Y) + (z + 0.5 - c.Z) * (z + 0.5 - c.Z) <= r * r);
                    g.Phase[g.Index(x, y, z)] = inside ? VoxelGrid.Pore : VoxelGrid.Am;
                    holes += inside ? 1 : 0;
                }
            }
        }

        var phi = holes / (double)g.Phase.Length;
        var am = ConductionSolver.Solve(g, VoxelGrid.Am, 1e-10);
        var maxwell = 2 * (1 - phi) / (2 + phi);
        // Maxwell's dilute estimate; the cubic-array correction at phi = 0.05 is O(phi^(10/3)) ~ 5e-5, voxel staircase ~0.5 %: tolerance 1 %
        Assert.InRange(phi, 0.045, 0.055);
        Assert.True(Math.Abs(am.EffectiveRatio / maxwell - 1) < 0.01, $"sigma_eff/sigma {am.EffectiveRatio:F5} vs Maxwell {maxwell:F5} at phi {phi:F4}");
    }

    [Fact]
    public void VoxelisedPackingGivesAmWinningOverlapsAndPlausibleTransport()
    {
        // two overlapping spheres: the lens belongs to AM (seed 004 §2.7)
        var g = VoxelGrid.FromSpheres([5e-6, 9e-6], [5e-6, 5e-6], [5e-6, 5e-6], [3e-6, 3e-6], [VoxelGrid.Se, VoxelGrid.Am],
            [0, 0, 0], [14e-6, 10e-6, 10e-6], [false, false, false], 0.25e-6);
        var lens = g.Phase[g.Index((int)(7e-6 / 0.25e-6), 20, 20)];
        Assert.Equal(VoxelGrid.Am, lens);
        // an AM chain and an SE chain of overlapping spheres spanning the electrodes
        int[] types = [0, 0, 0, 1, 1, 1];
        var snap = new ParticleSnapshot([1, 2, 3, 4, 5, 6], types.Select(t => t == 0 ? CompositeParameters.Am : CompositeParameters.Se).ToArray(),
            [3.5e-6, 3.5e-6, 3.5e-6, 3.5e-6, 3.5e-6, 3.5e-6], [2.5e-6, 2.5e-6, 2.5e-6, 7.5e-6, 7.5e-6, 7.5e-6], [2.5e-6, 2.5e-6, 2.5e-6, 7.5e-6, 7.5e-6, 7.5e-6],
            [3e-6, 9e-6, 15e-6, 3e-6, 9e-6, 15e-6], new double[6], new double[6], new double[6], [0, 0, 0], [10e-6, 10e-6, 18e-6], [true, true, false]);
        var report = TransportStudy.Run(snap, 0.5e-6);
        Assert.True(report.ConductivityRatio > 0 && report.ConductivityRatio < report.Am.PhaseFraction, $"AM ratio {report.ConductivityRatio} must be below its fraction");
        Assert.True(report.Se.Tortuosity >= 1, $"tau {report.Se.Tortuosity}");
    }
}
