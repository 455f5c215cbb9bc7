// The measurement catalog is consistent and docs/timeseries.md documents all of it, so the doc
// cannot drift from the code: every measurement, tag and field with its unit appears in the doc.
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Tests;

public sealed class SchemaCatalogTests
{
    [Fact]
    public void Names_are_unique_snake_case_and_every_field_has_a_unit()
    {
        Assert.Equal(Measurements.All.Count, Measurements.All.Select(m => m.Name).Distinct().Count());
        foreach (var measurement in Measurements.All)
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", measurement.Name);
            Assert.NotEmpty(measurement.Tags);
            Assert.Equal(measurement.Fields.Count, measurement.Fields.Select(f => f.Name).Distinct().Count());
            foreach (var field in measurement.Fields)
            {
                Assert.Matches("^[a-z][a-z0-9_]*$", field.Name);
                Assert.False(string.IsNullOrWhiteSpace(field.Unit), $"{field} has no unit");
                Assert.False(string.IsNullOrWhiteSpace(field.GrafanaUnit), $"{field} has no Grafana unit");
                Assert.Same(measurement, field.Measurement);
                Assert.EndsWith($"[{field.DisplayUnit}]", field.AxisLabel, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Stresses_and_lengths_are_stored_in_SI_and_shown_scaled()
    {
        var stresses = Measurements.All.SelectMany(m => m.Fields).Where(f => f.Unit == "Pa").ToList();
        Assert.NotEmpty(stresses);
        Assert.All(stresses, f => Assert.Equal(("MPa", 1e-6), (f.DisplayUnit, f.DisplayScale)));
        Assert.Equal(("nm", 1e9), (Measurements.Particle.InterfaceGap.DisplayUnit, Measurements.Particle.InterfaceGap.DisplayScale));
        Assert.Equal("Hoop stress at surface [MPa]", Measurements.Particle.HoopStressSurface.AxisLabel);
    }

    [Fact]
    public void The_doc_lists_every_measurement_tag_and_field_with_its_unit()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "timeseries.md"));
        var missing = new List<string>();
        foreach (var measurement in Measurements.All)
        {
            var start = doc.IndexOf($"### `{measurement.Name}`", StringComparison.Ordinal);
            if (start < 0)
            {
                missing.Add($"section ### `{measurement.Name}`");
                continue;
            }

            var end = doc.IndexOf("\n### ", start + 5, StringComparison.Ordinal);
            var section = end < 0 ? doc[start..] : doc[start..end];
            missing.AddRange(measurement.Tags.Where(t => !section.Contains($"`{t.Name}`", StringComparison.Ordinal)).Select(t => $"{measurement.Name} tag {t.Name}"));
            missing.AddRange(measurement.Fields.Where(f => !section.Contains($"| `{f.Name}` | {f.Kind.ToString().ToLowerInvariant()} | {f.Unit} |", StringComparison.Ordinal))
                .Select(f => $"{measurement.Name} row | `{f.Name}` | {f.Kind.ToString().ToLowerInvariant()} | {f.Unit} |"));
        }

        Assert.True(missing.Count == 0, "docs/timeseries.md is missing: " + string.Join("; ", missing));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DigitalTwin.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"DigitalTwin.sln not found above {AppContext.BaseDirectory}.");
    }
}
