// Determinism: the same run on 1 and 2 threads, and across a checkpoint/restart, gives identical bits
// (reductions run over fixed particle blocks, pair forces are gathered in a fixed order).
namespace DigitalTwin.Physics.Dem.Tests;

public class DeterminismTests
{
    [Fact]
    public void OneAndTwoThreadsGiveIdenticalTrajectories()
    {
        var (a, _, topA) = TestSystems.SmallCompaction(400, 3, 50e6, threads: 1);
        var (b, _, topB) = TestSystems.SmallCompaction(400, 3, 50e6, threads: 2);
        using (a)
        using (b)
        {
            a.Run(3000);
            b.Run(3000);
            Assert.True(a.NeighborBuilds > 1, "the run must rebuild its lists at least once");
            Assert.Equal((1, 2), (a.ThreadCount, b.ThreadCount));
            Assert.Equal(a.Positions.ToArray(), b.Positions.ToArray());
            Assert.Equal(a.Velocities.ToArray(), b.Velocities.ToArray());
            Assert.Equal(a.AngularVelocities.ToArray(), b.AngularVelocities.ToArray());
            Assert.Equal(topA.Position, topB.Position);
        }
    }

    [Fact]
    public void CheckpointRestartContinuesBitForBit()
    {
        var (straight, _, top) = TestSystems.SmallCompaction(400, 5, 50e6, threads: 2);
        var (first, _, _) = TestSystems.SmallCompaction(400, 5, 50e6, threads: 2);
        using (straight)
        using (first)
        {
            straight.Run(4000);
            first.Run(2000);
            var bytes = first.SaveCheckpoint();
            using var restarted = DemSystem.Restore(bytes, first.Materials, first.Settings);
            restarted.Run(2000);
            Assert.Equal(straight.Step, restarted.Step);
            Assert.Equal(straight.Positions.ToArray(), restarted.Positions.ToArray());
            Assert.Equal(straight.Velocities.ToArray(), restarted.Velocities.ToArray());
            Assert.Equal(top.Position, restarted.Walls[1].Position);
            Assert.Equal(top.Load, restarted.Walls[1].Load);
        }
    }
}
