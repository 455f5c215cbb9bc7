// One demo cell: the source file's samples rescaled to this cell's capacity, resistance and fade,
// plus its synthetic twin state, particles, binder, forecasts and alerts, written per sample and
// per completed cycle. Lot-level differences (fabrication pressure) drive which cells get alerts.
using DigitalTwin.Telemetry;
using DigitalTwin.TimeSeries.Points;
using M = DigitalTwin.TimeSeries.Schema.Measurements;

namespace DigitalTwin.TimeSeries.Demo;

internal sealed class DemoCell
{
    private const double SafeFabricationPressure = 150e6;
    private readonly DemoSource _source;
    private readonly Random _random;
    private readonly SeriesKey _telemetry;
    private readonly SeriesKey _cycle;
    private readonly SeriesKey _twin;
    private readonly SeriesKey _info;
    private readonly SeriesKey[][] _particles;
    private readonly SeriesKey[] _binderKeys;
    private readonly DemoBinder[] _binders;
    private readonly double[][] _damage;
    private readonly Dictionary<string, SeriesKey> _forecastKeys = [];
    private readonly Dictionary<(string Severity, string Code), SeriesKey> _alertKeys = [];
    private readonly Dictionary<string, bool> _alertActive = [];
    private readonly List<(int Cycle, double Soh)> _sohHistory = [];
    private double _residualSquares;
    private int _residualCount;

    public DemoCell(DemoSource source, string id, string lot, int index, int lotIndex, Random random, bool live)
    {
        _source = source;
        _random = random;
        Id = id;
        Lot = lot;
        Index = index;
        Live = live;
        var risky = lotIndex == 2;
        CapacityFactor = 0.97 + (0.06 * random.NextDouble());
        ResistanceOffset = 0.002 + (0.006 * random.NextDouble()) + (risky ? 0.004 : 0);
        TemperatureOffset = -0.5 + random.NextDouble();
        FadeRate = (4e-4 + (3e-4 * random.NextDouble())) * (risky ? 1.6 : 1);
        KneeCycle = risky ? 110 + random.Next(40) : 400 + random.Next(200);
        FabricationPressure = risky ? 180e6 : lotIndex == 0 ? 80e6 : 110e6;
        StackPressure = 1e6;
        StrengthFactor = risky ? 0.75 : 1.0;
        StressFactor = 1.0;
        ResidualGrowth = index % 5 == 4 ? 0.3e-3 : 0;

        var cell = (M.Tags.Cell, id);
        var lotTag = (M.Tags.Lot, lot);
        _telemetry = SeriesKey.Create(M.Telemetry.Measurement, cell, lotTag);
        _cycle = SeriesKey.Create(M.CycleSummary.Measurement, cell, lotTag);
        _twin = SeriesKey.Create(M.TwinState.Measurement, cell, lotTag, (M.Tags.Model, "spme"));
        _info = SeriesKey.Create(M.CellInfo.Measurement, cell, lotTag);
        Materials = [ParticleMaterial.Graphite, ParticleMaterial.Lfp];
        _particles = Materials.Select(m => m.Radii.Select(r => SeriesKey.Create(M.Particle.Measurement, cell, lotTag,
            (M.Tags.Electrode, m.Electrode), (M.Tags.SizeClass, SizeClass(r)))).ToArray()).ToArray();
        _damage = Materials.Select(m => new double[m.Radii.Length]).ToArray();
        _binderKeys = Materials.Select(m => SeriesKey.Create(M.Binder.Measurement, cell, lotTag, (M.Tags.Electrode, m.Electrode))).ToArray();
        _binders =
        [
            new DemoBinder(600e6, risky ? 3.5e6 : 4.0e6, 300e6, 8e6, 0.0087 * (risky ? 1.3 : 1)),
            new DemoBinder(600e6, risky ? 3.5e6 : 4.5e6, 300e6, 9e6, 0.0068 * (risky ? 1.3 : 1)),
        ];
    }

    public string Id { get; }

    public string Lot { get; }

    public int Index { get; }

    public bool Live { get; }

    /// <summary>Completed cycles.</summary>
    public int Cycle { get; private set; }

    public double CapacityFactor { get; }

    public double ResistanceOffset { get; }

    public double TemperatureOffset { get; }

    public double FadeRate { get; }

    public int KneeCycle { get; }

    public double FabricationPressure { get; }

    public double StackPressure { get; }

    public double StrengthFactor { get; }

