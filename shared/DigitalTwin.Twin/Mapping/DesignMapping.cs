// Contract messages to and from the twin's records: designs, sample batches.
using DigitalTwin.Estimation;
using DigitalTwin.Estimation.Design;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Mapping;

public static class ContractMapping
{
    /// <summary>The twin's design from the contract's (unset optional values become NaN: the parameter set's).</summary>
    public static CellDesign ToDesign(Common.CellDesign d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new CellDesign(
            d.Chemistry,
            d.Configuration == Common.CellConfiguration.HalfCell ? CellConfiguration.HalfCell : CellConfiguration.FullCell,
            d.Parameters?.SourceCase switch
            {
                Common.ParameterSetRef.SourceOneofCase.Name => d.Parameters.Name,
                Common.ParameterSetRef.SourceOneofCase.BpxJson => BpxSetName,
                null => "",
                _ => "inline.json",
            },
            d.HasNominalCapacityAh ? d.NominalCapacityAh : double.NaN,
            d.HasMinVoltage ? d.MinVoltage : double.NaN,
            d.HasMaxVoltage ? d.MaxVoltage : double.NaN,
            d.Electrolyte == Common.ElectrolyteKind.Solid ? ElectrolyteKind.Solid : ElectrolyteKind.Liquid,
            d.Negative is null ? null : ToElectrode(d.Negative),
            ToElectrode(d.Positive ?? new Common.ElectrodeDesign()),
            d.HasStackPressure ? d.StackPressure : double.NaN,
            d.HasFabricationPressure ? d.FabricationPressure : double.NaN,
            d.Parameters?.SourceCase == Common.ParameterSetRef.SourceOneofCase.BpxJson ? d.Parameters.BpxJson.ToStringUtf8() : null);
    }

    /// <summary>The design's parameter-set name for a BPX document sent inline (the validator accepts names ending in .json).</summary>
    public const string BpxSetName = "bpx.json";

    /// <summary>The parameter-set reference the solvers get: the inline BPX document when the design carries one, else the name.</summary>
    public static Common.ParameterSetRef Parameters(CellDesign d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.BpxJson is null ? new Common.ParameterSetRef { Name = d.ParameterSet } : new Common.ParameterSetRef { BpxJson = Google.Protobuf.ByteString.CopyFromUtf8(d.BpxJson) };
    }

    /// <summary>
    /// The parameter set the Electrochem model runs on. A BPX cell of another capacity is scaled to the design's: electrode
    /// area × (design capacity / BPX nominal capacity), the same electrodes in a smaller or larger cell (docs/twin.md).
    /// </summary>
    public static Common.ParameterSetRef ModelParameters(CellDesign d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.BpxJson is null || !double.IsFinite(d.NominalCapacityAh)
            || System.Text.Json.Nodes.JsonNode.Parse(d.BpxJson) is not System.Text.Json.Nodes.JsonObject root
            || root["Parameterisation"]?["Cell"] is not System.Text.Json.Nodes.JsonObject cell
            || cell["Electrode area [m2]"]?.GetValue<double>() is not { } area
            || cell["Nominal cell capacity [A.h]"]?.GetValue<double>() is not { } nominal || !(nominal > 0))
        {
            return Parameters(d);
        }

