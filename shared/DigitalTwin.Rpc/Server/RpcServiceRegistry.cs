// The services mapped on this host; feeds reflection and keeps one service from being mapped twice.
namespace DigitalTwin.Rpc.Server;

internal sealed class RpcServiceRegistry
{
    private readonly Lock _lock = new();
    private readonly List<ServiceDefinition> _services = [];
    private ServiceDefinition[] _snapshot = [];

    /// <summary>Incremented on every change so cached indexes (reflection) know to rebuild.</summary>
    public int Version { get; private set; }

    public bool UnimplementedMapped { get; set; }

    public void Add(ServiceDefinition definition)
    {
        lock (_lock)
        {
            if (_services.Any(s => s.ServiceName == definition.ServiceName))
            {
                throw new InvalidOperationException($"gRPC service {definition.ServiceName} is already mapped on this host.");
            }

            _services.Add(definition);
            _snapshot = _services.ToArray();
            Version++;
        }
    }

    public ServiceDefinition[] Snapshot()
    {
        lock (_lock)
        {
            return _snapshot;
        }
    }
}