    public double StressFactor { get; }

    public double ResidualGrowth { get; }

    public ParticleMaterial[] Materials { get; }

    public double NominalCapacity => _source.NominalCapacity * CapacityFactor;

    /// <summary>Position of the live replay: which source cycle and how far into it [s].</summary>
    public int SourceCycle { get; set; }

    public double CycleTime { get; set; }

    public int NextSample { get; set; }

    /// <summary>Demo fade law: SOH = 1 − a·N^0.85, plus a quadratic knee after N_k.</summary>
    public double Soh(double cycle) =>
        1 - (FadeRate * Math.Pow(cycle, 0.85)) - (cycle > KneeCycle ? 2.5e-6 * Math.Pow(cycle - KneeCycle, 2) : 0);

    public void WriteInfo(PointBatch batch, long timeNs, string status)
    {
        batch.Add(_info, timeNs)
            .String(M.CellInfo.Chemistry, "LFP/graphite (A123 APR18650M1A, demo)")
            .String(M.CellInfo.Electrolyte, "liquid")
            .Float(M.CellInfo.NominalCapacity, NominalCapacity)
            .Float(M.CellInfo.FabricationPressure, FabricationPressure)
            .Float(M.CellInfo.StackPressure, StackPressure)
            .String(M.CellInfo.Status, status);
        SetAlert(batch, timeNs, "warning", "fabrication_pressure", FabricationPressure > SafeFabricationPressure,
            $"Fabrication pressure {FabricationPressure / 1e6:F0} MPa is above the safe window (≤ {SafeFabricationPressure / 1e6:F0} MPa): expect particle cracking.",
            FabricationPressure / 1e6, SafeFabricationPressure / 1e6, "MPa");
    }

    /// <summary>Samples [from, to) of a source cycle, rescaled to this cell, as telemetry and twin-state points.</summary>
    public void WriteSamples(PointBatch batch, SourceCycle source, int from, int to, Func<Sample, long> timestamp)
    {
        var cycle = Cycle + 1;
        var soh = Soh(cycle);
        var scale = NominalCapacity * soh / source.Summary.DischargeCapacity;
        var resistance = ResistanceOffset + (0.004 * (1 - soh));
        var capacity = source.Summary.DischargeCapacity;
        for (var i = from; i < to; i++)
        {
            var raw = source.Samples[i];
            var sample = raw;
            var noise = Gaussian() * 0.4e-3;
            sample.Current = raw.Current * scale;
            sample.Voltage = raw.Voltage + (raw.Current * resistance) + noise;
            sample.Temperature = (double.IsNaN(raw.Temperature) ? 25 : raw.Temperature) + TemperatureOffset + (0.25 * Math.Abs(raw.Current));
            sample.ChargeCapacity = raw.ChargeCapacity * scale;
            sample.DischargeCapacity = raw.DischargeCapacity * scale;
            sample.ChargeEnergy = raw.ChargeEnergy * scale;
            sample.DischargeEnergy = raw.DischargeEnergy * scale;
            sample.Cycle = cycle;
            var time = timestamp(raw);
            TelemetryPoints.Add(batch, _telemetry, sample, time);

            var soc = Math.Clamp((raw.ChargeCapacity - raw.DischargeCapacity + source.ChargeOffset) / capacity, 0, 1);
            var residual = (3e-3 * Math.Tanh(raw.Current / capacity)) + (1.5e-3 * Math.Sin(raw.TestTime / 600))
                + (Gaussian() * 0.8e-3) + (ResidualGrowth * Math.Max(0, cycle - 120));
            _residualSquares += residual * residual;
            _residualCount++;
            batch.Add(_twin, time)
                .Float(M.TwinState.Soc, soc)
                .Float(M.TwinState.Soh, soh)
                .Float(M.TwinState.CapacityEstimate, NominalCapacity * soh)
                .Float(M.TwinState.ResistanceEstimate, 0.016 + resistance)
                .Float(M.TwinState.MeasuredVoltage, sample.Voltage)
                .Float(M.TwinState.ModelVoltage, sample.Voltage - residual)
                .Float(M.TwinState.VoltageResidual, residual)
                .Integer(M.TwinState.Cycle, cycle);
        }
    }

