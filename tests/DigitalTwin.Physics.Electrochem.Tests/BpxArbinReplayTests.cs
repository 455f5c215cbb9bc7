// The twin's arbin-01 path without the services: SPMe on the About:Energy LFP BPX set, its area scaled to the 1.1 A.h
// A123 cell of arbin_example.csv, driven by the file's measured current segment by segment as the CellGrain does.
using System.Globalization;
using System.Text.Json.Nodes;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Testing;
using Xunit.Abstractions;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class BpxArbinReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_model_voltage_of_the_arbin_replay_is_inside_the_sets_window_or_reported_as_a_failure()
    {
        var rows = ReadArbin(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        var set = ScaledLfpBpx(1.1);
        var live = new LiveCell(set, ModelOptions.For(ModelKind.Spme));
        var cell = live.Model.Cell;
        CellState? state = null;
        int produced = 0, failures = 0;
        var bad = new List<string>();
        double sumSq = 0;
        var count = 0;
        for (var start = 0; start < rows.Count;)
        {
            var end = start + 1;
            while (end < rows.Count && rows[end].Step == rows[start].Step && rows[end].Cycle == rows[start].Cycle)
            {
                end++;
            }

            try
            {
                // As the CellGrain: a fresh model starts from the segment's first measured voltage (InitializeState).
                if (state is null)
                {
                    var (n, p) = InitialStates.FromVoltage(cell, rows[start].Voltage);
                    live.Model.SetInitialStoichiometry(n, p);
                    live.Model.SetTime(0);
                    Assert.Equal(StepStatus.Converged, live.Model.Initialise(Control.Amps(0)));
                    state = new CellState(live.Signature, rows[start].Time, live.Model.ExportState());
                }

                // One sample per Advance: the grain's batches split segments anywhere, and every voltage it is given counts.
                for (var k = start; k < end; k++)
                {
                    if (!(rows[k].Time > state.Time))
                    {
                        continue;
                    }

                    var r = live.Advance(state, [rows[k].Time], [rows[k].Current]);
                    state = r.State;
                    produced++;
                    var v = r.Voltage[0];
                    if (!(v >= cell.LowerVoltage && v <= cell.UpperVoltage) && bad.Count < 10)
                    {
                        bad.Add($"t = {rows[k].Time:F1} s, I = {rows[k].Current:F3} A: model {v:G6} V (measured {rows[k].Voltage:F4} V)");
                    }

                    sumSq += (v - rows[k].Voltage) * (v - rows[k].Voltage);
                    count++;
                }
            }
            catch (SolverException e)
            {
                // Reported as a failure: the grain skips the comparison and restarts from the next measured voltage.
                failures++;
                output.WriteLine($"segment at t = {rows[start].Time:F1} s (cycle {rows[start].Cycle}, step {rows[start].Step}): {e.Message}");
                state = null;
            }

            start = end;
        }

        output.WriteLine($"{produced} model voltages, {failures} failed segments, RMS {Math.Sqrt(sumSq / Math.Max(1, count)) * 1e3:F1} mV");
        // The BPX's own window (Lower/Upper voltage cut-off [V], 2.0-3.65 V): a produced voltage outside it must not exist.
        Assert.True(bad.Count == 0, string.Join("\n", bad));
        // The 4C discharge ends and the 6C charge take the model's cell past its cut-offs (surface stoichiometry at the
        // window's ends, electrolyte near depletion): those segments must fail, not be predicted. Source: this replay,
        // 4 failed segments and 1,075 of 2,142 samples predicted (50 %); tolerance: at least 40 % predicted.
        Assert.True(failures >= 1, "no segment failed: the 4C/6C steps did not reach the check");
        Assert.True(produced >= rows.Count * 0.4, $"only {produced} of {rows.Count} samples got a model voltage");
    }

    internal static ParameterSet ScaledLfpBpx(double capacityAh)
    {
        // The twin's scaling (shared/DigitalTwin.Twin ContractMapping.ModelParameters): area x design / BPX nominal capacity.
        var root = JsonNode.Parse(File.ReadAllText(SharedData.DataFile("reference", "bpx", "about_energy", "LFP", "lfp_18650_cell_BPX.json")))!.AsObject();
        var c = root["Parameterisation"]!["Cell"]!.AsObject();
        c["Electrode area [m2]"] = c["Electrode area [m2]"]!.GetValue<double>() * capacityAh / c["Nominal cell capacity [A.h]"]!.GetValue<double>();
        c["Nominal cell capacity [A.h]"] = capacityAh;
        return BpxImporter.Import(root.ToJsonString(), "lfp_18650_cell_BPX.json");
    }

    internal sealed record Row(double Time, int Cycle, int Step, double Current, double Voltage);

    internal static List<Row> ReadArbin(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        int time = Col("Test_Time"), step = Col("Step_Index"), cycle = Col("Cycle_Index"), current = Col("Current"), voltage = Col("Voltage");
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(f => new Row(
            double.Parse(f[time], CultureInfo.InvariantCulture), (int)double.Parse(f[cycle], CultureInfo.InvariantCulture), (int)double.Parse(f[step], CultureInfo.InvariantCulture),
            double.Parse(f[current], CultureInfo.InvariantCulture), double.Parse(f[voltage], CultureInfo.InvariantCulture)))];
    }
}
