// A deterministic stand-in for the Electrochem service (until issue 3's service lands): a linear open-circuit voltage
// plus an ohmic drop, uniform particle profiles, and a switch that makes it fail like a service that is down.
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Rpc;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Tests;

internal sealed class FakeElectrochemService : ElectrochemServiceBase
{
    private int _failNext;

    public int Calls;

    /// <summary>Makes the next <paramref name="calls"/> calls fail with UNAVAILABLE.</summary>
    public void FailNext(int calls) => Interlocked.Exchange(ref _failNext, calls);

    public override Task<ListParameterSetsResponse> ListParameterSets(ListParameterSetsRequest request, ServerCallContext context)
    {
        Fail();
        var response = new ListParameterSetsResponse();
        response.Sets.Add(new Common.ParameterSetInfo { Name = "Chen2020" });
        response.Sets.Add(new Common.ParameterSetInfo { Name = "Marquis2019" });
        return Task.FromResult(response);
    }

    public override Task<InitializeStateResponse> InitializeState(InitializeStateRequest request, ServerCallContext context)
    {
        Fail();
        // SOC from the start voltage on the fake's OCV line 3.2 V + 0.3 V·SOC.
        var soc = Math.Clamp((request.Initial.Voltage - 3.2) / 0.3, 0, 1);
        var state = new ModelState { Model = request.Model, ParameterSet = request.Parameters.Name, Data = Google.Protobuf.ByteString.CopyFrom(BitConverter.GetBytes(soc)) };
        state.Data = Google.Protobuf.ByteString.CopyFrom([.. BitConverter.GetBytes(soc), .. Classes(request.Options.Design)]);
        return Task.FromResult(new InitializeStateResponse { State = state, OpenCircuitVoltage = 3.2 + (0.3 * soc) });
    }

    public override Task<AdvanceResponse> Advance(AdvanceRequest request, ServerCallContext context)
    {
        Fail();
        var bytes = request.State.Data.ToByteArray();
        var soc = BitConverter.ToDouble(bytes, 0);
        var response = new AdvanceResponse();
        var previous = 0.0;
        for (var i = 0; i < request.Time.Count; i++)
        {
            // Zero-order hold: current[i] over (time[i-1], time[i]]; capacity 1.1 A.h.
            soc += request.Current[i] * (request.Time[i] - previous) / (3600 * 1.1);
            previous = request.Time[i];
            response.Voltage.Add(3.2 + (0.3 * soc) + (0.05 * request.Current[i]));
        }

        var data = bytes.ToArray();
        BitConverter.GetBytes(soc).CopyTo(data, 0);
        response.State = new ModelState(request.State) { Time = request.State.Time + request.Time[^1], Data = Google.Protobuf.ByteString.CopyFrom(data) };
        response.Soc = soc;
        if (request.IncludeParticleProfiles)
        {
            foreach (var (role, classId) in ParseClasses(bytes.AsSpan(8).ToArray()))
            {
                var profile = new Common.ParticleProfile { Particle = new Common.ParticleClassRef { Electrode = role, ClassId = classId }, ParticleRadius = 5e-6, MaxConcentration = 50000 };
                profile.Radius.AddRange([0, 2.5e-6, 5e-6]);
                var theta = role == Common.ElectrodeRole.Positive ? 0.9 - (0.6 * soc) : 0.1 + (0.8 * soc);
                profile.Concentration.AddRange([theta * 50000, theta * 50000, theta * 50000]);
                response.ParticleProfiles.Add(profile);
            }
        }

        return Task.FromResult(response);
    }

    /// <summary>As the real service: one result per item (hosts batch by default, Twin:SolverBatching); a down fake fails the whole call.</summary>
    public override async Task<AdvanceBatchResponse> AdvanceBatch(AdvanceBatchRequest request, ServerCallContext context)
    {
        var response = new AdvanceBatchResponse();
        foreach (var item in request.Items)
        {
            response.Results.Add(new AdvanceBatchResult { Response = await Advance(item, context) });
        }

        return response;
    }

    private void Fail()
    {
        Interlocked.Increment(ref Calls);
        if (Interlocked.Decrement(ref _failNext) >= 0)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the fake solver is down"));
        }

        Interlocked.Exchange(ref _failNext, 0);
    }

    private static byte[] Classes(Common.CellDesign? design)
    {
        var names = new List<string>();
        foreach (var (role, electrode) in new[] { ("P", design?.Positive), ("N", design?.Negative) })
        {
            names.AddRange(electrode?.ParticleClasses.Select(c => $"{role}:{c.Id}") ?? []);
        }

        return System.Text.Encoding.UTF8.GetBytes(string.Join(';', names));
    }

    private static IEnumerable<(Common.ElectrodeRole, string)> ParseClasses(byte[] bytes) =>
        System.Text.Encoding.UTF8.GetString(bytes).Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => (s[0] == 'P' ? Common.ElectrodeRole.Positive : Common.ElectrodeRole.Negative, s[2..]));
}
