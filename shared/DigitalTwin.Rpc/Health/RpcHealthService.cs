// grpc.health.v1.Health (grpc/grpc doc/health-checking.md): a per-service status registry, Check answers
// NOT_FOUND for unknown services, Watch streams the current status and every change.
using System.Threading.Channels;
using DigitalTwin.Rpc.Health.V1;
using Microsoft.Extensions.Hosting;
using ServingStatus = DigitalTwin.Rpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace DigitalTwin.Rpc.Health;

/// <summary>The serving status of this host ("" = the whole server) and of each service.</summary>
public sealed class RpcHealthService
{
    public const string ServiceName = "grpc.health.v1.Health";

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> CheckMethod =
        new(MethodType.Unary, ServiceName, "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> WatchMethod =
        new(MethodType.ServerStreaming, ServiceName, "Watch", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [string.Empty] = ServingStatus.Serving };
    private readonly Dictionary<string, List<Channel<ServingStatus>>> _watchers = new(StringComparer.Ordinal);
    private bool _shutDown;

    public RpcHealthService(IHostApplicationLifetime? lifetime = null)
    {
        lifetime?.ApplicationStopping.Register(static state => ((RpcHealthService)state!).Shutdown(), this);
    }

    /// <summary>Sets a service's status and notifies its watchers.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            if (_shutDown)
            {
                return; // after shutdown everything stays NOT_SERVING
            }

            _statuses[service] = status;
            Notify(service, status);
        }
    }

    /// <summary>Removes a service; Check answers NOT_FOUND and watchers see SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        lock (_lock)
        {
            if (_statuses.Remove(service))
            {
                Notify(service, ServingStatus.ServiceUnknown);
            }
        }
    }

    public bool TryGetStatus(string service, out ServingStatus status)
    {
        lock (_lock)
        {
            return _statuses.TryGetValue(service, out status);
        }
    }

    /// <summary>Marks every service NOT_SERVING and ends all Watch streams (graceful shutdown).</summary>
    public void Shutdown()
    {
        lock (_lock)
        {
            _shutDown = true;
            foreach (var service in _statuses.Keys.ToArray())
            {
                _statuses[service] = ServingStatus.NotServing;
                Notify(service, ServingStatus.NotServing);
            }

            foreach (var list in _watchers.Values)
            {
                foreach (var channel in list)
                {
                    channel.Writer.TryComplete();
                }
            }
        }
    }

    internal void SetStatusIfUnset(string service, ServingStatus status)
    {
        lock (_lock)
        {
            if (!_statuses.ContainsKey(service) && !_shutDown)
            {
                _statuses[service] = status;
                Notify(service, status);
            }
        }
    }

    internal ServiceDefinition CreateDefinition() => ServiceDefinition
        .CreateBuilder(HealthReflection.Descriptor.Services[0])
        .AddMethod(CheckMethod, Check)
        .AddMethod(WatchMethod, Watch)
        .Build();

    private Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (!TryGetStatus(request.Service, out var status))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Service '{request.Service}' is not registered for health checks."));
        }

        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    private async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        // Capacity 1, drop oldest: a slow watcher sees the latest status, never a backlog.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock)
        {
            channel.Writer.TryWrite(_statuses.TryGetValue(request.Service, out var current) ? current : ServingStatus.ServiceUnknown);
            if (_shutDown)
            {
                channel.Writer.TryComplete();
            }

            if (!_watchers.TryGetValue(request.Service, out var list))
            {
                _watchers[request.Service] = list = [];
            }

            list.Add(channel);
        }

        try
        {
            ServingStatus? last = null;
            while (await channel.Reader.WaitToReadAsync(context.CancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var status))
                {
                    if (status != last)
                    {
                        last = status;
                        await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                if (_watchers.TryGetValue(request.Service, out var list))
                {
                    list.Remove(channel);
                    if (list.Count == 0)
                    {
                        _watchers.Remove(request.Service);
                    }
                }
            }
        }
    }

    private void Notify(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (var channel in list)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }
}
