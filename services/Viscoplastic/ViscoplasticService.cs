// Adapts digitaltwin.viscoplastic.v1 to the binder library: batched material-point histories (sub-stepped),
// tensile tests, and cycling studies streamed cycle by cycle. Bad points carry diagnostics; the others proceed.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Viscoplastic.V1;
using DigitalTwin.Physics.Viscoplastic;
using DigitalTwin.Physics.Viscoplastic.Binder;
using DigitalTwin.Physics.Viscoplastic.Drivers;
using DigitalTwin.Physics.Viscoplastic.ParameterSets;
using DigitalTwin.Rpc;
using LibSwellingHistory = DigitalTwin.Physics.Viscoplastic.Binder.SwellingHistory;

namespace DigitalTwin.Services.Viscoplastic;

public sealed class ViscoplasticService : ViscoplasticServiceBase
{
    private static BinderParameterSet Set(ParameterSetRef? reference)
    {
        try
        {
            return reference is null || reference.SourceCase == ParameterSetRef.SourceOneofCase.None ? BinderParameterSet.Load()
                : reference.SourceCase == ParameterSetRef.SourceOneofCase.Name ? BinderParameterSet.Load(reference.Name)
                : reference.SourceCase == ParameterSetRef.SourceOneofCase.ParameterSetJson ? BinderParameterSet.Parse(reference.ParameterSetJson.ToStringUtf8(), "request.material")
                : throw new ViscoplasticInputException("request.material", ["BPX files carry no binder mechanics; name a catalog set or send our JSON"]);
        }
        catch (ViscoplasticInputException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    public override Task<IntegratePointsResponse> IntegratePoints(IntegratePointsRequest request, ServerCallContext context)
    {
        var set = Set(request.Material);
        var integrator = new StrainHistoryIntegrator(set.Law);
        var response = new IntegratePointsResponse();
        foreach (var point in request.Points)
        {
            var result = new PointResult { Key = point.Key };
            try
            {
                Integrate(set, integrator, point, request.IncludeHistory, request.IncludeTangent, result);
            }
            catch (ViscoplasticInputException ex)
            {
                foreach (var p in ex.Problems)
                {
                    result.Diagnostics.Add(new Diagnostic { Severity = Severity.Error, Code = "invalid_input", Message = p, Source = point.Key });
                }
            }

            response.Results.Add(result);
        }

        return Task.FromResult(response);
    }

    private static void Integrate(BinderParameterSet set, StrainHistoryIntegrator integrator, PointHistory point, bool history, bool withTangent, PointResult result)
    {
        var n = point.Time.Count;
        var problems = new List<string>();
        if (n == 0 || point.Strain.Count != 6 * n || (point.Eigenstrain.Count != 0 && point.Eigenstrain.Count != 6 * n))
        {
            problems.Add($"need 6 strain values per time sample (times {n}, strain {point.Strain.Count}, eigenstrain {point.Eigenstrain.Count})");
        }

        var s = point.State;
        foreach (var (name, field) in new[] { ("strain", s?.Strain), ("plastic_strain", s?.PlasticStrain), ("eigenstrain", s?.Eigenstrain) })
        {
            if (field is not null && field.Count != 0 && field.Count != 6)
            {
                problems.Add($"state.{name} has {field.Count} values, needs 6");
            }
        }

        for (var i = 1; i < n; i++)
        {
            if (!(point.Time[i] > point.Time[i - 1]))
            {
                problems.Add($"time[{i}] = {point.Time[i]} s does not increase");
            }
        }

        if (problems.Count > 0)
        {
            throw new ViscoplasticInputException(point.Key, problems);
        }

        double[] Six(Google.Protobuf.Collections.RepeatedField<double>? f) => f is { Count: 6 } ? [.. f] : new double[6];
        var strain = Six(s?.Strain);
        var eigen = Six(s?.Eigenstrain);
        var plastic = Six(s?.PlasticStrain);
        var p = s?.EquivalentPlasticStrain ?? 0;
        var time = s?.Time ?? 0;
        var stress = new double[6];
        var tangent = withTangent ? new double[36] : [];
        var target = new double[6];
        var targetEigen = new double[6];
        var peak = 0.0;
        var work = 0.0;
        uint substeps = 0;
        for (var k = 0; k < n; k++)
        {
            for (var i = 0; i < 6; i++)
            {
                target[i] = point.Strain[6 * k + i];
                targetEigen[i] = point.Eigenstrain.Count == 0 ? eigen[i] : point.Eigenstrain[6 * k + i];
            }

            var previousStress = (double[])stress.Clone();
            integrator.Advance(strain, eigen, target, targetEigen, point.Time[k] - time, plastic, ref p, stress, tangent);
            substeps += (uint)integrator.SubSteps;
            for (var i = 0; i < 6; i++)
            {
                work += 0.5 * (stress[i] + previousStress[i]) * (target[i] - targetEigen[i] - strain[i] + eigen[i]);
            }

            target.CopyTo(strain, 0);
            targetEigen.CopyTo(eigen, 0);
            time = point.Time[k];
            var eq = Equivalent(stress);
            peak = Math.Max(peak, eq);
            if (history)
            {
                result.Stress.AddRange(stress);
                result.EquivalentStress.Add(eq);
                result.EquivalentPlasticStrain.Add(p);
            }
        }

        result.State = new MaterialPointState { Strain = { strain }, PlasticStrain = { plastic }, Eigenstrain = { eigen }, Stress = { stress }, EquivalentPlasticStrain = p, Time = time };
        result.Tangent.AddRange(tangent);
        result.PeakEquivalentStress = peak;
        result.YieldStress = set.Law.YieldStress(p);
        var principal = MaxPrincipal(stress);
        result.StressFractureMargin = 1 - Math.Max(principal, 0) / set.FractureStress;
        result.EnergyFractureMargin = 1 - Math.Max(work, 0) / set.FractureWork;
        result.Substeps = substeps;
    }

    public override Task<RunTensileTestResponse> RunTensileTest(RunTensileTestRequest request, ServerCallContext context)
    {
        var set = Set(request.Material);
        try
        {
            var rate = request.StrainRate > 0 ? request.StrainRate : 3e-4;
            var max = request.MaxStrain > 0 ? request.MaxStrain : 0.15;
            var curve = TensileTest.Run(set.Law, rate, max, request.Points > 0 ? (int)request.Points : 1500);
            var response = new RunTensileTestResponse
            {
                Time = { curve.Time },
                Strain = { curve.Strain },
                Stress = { curve.Stress },
                EquivalentPlasticStrain = { curve.PlasticStrain },
                MaxStress = curve.Stress.Max(),
                Provenance = Provenance(set),
            };
            var f = curve.StrainAtStress(set.FractureStress);
            response.Fractured = !double.IsNaN(f);
            response.FractureStrain = double.IsNaN(f) ? 0 : f;
            return Task.FromResult(response);
        }
        catch (ViscoplasticInputException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    public override async Task RunCyclingStudy(RunCyclingStudyRequest request, IServerStreamWriter<RunCyclingStudyResponse> responseStream, ServerCallContext context)
    {
        var set = Set(request.Material);
        IReadOnlyList<BinderCycleReport> reports;
        try
        {
            var radius = request.ParticleRadius > 0 ? request.ParticleRadius : 5e-6;
            var bridge = request.Geometry == BinderGeometry.Film
                ? BinderBridge.Create(BinderGeometryKind.Film, radius, radius, 1, 1)
                : request.BinderMassFraction > 0 ? BinderBridge.FromBinderMassFraction(request.BinderMassFraction, radius) : BinderBridge.Seed002(radius);
            reports = BinderCycleStudy.Run(set.Law, bridge, History(request, set), set.FractureStress, set.FractureWork);
        }
        catch (ViscoplasticInputException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }

        var summary = new CyclingStudySummary { Provenance = Provenance(set) };
        foreach (var r in reports)
        {
            var cycle = new BinderCycleResult
            {
                CycleIndex = (uint)r.Cycle,
                PeakStress = r.PeakVonMises,
                MeanStress = r.MeanVonMises,
                AccumulatedPlasticStrain = r.AccumulatedPlasticStrain,
                YieldStress = r.YieldStress,
                StressFractureMargin = r.StressMargin,
                EnergyFractureMargin = r.EnergyMargin,
            };
            summary.Cycles.Add(cycle);
            if (!summary.Fractured && (r.StressMargin < 0 || r.EnergyMargin < 0))
            {
                summary.Fractured = true;
                summary.FractureCycle = (uint)r.Cycle;
            }

            await responseStream.WriteAsync(new RunCyclingStudyResponse { Cycle = cycle }, context.CancellationToken);
        }

        summary.LastCycleHardening = reports.Count > 1 ? reports[^1].YieldStress - reports[^2].YieldStress : reports[0].YieldStress - set.Law.InitialYieldStress;
        await responseStream.WriteAsync(new RunCyclingStudyResponse { Summary = summary }, context.CancellationToken);
    }

    private static LibSwellingHistory History(RunCyclingStudyRequest request, BinderParameterSet set)
    {
        switch (request.DriverCase)
        {
            case RunCyclingStudyRequest.DriverOneofCase.Swelling:
                var sw = request.Swelling;
                var linear = sw.VolumetricStrain.Select(v => Math.Cbrt(1 + v) - 1).ToArray();
                return Check(new LibSwellingHistory([.. sw.Time], linear, linear, sw.CycleIndex.Select(c => (int)c).ToArray()));
            case RunCyclingStudyRequest.DriverOneofCase.Stoichiometry:
                var st = request.Stoichiometry;
                return LibSwellingHistory.FromStoichiometry([.. st.Time], [.. st.Stoichiometry], [.. st.Stoichiometry],
                    st.CycleIndex.Select(c => (int)c).ToArray(), set.SwellingPerStoichiometry, st.Stoichiometry.Count > 0 ? st.Stoichiometry[0] : 0);
            case RunCyclingStudyRequest.DriverOneofCase.Protocol:
                return Protocol(request.Protocol, set);
            default:
                return LibSwellingHistory.Seed002FiveCycles1C(set.SwellingPerStoichiometry);
        }
    }

    private static LibSwellingHistory Check(LibSwellingHistory h)
    {
        if (h.Time.Length < 2 || h.Swelling1.Length != h.Time.Length || h.Cycle.Length != h.Time.Length)
        {
            throw new ViscoplasticInputException("swelling", [$"needs ≥ 2 samples with one strain and cycle index each (time {h.Time.Length}, strain {h.Swelling1.Length}, cycle {h.Cycle.Length})"]);
        }

        return h;
    }

    // Galvanostatic cycles between two stoichiometries, linear in time, 200 samples per half cycle.
    private static LibSwellingHistory Protocol(CyclingProtocol protocol, BinderParameterSet set)
    {
        var problems = new List<string>();
        if (!(protocol.CRate > 0))
        {
            problems.Add($"protocol.c_rate = {protocol.CRate} must be positive");
        }

        if (!(protocol.MinStoichiometry >= 0 && protocol.MaxStoichiometry <= 1 && protocol.MinStoichiometry < protocol.MaxStoichiometry))
        {
            problems.Add($"protocol stoichiometry window [{protocol.MinStoichiometry}, {protocol.MaxStoichiometry}] must satisfy 0 ≤ min < max ≤ 1");
        }

        if (protocol.Cycles is 0 or > 10000)
        {
            problems.Add($"protocol.cycles = {protocol.Cycles} must lie in [1, 10000]");
        }

        if (problems.Count > 0)
        {
            throw new ViscoplasticInputException("protocol", problems);
        }

        const int perHalf = 200;
        var n = 2 * (int)protocol.Cycles * perHalf + 1;
        var half = 3600 / protocol.CRate * (protocol.MaxStoichiometry - protocol.MinStoichiometry);
        var time = new double[n];
        var x = new double[n];
        var cycle = new int[n];
        var (hi, lo) = (protocol.MaxStoichiometry, protocol.MinStoichiometry);
        var start = protocol.StartLithiated ? hi : lo;
        var end = protocol.StartLithiated ? lo : hi;
        for (var i = 0; i < n; i++)
        {
            var h = Math.Min(i / perHalf, 2 * (int)protocol.Cycles - 1);
            var f = i == n - 1 ? 1 : (double)(i - h * perHalf) / perHalf;
            time[i] = (h + f) * half;
            x[i] = h % 2 == 0 ? start + (end - start) * f : end + (start - end) * f;
            cycle[i] = h / 2 + 1;
        }

        return LibSwellingHistory.FromStoichiometry(time, x, x, cycle, set.SwellingPerStoichiometry, start);
    }

    private static Provenance Provenance(BinderParameterSet set) => new()
    {
        Producer = "digitaltwin.viscoplastic",
        ProducerVersion = typeof(ViscoplasticService).Assembly.GetName().Version?.ToString() ?? "",
        ParameterSet = set.Name,
        Model = "perzyna-ludwik",
    };

    private static double Equivalent(ReadOnlySpan<double> s)
    {
        var m = (s[0] + s[1] + s[2]) / 3;
        return Math.Sqrt(1.5 * ((s[0] - m) * (s[0] - m) + (s[1] - m) * (s[1] - m) + (s[2] - m) * (s[2] - m) + 2 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5])));
    }

    // Largest eigenvalue of the symmetric stress (trigonometric solution of the characteristic cubic).
    private static double MaxPrincipal(ReadOnlySpan<double> s)
    {
        var m = (s[0] + s[1] + s[2]) / 3;
        double a = s[0] - m, b = s[1] - m, c = s[2] - m;
        var j2 = (a * a + b * b + c * c) / 2 + s[3] * s[3] + s[4] * s[4] + s[5] * s[5];
        if (j2 <= 0)
        {
            return m;
        }

        var j3 = a * b * c + 2 * s[3] * s[4] * s[5] - a * s[3] * s[3] - b * s[4] * s[4] - c * s[5] * s[5];
        var cos3 = Math.Clamp(j3 / 2 * Math.Pow(3 / j2, 1.5), -1, 1);
        return m + 2 * Math.Sqrt(j2 / 3) * Math.Cos(Math.Acos(cos3) / 3);
    }
}