    /// <summary>Closes a cycle: summary, particles, binder, forecasts every 5 cycles, alerts.</summary>
    public void FinishCycle(PointBatch batch, SourceCycle source, long endNs, TimeSpan cycleDuration, bool forecast)
    {
        Cycle++;
        var soh = Soh(Cycle) + (Gaussian() * 0.0015);
        var scale = NominalCapacity * soh / source.Summary.DischargeCapacity;
        var summary = source.Summary with
        {
            Cycle = Cycle,
            ChargeCapacity = source.Summary.ChargeCapacity * scale,
            DischargeCapacity = source.Summary.DischargeCapacity * scale,
            ChargeEnergy = source.Summary.ChargeEnergy * scale,
            DischargeEnergy = source.Summary.DischargeEnergy * scale,
            DcResistance = 0.016 + ResistanceOffset + (0.004 * (1 - soh)),
        };
        TelemetryPoints.Add(batch, _cycle, summary, endNs);
        _sohHistory.Add((Cycle, summary.DischargeCapacity / NominalCapacity));

        var worstRatio = 0.0;
        var worst = (Stress: 0.0, Strength: 1.0, Label: string.Empty);
        var largestGap = 0.0;
        for (var m = 0; m < Materials.Length; m++)
        {
            var material = Materials[m];
            var rate = material == ParticleMaterial.Graphite ? source.PeakDischargeRate : source.PeakChargeRate;
            for (var k = 0; k < material.Radii.Length; k++)
            {
                var radius = material.Radii[k];
                var hoop = DemoMechanics.HoopStressSurface(material, radius, rate) * StressFactor;
                var strength = material.InitialStrength * StrengthFactor * (1 - _damage[m][k]);
                _damage[m][k] = Math.Min(0.6, _damage[m][k] + DemoMechanics.DamageIncrement(hoop, strength));
                var gap = DemoMechanics.InterfaceGap(material, radius, _damage[m][k], StackPressure);
                var surface = material.MaxConcentration * (material == ParticleMaterial.Graphite ? 0.03 : 0.97);
                batch.Add(_particles[m][k], endNs)
                    .Float(M.Particle.Radius, radius)
                    .Float(M.Particle.SurfaceConcentration, surface)
                    .Float(M.Particle.HoopStressSurface, hoop)
                    .Float(M.Particle.RadialStressCenter, DemoMechanics.RadialStressCenter(material, radius, rate) * StressFactor)
                    .Float(M.Particle.VonMisesMax, hoop)
                    .Float(M.Particle.InterfaceGap, gap)
                    .Float(M.Particle.FractureStrength, strength)
                    .Float(M.Particle.Damage, _damage[m][k])
                    .Integer(M.Particle.Cycle, Cycle);
                if (hoop / strength > worstRatio)
                {
                    worstRatio = hoop / strength;
                    worst = (hoop, strength, $"{material.Electrode} {SizeClass(radius)}");
                }

                largestGap = Math.Max(largestGap, gap);
            }
        }

        var lowestMargin = 1.0;
        for (var b = 0; b < _binders.Length; b++)
        {
            _binders[b].Cycle(soh);
            batch.Add(_binderKeys[b], endNs)
                .Float(M.Binder.VonMisesStress, _binders[b].Stress)
                .Float(M.Binder.YieldStress, _binders[b].YieldStress)
                .Float(M.Binder.PlasticStrain, _binders[b].PlasticStrain)
                .Float(M.Binder.FractureMargin, _binders[b].FractureMargin)
                .Integer(M.Binder.Cycle, Cycle);
            lowestMargin = Math.Min(lowestMargin, _binders[b].FractureMargin);
        }

        SetAlert(batch, endNs, "critical", "particle_strength", worstRatio >= 0.8,
            $"Particle stress {worst.Stress / 1e6:F0} MPa in the {worst.Label} class is {worstRatio:P0} of its fracture strength ({worst.Strength / 1e6:F0} MPa).",
            worst.Stress / 1e6, 0.8 * worst.Strength / 1e6, "MPa");
        SetAlert(batch, endNs, "warning", "interface_gap", largestGap > 25e-9,
            $"Interface gap {largestGap * 1e9:F0} nm is above 25 nm: contact loss expected.", largestGap * 1e9, 25, "nm");
        SetAlert(batch, endNs, "warning", "binder_fracture", lowestMargin < 0.15,
            $"Binder fracture margin {lowestMargin:P0} is below 15 %.", lowestMargin * 100, 15, "%");
        var rms = _residualCount > 0 ? Math.Sqrt(_residualSquares / _residualCount) : 0;
        if (_residualCount > 0)
        {
            SetAlert(batch, endNs, "warning", "voltage_residual", rms > 8e-3,
                $"Model-vs-measured voltage residual is {rms * 1e3:F1} mV RMS over cycle {Cycle} (limit 8 mV): the model no longer tracks this cell.",
                rms * 1e3, 8, "mV");
        }

        _residualSquares = 0;
        _residualCount = 0;
        if (forecast && _sohHistory.Count >= 10)
        {
            WriteForecasts(batch, endNs, cycleDuration);
        }
    }

