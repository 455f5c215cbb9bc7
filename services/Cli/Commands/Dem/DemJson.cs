// JSON and CSV writers for the DEM commands: camelCase, SI units in the field names, NaN allowed.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Cli.Commands.Dem;

internal static class DemJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The compaction result: per stage the solid fraction and, per type, meanStressPa [xx, yy, zz] (Love-Weber, volume-weighted, wall contacts included).</summary>
    public static object CompactionDocument(CompactionResult r, string version) => new
    {
        study = "composite-compaction",
        version,
        parameterSet = r.ParameterSet,
        seed = r.Seed,
        particles = r.ParticleCount,
        completed = r.Completed,
        stages = r.Stages.Select(s => new
        {
            name = s.Name,
            converged = s.Converged,
            diagnosis = s.Diagnosis,
            steps = s.Steps,
            simulatedTimeS = s.SimulatedTimeS,
            heightM = s.HeightM,
            solidFraction = s.Report.SolidFraction,
            extentM = s.Report.ExtentM,
            wallPressurePa = s.Report.WallPressurePa,
            identityRatio = s.Report.IdentityRatio,
            kineticEnergyJ = s.Report.KineticEnergyJ,
            forceBalance = s.Report.ForceBalance,
            coordination = s.Report.MeanCoordination,
            mechanicalCoordination = s.Report.MechanicalCoordination,
            particleContacts = s.Report.ParticleContacts,
            wallContacts = s.Report.WallContacts,
            amSeContacts = s.Report.AmSeContacts,
            contactsByTypePair = s.Report.ContactsByTypePair,
            allMeanStressPa = s.Report.AllMeanStressPa,
            types = s.Report.Types.ToDictionary(t => t.Type, t => t),
            stressVsDepth = s.Report.StressVsDepth,
            stressVsRadius = s.Report.StressVsRadius,
        }),
    };

    public static string CompactionCsv(CompactionResult r)
    {
        var sb = new StringBuilder("stage,converged,solid_fraction,type,count,mean_sxx_pa,mean_syy_pa,mean_szz_pa,split_sxx_pa,split_syy_pa,split_szz_pa,p95_szz_pa,coordination\n");
        foreach (var s in r.Stages)
        {
            foreach (var t in s.Report.Types)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"{s.Name},{s.Converged},{s.Report.SolidFraction:G6},{t.Type},{t.Count},{t.MeanStressPa[0]:G6},{t.MeanStressPa[1]:G6},{t.MeanStressPa[2]:G6},{t.MeanStressSplitPa[0]:G6},{t.MeanStressSplitPa[1]:G6},{t.MeanStressSplitPa[2]:G6},{t.P95StressPa[2]:G6},{t.MeanCoordination:G6}\n");
            }
        }

        return sb.ToString();
    }
}