        cell["Electrode area [m2]"] = area * d.NominalCapacityAh / nominal;
        cell["Nominal cell capacity [A.h]"] = d.NominalCapacityAh;
        return new Common.ParameterSetRef { BpxJson = Google.Protobuf.ByteString.CopyFromUtf8(root.ToJsonString()) };
    }

    /// <summary>The contract's design from the twin's (NaN values stay unset).</summary>
    public static Common.CellDesign ToContract(CellDesign d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var c = new Common.CellDesign
        {
            Chemistry = d.Chemistry,
            Configuration = d.Configuration == CellConfiguration.HalfCell ? Common.CellConfiguration.HalfCell : Common.CellConfiguration.FullCell,
            Parameters = Parameters(d),
            Electrolyte = d.Electrolyte == ElectrolyteKind.Solid ? Common.ElectrolyteKind.Solid : Common.ElectrolyteKind.Liquid,
            Positive = ToContract(d.Positive),
        };
        if (d.Negative is not null)
        {
            c.Negative = ToContract(d.Negative);
        }

        if (double.IsFinite(d.NominalCapacityAh))
        {
            c.NominalCapacityAh = d.NominalCapacityAh;
        }

        if (double.IsFinite(d.MinVoltage))
        {
            c.MinVoltage = d.MinVoltage;
        }

        if (double.IsFinite(d.MaxVoltage))
        {
            c.MaxVoltage = d.MaxVoltage;
        }

        if (double.IsFinite(d.StackPressure))
        {
            c.StackPressure = d.StackPressure;
        }

        if (double.IsFinite(d.FabricationPressure))
        {
            c.FabricationPressure = d.FabricationPressure;
        }

        return c;
    }

    /// <summary>The contract's columnar batch as samples; a column left empty becomes NaN (or 0 for indices).</summary>
    public static IReadOnlyList<CellSample> ToSamples(Common.SampleBatch b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var n = b.Sequence.Count;
        var samples = new CellSample[n];
        for (var i = 0; i < n; i++)
        {
            samples[i] = new CellSample(
                b.Sequence[i],
                b.TimeUnixNs.Count == n ? b.TimeUnixNs[i] : 0,
                b.TestTime.Count == n ? b.TestTime[i] : double.NaN,
                b.CycleIndex.Count == n ? (int)b.CycleIndex[i] : 0,
                b.StepIndex.Count == n ? (int)b.StepIndex[i] : 0,
                b.StepType.Count == n ? (StepKind)(int)b.StepType[i] : StepKind.Unspecified,
                b.Current.Count == n ? b.Current[i] : double.NaN,
                b.Voltage.Count == n ? b.Voltage[i] : double.NaN,
                b.TemperatureDegc.Count == n ? b.TemperatureDegc[i] : double.NaN,
                b.ChargeCapacityAh.Count == n ? b.ChargeCapacityAh[i] : double.NaN,
                b.DischargeCapacityAh.Count == n ? b.DischargeCapacityAh[i] : double.NaN);
        }

        return samples;
    }

    /// <summary>Every problem of a batch's shape at once: columns of the wrong length, missing required columns.</summary>
    public static IReadOnlyList<string> BatchProblems(Common.SampleBatch b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var problems = new List<string>();
        var n = b.Sequence.Count;
        if (string.IsNullOrEmpty(b.CellId))
        {
            problems.Add("cell_id: empty");
        }

        if (string.IsNullOrEmpty(b.SourceId))
        {
            problems.Add("source_id: empty");
        }

        void Required(string name, int count)
        {
            if (count != n)
            {
                problems.Add($"{name}: {count} values for {n} sequence numbers");
            }
        }

        void Optional(string name, int count)
        {
            if (count != 0 && count != n)
            {
                problems.Add($"{name}: {count} values for {n} sequence numbers (leave it empty when not measured)");
            }
        }

        Required("test_time", b.TestTime.Count);
        Required("current", b.Current.Count);
        Required("voltage", b.Voltage.Count);
        Optional("time_unix_ns", b.TimeUnixNs.Count);
        Optional("cycle_index", b.CycleIndex.Count);
        Optional("step_index", b.StepIndex.Count);
        Optional("step_type", b.StepType.Count);
        Optional("temperature_degc", b.TemperatureDegc.Count);
        Optional("charge_capacity_ah", b.ChargeCapacityAh.Count);
        Optional("discharge_capacity_ah", b.DischargeCapacityAh.Count);
        if (b.Sequence.Any(s => s == 0))
        {
            problems.Add("sequence: numbers start at 1");
        }

        return problems;
    }

    private static ElectrodeDesign ToElectrode(Common.ElectrodeDesign e) =>
        new(
            e.ActiveMaterial,
            e.HasThickness ? e.Thickness : double.NaN,
            e.HasPorosity ? e.Porosity : double.NaN,
            e.HasLoading ? e.Loading : double.NaN,
            [.. e.ParticleClasses.Select(c => new ParticleClassDesign(c.Id, c.Radius, c.VolumeFraction))],
            e.Binder?.Material ?? "",
            e.Binder is { HasMassFraction: true } ? e.Binder.MassFraction : double.NaN);

    private static Common.ElectrodeDesign ToContract(ElectrodeDesign e)
    {
        var c = new Common.ElectrodeDesign { ActiveMaterial = e.ActiveMaterial };
        if (double.IsFinite(e.Thickness))
        {
            c.Thickness = e.Thickness;
        }

        if (double.IsFinite(e.Porosity))
        {
            c.Porosity = e.Porosity;
        }

        if (double.IsFinite(e.LoadingKgPerM2))
        {
            c.Loading = e.LoadingKgPerM2;
        }

        c.ParticleClasses.AddRange(e.ParticleClasses.Select(p => new Common.ParticleSizeClass { Id = p.Id, Radius = p.Radius, VolumeFraction = p.VolumeFraction }));
        if (e.BinderMaterial.Length > 0)
        {
            c.Binder = new Common.BinderDesign { Material = e.BinderMaterial };
            if (double.IsFinite(e.BinderMassFraction))
            {
                c.Binder.MassFraction = e.BinderMassFraction;
            }
        }

        return c;
    }
}
