// Experiments as engineers write them: parsing, errors that point at the word, and events located inside the step.
using DigitalTwin.Physics.Electrochem.Experiments;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class ExperimentTests
{
    [Fact]
    public void ParsesTheIssueExamples()
    {
        var e = Experiment.Parse(["Discharge at 1C until 3.0 V", "Charge at C/3 until 4.2 V", "Hold at 4.2 V until C/50", "Rest for 30 minutes",
            "Discharge at 2 A for 10 minutes", "Discharge at 5 W until 3.0 V", "Charge at 500 mA for 1 hour or until 4.1 V"]);
        Assert.Equal(7, e.Steps.Count);
        Assert.Equal(new Amount(1, Quantity.CRate), e.Steps[0].Setpoint);
        Assert.Equal(3.0, e.Steps[0].UntilVoltage!.Value.Value);
        Assert.Equal(1.0 / 3, e.Steps[1].Setpoint!.Value.Value, 12);
        Assert.Equal(StepKind.Hold, e.Steps[2].Kind);
        Assert.Equal(new Amount(1.0 / 50, Quantity.CRate), e.Steps[2].UntilCurrent);
        Assert.Equal(1800, e.Steps[3].Duration);
        Assert.Equal(new Amount(2, Quantity.Amps), e.Steps[4].Setpoint);
        Assert.Equal(Quantity.Watts, e.Steps[5].Setpoint!.Value.Unit);
        Assert.Equal(0.5, e.Steps[6].Setpoint!.Value.Value, 12);
        Assert.Equal(3600, e.Steps[6].Duration);
        Assert.Equal(4.1, e.Steps[6].UntilVoltage!.Value.Value);
    }

    [Fact]
    public void RepeatsCycles()
    {
        var e = Experiment.Parse("3 x (Discharge at 1C until 3.2 V; Rest for 1 hour; Charge at C/2 until 4.1 V)");
        Assert.Equal(9, e.Steps.Count);
        Assert.Equal(StepKind.Charge, e.Steps[8].Kind);
        Assert.Equal(4, Experiment.Parse("(Rest for 1 s; Rest for 2 s) x 2").Steps.Count);
    }

    [Theory]
    [InlineData("Dischrge at 1C until 3.0 V", "Dischrge", 0)]
    [InlineData("Discharge at 1 parsec until 3.0 V", "parsec", 15)]
    [InlineData("Rest for 30 fortnights", "fortnights", 12)]
    [InlineData("Hold at 4.2 A until C/50", "A", 12)]
    [InlineData("Discharge at 1C until 3.0", "end of step", 25)]
    public void ErrorsPointAtTheWordAndListWhatIsAccepted(string text, string word, int position)
    {
        var ex = Assert.Throws<ExperimentParseException>(() => Experiment.Parse(text));
        Assert.Equal(position, ex.Position);
        Assert.Contains($"\"{word}\"", ex.Message);
        Assert.Contains("Accepted steps:", ex.Message);
        Assert.NotEmpty(ex.Accepted);
    }

    [Fact]
    public void VoltageCutOffIsLocatedInsideTheStep()
    {
        var r = Reference.Run("Marquis2019", ModelKind.Spme, "Discharge at 1C until 3.4 V");
        // The located end voltage must equal the cut-off to the root-finder tolerance (1 uV).
        Assert.True(Math.Abs(r.Samples[^1].Voltage - 3.4) <= 1e-6, $"{r.Samples[^1].Voltage}");
        Assert.Contains("voltage reached", r.Steps[0].Reason);
    }

    [Fact]
    public void ConstantVoltageHoldEndsAtTheCurrentCutOff()
    {
        var set = ParameterSets.Get("Marquis2019");
        var r = Reference.Run("Marquis2019", ModelKind.Dfn, "Discharge at 1C until 3.5 V; Charge at 1C until 4.0 V; Hold at 4.0 V until C/20");
        var hold = r.Samples.Where(s => s.Step == 3).ToList();
        // During the hold the voltage stays at 4.0 V (Newton tolerance 0.1 uV x 10) and the final |I| is C/20
        // (event tolerance 1e-6 relative).
        Assert.All(hold, s => Assert.True(Math.Abs(s.Voltage - 4.0) <= 1e-6, $"{s.Voltage}"));
        var cOver20 = set.Scalar("Nominal cell capacity [A.h]") / 20;
        Assert.True(Math.Abs(Math.Abs(hold[^1].Current) - cOver20) <= 1e-6 * cOver20, $"{hold[^1].Current}");
        Assert.True(hold.Count > 5);
    }

    [Fact]
    public void PowerStepsHoldThePower()
    {
        var r = Reference.Run("Marquis2019", ModelKind.Spme, "Discharge at 2 W for 10 minutes");
        // P = I V within the Newton tolerance (1e-12 relative in current) x 1e4.
        Assert.All(r.Samples.Skip(1), s => Assert.Equal(2.0, s.Current * s.Voltage, 6));
    }

    [Fact]
    public void DriveCycleFollowsTheProfile()
    {
        var rows = Reference.Csv(DigitalTwin.Testing.SharedData.DataFile("reference", "drive_cycles", "car_current.csv"));
        var cycle = new DriveCycle("car_current", rows.Select(r => r[0]).ToArray(), rows.Select(r => r[1]).ToArray(), IsPower: false);
        var model = ModelFactory.Create(ParameterSets.Get("Marquis2019"), ModelOptions.For(ModelKind.Spme));
        var r = new ExperimentRunner().Run(model, Experiment.Parse("Run car_current.csv", _ => cycle));
        // Every breakpoint is a step boundary, so the current at each breakpoint time is the file's value (1e-9 A).
        // (At 1 A, 1.5C, this cell empties before the file's last row; the rows it reaches are checked.)
        Assert.True(r.Samples[^1].Time > 615);
        foreach (var row in rows.Skip(1).Where(x => x[0] <= r.Samples[^1].Time))
        {
            var s = r.Samples.First(x => Math.Abs(x.Time - row[0]) < 1e-6);
            Assert.Equal(row[1], s.Current, 9);
        }
    }
}
