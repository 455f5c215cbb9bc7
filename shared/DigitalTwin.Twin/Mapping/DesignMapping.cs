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
            d.Parameters?.SourceCase == Common.ParameterSetRef.SourceOneofCase.Name ? d.Parameters.Name : d.Parameters is null ? "" : "inline.json",
            d.HasNominalCapacityAh ? d.NominalCapacityAh : double.NaN,
            d.HasMinVoltage ? d.MinVoltage : double.NaN,
            d.HasMaxVoltage ? d.MaxVoltage : double.NaN,
            d.Electrolyte == Common.ElectrolyteKind.Solid ? ElectrolyteKind.Solid : ElectrolyteKind.Liquid,
            d.Negative is null ? null : ToElectrode(d.Negative),
            ToElectrode(d.Positive ?? new Common.ElectrodeDesign()),
            d.HasStackPressure ? d.StackPressure : double.NaN,
            d.HasFabricationPressure ? d.FabricationPressure : double.NaN);
    }

    /// <summary>The contract's design from the twin's (NaN values stay unset).</summary>
    public static Common.CellDesign ToContract(CellDesign d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var c = new Common.CellDesign
        {
            Chemistry = d.Chemistry,
            Configuration = d.Configuration == CellConfiguration.HalfCell ? Common.CellConfiguration.HalfCell : Common.CellConfiguration.FullCell,
            Parameters = new Common.ParameterSetRef { Name = d.ParameterSet },
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