    private void WriteForecasts(PointBatch batch, long endNs, TimeSpan cycleDuration)
    {
        var damage = _damage[0].Average();
        var damagePerCycle = _sohHistory.Count > 0 ? damage / _sohHistory.Count : 0;
        var results = new[]
        {
            Forecaster.Forecast("trend", _sohHistory, _ => 0),
            Forecaster.Forecast("physics", _sohHistory, c => 0.05 * damagePerCycle * (c - Cycle) * (1 + (damage * 4))),
        };
        foreach (var result in results)
        {
            var key = ForecastKey(M.Forecast.Measurement.Name, result.Method);
            foreach (var point in result.Curve)
            {
                var at = endNs + (long)((point.Cycle - Cycle) * cycleDuration.TotalSeconds * TimeUnits.NanosecondsPerSecond);
                batch.Add(key, at)
                    .Integer(M.Forecast.IssuedCycle, Cycle)
                    .Integer(M.Forecast.Cycle, point.Cycle)
                    .Float(M.Forecast.SohMedian, point.Median)
                    .Float(M.Forecast.SohLow, point.Low)
                    .Float(M.Forecast.SohHigh, point.High)
                    .Float(M.Forecast.CapacityMedian, point.Median * NominalCapacity)
                    .Float(M.Forecast.CapacityLow, point.Low * NominalCapacity)
                    .Float(M.Forecast.CapacityHigh, point.High * NominalCapacity);
            }

            batch.Add(ForecastKey(M.EolForecast.Measurement.Name, result.Method), endNs)
                .Integer(M.EolForecast.IssuedCycle, Cycle)
                .Float(M.EolForecast.EolCycleMedian, result.EolMedian)
                .Float(M.EolForecast.EolCycleLow, result.EolLow)
                .Float(M.EolForecast.EolCycleHigh, result.EolHigh)
                .Float(M.EolForecast.ThresholdSoh, Forecaster.EndOfLife);
        }

        var physics = results[1];
        SetAlert(batch, endNs, "warning", "end_of_life", physics.EolMedian - Cycle < 300,
            $"End of life (80 % SOH) forecast at cycle {physics.EolMedian:F0} (90 %: {physics.EolLow:F0}–{physics.EolHigh:F0}), {physics.EolMedian - Cycle:F0} cycles from now.",
            physics.EolMedian - Cycle, 300, "cycles");
    }

    private SeriesKey ForecastKey(string measurement, string method)
    {
        var name = measurement + "/" + method;
        if (!_forecastKeys.TryGetValue(name, out var key))
        {
            key = SeriesKey.Create(measurement, [new(M.Tags.Cell.Name, Id), new(M.Tags.Lot.Name, Lot), new(M.Tags.Method.Name, method)]);
            _forecastKeys[name] = key;
        }

        return key;
    }

    /// <summary>Writes an alert point only when its state changes (raised or cleared).</summary>
    private void SetAlert(PointBatch batch, long timeNs, string severity, string code, bool active, string message, double value, double threshold, string unit)
    {
        if (_alertActive.GetValueOrDefault(code) == active)
        {
            return;
        }

        _alertActive[code] = active;
        if (!_alertKeys.TryGetValue((severity, code), out var key))
        {
            key = SeriesKey.Create(M.Alert.Measurement, (M.Tags.Cell, Id), (M.Tags.Lot, Lot), (M.Tags.Severity, severity), (M.Tags.Code, code));
            _alertKeys[(severity, code)] = key;
        }

        batch.Add(key, timeNs)
            .String(M.Alert.Message, active ? message : "Cleared: " + message)
            .Float(M.Alert.Value, value)
            .Float(M.Alert.Threshold, threshold)
            .String(M.Alert.Unit, unit)
            .Boolean(M.Alert.Active, active);
    }

    private double Gaussian()
    {
        var u = 1 - _random.NextDouble();
        var v = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private static string SizeClass(double radius) => $"r{radius * 1e6:00.0}um";
}
