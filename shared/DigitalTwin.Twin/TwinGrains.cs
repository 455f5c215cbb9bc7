// Registers the twin's grain classes on a grain host (the one place that knows which class serves which interface).
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Twin.Grains;

namespace DigitalTwin.Twin;

public static class TwinGrains
{
    public static LocalGrainHost AddTwinGrains(this LocalGrainHost host, TwinServices services)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host
            .AddGrain<ICellGrain, CellGrain>(() => new CellGrain(services))
            .AddGrain<IElectrodeGrain, ElectrodeGrain>(() => new ElectrodeGrain(services))
            .AddGrain<IParticleGrain, ParticleGrain>(() => new ParticleGrain(services))
            .AddGrain<ICellHistoryGrain, CellHistoryGrain>(() => new CellHistoryGrain())
            .AddGrain<IFleetGrain, FleetGrain>(() => new FleetGrain())
            .AddGrain<IIngestCursorGrain, IngestCursorGrain>(() => new IngestCursorGrain());
    }
}
