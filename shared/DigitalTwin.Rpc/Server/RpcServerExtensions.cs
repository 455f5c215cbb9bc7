// Hosting on ASP.NET Core: AddRpcServer registers the runtime; MapRpcService/MapRpcHealth/MapRpcReflection
// map one POST endpoint per method plus a catch-all that answers UNIMPLEMENTED.
using DigitalTwin.Rpc.Health;
using DigitalTwin.Rpc.Reflection;
using DigitalTwin.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DigitalTwin.Rpc;

public static class RpcServiceCollectionExtensions
{
    /// <summary>Registers the gRPC server runtime, the health registry and reflection.</summary>
    public static IServiceCollection AddRpcServer(this IServiceCollection services, Action<RpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddRouting();
        services.AddOptions<RpcServerOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<RpcServiceRegistry>();
        services.TryAddSingleton<ServerRuntime>();
        services.TryAddSingleton<RpcHealthService>();
        services.TryAddSingleton<ReflectionService>();
        return services;
    }
}

public static class RpcEndpointRouteBuilderExtensions
{
    /// <summary>Maps every method of a service as a gRPC endpoint; marks the service SERVING in the health registry.</summary>
    public static IEndpointConventionBuilder MapRpcService(this IEndpointRouteBuilder endpoints, ServiceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(definition);
        var registry = endpoints.ServiceProvider.GetService<RpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddRpcServer() before mapping gRPC services.");
        var runtime = endpoints.ServiceProvider.GetRequiredService<ServerRuntime>();
        registry.Add(definition);

        var builders = new List<IEndpointConventionBuilder>(definition.Bindings.Count);
        foreach (var binding in definition.Bindings)
        {
            var handler = binding.CreateHandler(runtime);
            var builder = endpoints.MapPost(binding.Method.FullName, new RequestDelegate(handler.HandleAsync))
                .WithDisplayName("gRPC " + binding.Method.FullName)
                .WithMetadata(new RpcMethodMetadata(binding.Method));
            builders.Add(builder);
        }

        endpoints.ServiceProvider.GetRequiredService<RpcHealthService>().SetStatusIfUnset(definition.ServiceName, Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        MapUnimplemented(endpoints, registry, runtime);
        return new CompositeConventionBuilder(builders);
    }

    /// <summary>Maps grpc.health.v1.Health (Check and Watch) backed by the RpcHealthService registry.</summary>
    public static IEndpointConventionBuilder MapRpcHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var health = endpoints.ServiceProvider.GetService<RpcHealthService>()
            ?? throw new InvalidOperationException("Call services.AddRpcServer() before mapping the health service.");
        return endpoints.MapRpcService(health.CreateDefinition());
    }

    /// <summary>Maps server reflection, grpc.reflection.v1 and grpc.reflection.v1alpha.</summary>
    public static IEndpointConventionBuilder MapRpcReflection(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var reflection = endpoints.ServiceProvider.GetService<ReflectionService>()
            ?? throw new InvalidOperationException("Call services.AddRpcServer() before mapping the reflection service.");
        var v1 = endpoints.MapRpcService(reflection.CreateV1Definition());
        var v1Alpha = endpoints.MapRpcService(reflection.CreateV1AlphaDefinition());
        return new CompositeConventionBuilder([v1, v1Alpha]);
    }

    private static void MapUnimplemented(IEndpointRouteBuilder endpoints, RpcServiceRegistry registry, ServerRuntime runtime)
    {
        if (registry.UnimplementedMapped)
        {
            return;
        }

        registry.UnimplementedMapped = true;
        endpoints.MapPost("/{unimplementedService}/{unimplementedMethod}", context => UnimplementedHandler.RespondAsync(context, runtime))
            .WithDisplayName("gRPC unimplemented")
            .Add(builder => ((RouteEndpointBuilder)builder).Order = int.MaxValue);
    }

    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}

/// <summary>Endpoint metadata naming the gRPC method an endpoint serves.</summary>
public sealed record RpcMethodMetadata(IMethod Method);

public static class ServerCallContextExtensions
{
    /// <summary>The ASP.NET Core HttpContext of a call served by this runtime (null for other contexts, e.g. test doubles).</summary>
    public static HttpContext? GetHttpContext(this ServerCallContext context) => (context as HttpServerCallContext)?.HttpContext;
}
