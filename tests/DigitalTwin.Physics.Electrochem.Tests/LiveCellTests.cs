// The live twin: a compact serialisable state, and Advance driven by measured current (telemetry: charge > 0).
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class LiveCellTests
{
    [Theory]
    [InlineData(ModelKind.Spm)]
    [InlineData(ModelKind.Spme)]
    [InlineData(ModelKind.Dfn)]
    public void AdvanceSampleBySampleMatchesOneLongRun(ModelKind kind)
    {
        var set = ParameterSets.Get("Marquis2019");
        var options = new ModelOptions { Model = kind, PointsNegative = 10, PointsSeparator = 5, PointsPositive = 10, PointsParticle = 10 };
        var live = new LiveCell(set, options);
        var state = live.Initial();
        var oneC = live.Model.Cell.OneC;
        var times = Enumerable.Range(1, 600).Select(k => k * 1.0).ToArray();
        var telemetry = times.Select(_ => -oneC).ToArray(); // discharging: telemetry current is negative
        var voltages = new List<double>();
        foreach (var chunk in times.Chunk(60))
        {
            var r = live.Advance(state, chunk, Enumerable.Repeat(-oneC, chunk.Length).ToArray());
            state = CellState.FromBytes(r.State.ToBytes()); // through the wire format
            voltages.AddRange(r.Voltage);
        }

        var whole = live.Advance(live.Initial(), times, telemetry);
        // Chunking and serialising the state must not change anything (bit-for-bit up to 1e-12 V).
        Assert.Equal(whole.Voltage[^1], voltages[^1], 12);
        // The same 1 s implicit steps agree with the adaptive BDF2 simulation within 1 mV (BDF1 time error at 1 s).
        var model = ModelFactory.Create(set, options);
        var sim = new ExperimentRunner().Run(model, Experiment.Parse("Discharge at 1C for 600 s"));
        Assert.True(Math.Abs(sim.Samples[^1].Voltage - voltages[^1]) < 1e-3, $"{sim.Samples[^1].Voltage} vs {voltages[^1]}");
        Assert.True(voltages[^1] < voltages[0], "discharging lowers the voltage");
    }

    [Fact]
    public void ChargingTelemetryRaisesTheVoltage()
    {
        var live = new LiveCell(ParameterSets.Get("Marquis2019"), ModelOptions.For(ModelKind.Spm));
        var state = live.Initial();
        var r = live.Advance(state, [10, 20, 30], [0.68, 0.68, 0.68]);
        Assert.True(r.Voltage[2] > r.Voltage[0]);
        Assert.Equal(30, r.State.Time);
    }

    [Fact]
    public void RefusesForeignStatesAndBadSegments()
    {
        var spm = new LiveCell(ParameterSets.Get("Marquis2019"), ModelOptions.For(ModelKind.Spm));
        var dfn = new LiveCell(ParameterSets.Get("Marquis2019"), ModelOptions.For(ModelKind.Dfn));
        Assert.Throws<ArgumentException>(() => dfn.Advance(spm.Initial(), [1.0], [0.0]));
        var s = spm.Initial();
        Assert.Throws<ArgumentException>(() => spm.Advance(s, [1.0, 0.5], [0.0, 0.0]));
        Assert.Throws<FormatException>(() => CellState.FromBytes(s.ToBytes().AsSpan(0, 20)));
    }

    [Fact]
    public void StateIsCompact()
    {
        var live = new LiveCell(ParameterSets.Get("Marquis2019"), ModelOptions.For(ModelKind.Spm));
        // SPM: two particles of 20 volumes plus three scalars: well under 1 kB on the wire.
        Assert.True(live.Initial().ToBytes().Length < 1024);
    }

    [Fact]
    public void LumpedThermalStateCarriesTheTemperatureAcrossSegments()
    {
        // The state holds the cell temperature: two 150 s segments end where one 300 s segment does (up to the Newton
        // start after the split: 1e-8 V, and the temperature fixed point's 1e-4 K), and the warmed cell agrees with
        // the adaptive experiment run (BDF1 at 1 s against BDF2: within 0.02 K).
        var options = new ModelOptions { Thermal = "lumped", StressInducedDiffusion = "true", PointsNegative = 8, PointsSeparator = 4, PointsPositive = 8, PointsParticle = 8 };
        var set = ParameterSets.Get("Ai2020Paper");
        var live = new LiveCell(set, options);
        var amps = -2 * live.Model.Cell.OneC; // telemetry sign: discharge is negative
        double[] Times(double from, int n) => [.. Enumerable.Range(1, n).Select(k => from + k)];
        var start = live.Initial();
        var whole = live.Advance(start, Times(0, 300), Enumerable.Repeat(amps, 300).ToArray());
        var first = live.Advance(start, Times(0, 150), Enumerable.Repeat(amps, 150).ToArray());
        var second = live.Advance(CellState.FromBytes(first.State.ToBytes()), Times(150, 150), Enumerable.Repeat(amps, 150).ToArray());
        Assert.Equal(whole.Voltage[^1], second.Voltage[^1], 1e-8);
        Assert.Equal(whole.State.Values[^1], second.State.Values[^1], 1e-4);
        var model = ModelFactory.Create(set, options);
        var run = new ExperimentRunner().Run(model, Experiment.Parse("Discharge at 2C for 300 seconds"));
        Assert.InRange(whole.State.Values[^1], 299, 310);
        Assert.Equal(run.Samples[^1].Temperature, whole.State.Values[^1], 0.02);
    }

    [Theory]
    [InlineData(ModelKind.Spm)]
    [InlineData(ModelKind.Spme)]
    [InlineData(ModelKind.Dfn)]
    public void AnAdvanceDependsOnlyOnItsStateNotOnWhatTheCellDidBefore(ModelKind kind)
    {
        // The Electrochem service pools LiveCells: a request must get the same bits whichever cell serves it.
        var set = ParameterSets.Get("Marquis2019");
        var options = new ModelOptions { Model = kind, PointsNegative = 10, PointsSeparator = 5, PointsPositive = 10, PointsParticle = 10 };
        var fresh = new LiveCell(set, options);
        var used = new LiveCell(set, options);
        var oneC = fresh.Model.Cell.OneC;
        double[] times = [.. Enumerable.Range(1, 120).Select(k => k * 1.0)];
        var start = fresh.Advance(fresh.Initial(), times, [.. times.Select(_ => -oneC)]).State;

        // The used cell first serves another cell's history: a charge at 2C from a different state.
        var other = used.Advance(used.Initial(), times, [.. times.Select(_ => -0.5 * oneC)]).State;
        used.Advance(other, [.. times.Select(t => t + 120)], [.. times.Select(_ => 2 * oneC)]);

        double[] next = [.. times.Select(t => t + 120)];
        double[] current = [.. next.Select(t => t < 180 ? -oneC : 0.5 * oneC)];
        var a = fresh.Advance(start, next, current);
        var b = used.Advance(start, next, current);
        Assert.Equal(a.Voltage, b.Voltage);
        Assert.Equal(a.State.Values, b.State.Values);
    }
}
