// Demo DEM packing studies (until the DEM service writes real ones): three calendering pressures,
// stages fill → press → release → cycle, with stress vs depth (Janssen-like decay from the pressed
// face) and vs particle size. Shapes are plausible, numbers are not results of a simulation.
using DigitalTwin.TimeSeries.Points;
using M = DigitalTwin.TimeSeries.Schema.Measurements;

namespace DigitalTwin.TimeSeries.Demo;

internal static class DemoDem
{
    private const double Thickness = 80e-6;
    private const int DepthBins = 24;
    private const int SizeBins = 10;
    private static readonly (string Name, double Pressure)[] Studies = [("calender-080MPa", 80e6), ("calender-150MPa", 150e6), ("calender-180MPa", 180e6)];
    private static readonly string[] Stages = ["fill", "press", "release", "cycle"];

    public static IReadOnlyList<string> StudyNames => [.. Studies.Select(s => s.Name)];

    public static void Write(PointBatch batch, long finishedNs, Random random)
    {
        foreach (var (study, pressure) in Studies)
        {
            for (var s = 0; s < Stages.Length; s++)
            {
                var stage = Stages[s];
                var time = finishedNs + (s * 600L * TimeUnits.NanosecondsPerSecond);
                var applied = stage switch { "press" => pressure, "cycle" => 1e6, _ => 0 };
                var fraction = SolidFraction(stage, pressure);
                var coordination = 4 + (30 * (fraction - 0.55));
                var meanStress = 0.0;
                var maxStress = 0.0;
                var particles = 6000;
                for (var b = 0; b < DepthBins; b++)
                {
                    var depth = (b + 0.5) * Thickness / DepthBins;
                    var stress = DepthStress(stage, pressure, depth) * (1 + (0.04 * (random.NextDouble() - 0.5)));
                    var local = fraction - (0.03 * depth / Thickness * (stage == "fill" ? 0 : 1));
                    meanStress += stress / DepthBins;
                    maxStress = Math.Max(maxStress, stress * 2.4);
                    batch.Add(SeriesKey.Create(M.DemDepthProfile.Measurement, (M.Tags.Study, study), (M.Tags.Stage, stage), (M.Tags.Bin, b.ToString("000", System.Globalization.CultureInfo.InvariantCulture))), time)
                        .Float(M.DemDepthProfile.Depth, depth)
                        .Float(M.DemDepthProfile.NormalStress, stress)
                        .Float(M.DemDepthProfile.SolidFraction, local)
                        .Float(M.DemDepthProfile.CoordinationNumber, 4 + (30 * (local - 0.55)));
                }

                for (var b = 0; b < SizeBins; b++)
                {
                    var radius = (2 + (b * 1.1)) * 1e-6;
                    var relative = radius / 6.5e-6;
                    var mean = meanStress * Math.Pow(relative, 0.6) * (1 + (0.05 * (random.NextDouble() - 0.5)));
                    batch.Add(SeriesKey.Create(M.DemSizeProfile.Measurement, (M.Tags.Study, study), (M.Tags.Stage, stage), (M.Tags.Bin, b.ToString("000", System.Globalization.CultureInfo.InvariantCulture))), time)
                        .Float(M.DemSizeProfile.ParticleRadius, radius)
                        .Float(M.DemSizeProfile.MeanStress, mean)
                        .Float(M.DemSizeProfile.MaxStress, mean * (2.2 + (0.3 * relative)))
                        .Integer(M.DemSizeProfile.ContactCount, (long)(particles / SizeBins * coordination * relative * relative / 2))
                        .Float(M.DemSizeProfile.CoordinationNumber, coordination * Math.Pow(relative, 0.5));
                }

                batch.Add(SeriesKey.Create(M.DemStage.Measurement, (M.Tags.Study, study), (M.Tags.Stage, stage)), time)
                    .Integer(M.DemStage.StageIndex, s)
                    .Float(M.DemStage.AppliedPressure, applied)
                    .Float(M.DemStage.MeanStress, meanStress)
                    .Float(M.DemStage.MaxStress, maxStress)
                    .Float(M.DemStage.CoordinationNumber, coordination)
                    .Integer(M.DemStage.ContactCount, (long)(particles * coordination / 2))
                    .Float(M.DemStage.SolidFraction, fraction)
                    .Float(M.DemStage.Thickness, Thickness * (0.58 / fraction));
            }
        }
    }

    private static double SolidFraction(string stage, double pressure) => stage switch
    {
        "fill" => 0.58,
        "press" => 0.58 + (0.16 * Math.Pow(pressure / 200e6, 0.35)),
        "release" => 0.58 + (0.14 * Math.Pow(pressure / 200e6, 0.35)),
        _ => 0.58 + (0.135 * Math.Pow(pressure / 200e6, 0.35)),
    };

    /// <summary>Janssen-like decay from the pressed face (λ = 120 µm); residual stress after release; swelling while cycling.</summary>
    private static double DepthStress(string stage, double pressure, double depth) => stage switch
    {
        "fill" => 2e4 * (1 + (depth / Thickness)),
        "press" => pressure * Math.Exp(-depth / 120e-6),
        "release" => 0.12 * pressure * (1 - (0.6 * depth / Thickness)),
        _ => 1e6 + (4e6 * Math.Pow(pressure / 150e6, 1.5)) + (0.12 * pressure * (1 - (0.6 * depth / Thickness))),
    };
}
