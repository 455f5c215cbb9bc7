// The method table of a grain interface: one compiled invoker per method, checked once against the naming rule.
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Linq.Expressions;
using System.Reflection;

namespace DigitalTwin.Grains;

/// <summary>The result type used for grain methods that return a plain <see cref="ValueTask"/>.</summary>
public readonly record struct VoidResult;

/// <summary>
/// One method of a grain interface. Hosts use <see cref="InvokeBoxedAsync"/> when arguments arrive by name and
/// serialized (the Dapr actor protocol); in-process calls use the typed invoker of <see cref="GrainMethod{TResult}"/>.
/// </summary>
public abstract class GrainMethod
{
    private protected GrainMethod(Type grainInterface, MethodInfo method)
    {
        GrainInterface = grainInterface;
        Method = method;
        Name = method.Name;
        ParameterTypes = [.. method.GetParameters().Select(p => p.ParameterType)];
    }

    /// <summary>The grain interface this method belongs to (the one a reference was obtained for).</summary>
    public Type GrainInterface { get; }

    public MethodInfo Method { get; }

    /// <summary>The message name: the method name, unique within the grain interface.</summary>
    public string Name { get; }

    public IReadOnlyList<Type> ParameterTypes { get; }

    /// <summary>The awaited result type, or null for methods returning a plain <see cref="ValueTask"/>.</summary>
    public abstract Type? ResultType { get; }

    /// <summary>Runs the method on a grain instance with already-deserialized arguments.</summary>
    public abstract ValueTask<object?> InvokeBoxedAsync(object grain, object?[] arguments);

}

/// <summary>A grain method whose awaited result is <typeparamref name="TResult"/> (<see cref="VoidResult"/> for none).</summary>
public sealed class GrainMethod<TResult> : GrainMethod
{
    private readonly Func<object, object?[], ValueTask<TResult>> _invoke;
    private readonly bool _returnsVoid;

    internal GrainMethod(Type grainInterface, MethodInfo method, Func<object, object?[], ValueTask<TResult>> invoke, bool returnsVoid)
        : base(grainInterface, method)
    {
        _invoke = invoke;
        _returnsVoid = returnsVoid;
    }

    public override Type? ResultType => _returnsVoid ? null : typeof(TResult);

    /// <summary>Runs the method on a grain instance (inside the grain's turn).</summary>
    public ValueTask<TResult> InvokeAsync(object grain, object?[] arguments) => _invoke(grain, arguments);

    public override async ValueTask<object?> InvokeBoxedAsync(object grain, object?[] arguments)
    {
        var result = await _invoke(grain, arguments).ConfigureAwait(false);
        return _returnsVoid ? null : result;
    }

    /// <summary>What a grain reference runs for a method with a result (called by the generated proxies).</summary>
    public ValueTask<TResult> Call(IGrainCallInvoker invoker, GrainReference target, object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        return invoker.InvokeAsync(target, this, arguments);
    }
}

/// <summary>Calls of grain methods that return a plain <see cref="ValueTask"/> (called by the generated proxies).</summary>
public static class GrainVoidCall
{
    public static ValueTask Call(GrainMethod<VoidResult> method, IGrainCallInvoker invoker, GrainReference target, object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        return invoker.InvokeVoidAsync(target, method, arguments);
    }
}

/// <summary>
/// The checked method table of one grain interface (including the interfaces it extends). Built once per interface;
/// every rule violation is reported at once.
/// </summary>
public sealed class GrainInterfaceDescription
{
    private static readonly MethodInfo AwaitVoidMethod = typeof(GrainInterfaceDescription).GetMethod(nameof(AwaitVoid), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly ConcurrentDictionary<Type, GrainInterfaceDescription> Cache = new();

    private readonly FrozenDictionary<MethodInfo, GrainMethod> _byMethod;
    private readonly FrozenDictionary<string, GrainMethod> _byName;

    private GrainInterfaceDescription(Type grainInterface, List<GrainMethod> methods)
    {
        GrainInterface = grainInterface;
        TypeName = GrainId.TypeNameOf(grainInterface);
        Methods = methods;
        _byMethod = methods.ToFrozenDictionary(m => m.Method);
        _byName = methods.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
    }

    public Type GrainInterface { get; }

    /// <summary>The grain type name (interface name without the leading I).</summary>
    public string TypeName { get; }

    public IReadOnlyList<GrainMethod> Methods { get; }

    /// <summary>The description of <paramref name="grainInterface"/>; throws listing every rule it breaks.</summary>
    public static GrainInterfaceDescription For(Type grainInterface)
    {
        ArgumentNullException.ThrowIfNull(grainInterface);
        return Cache.TryGetValue(grainInterface, out var description) ? description : Cache.GetOrAdd(grainInterface, Build(grainInterface));
    }

    public GrainMethod this[MethodInfo method] =>
        _byMethod.TryGetValue(method, out var m) ? m : throw new ArgumentException($"{method.DeclaringType?.Name}.{method.Name} is not a method of grain interface {GrainInterface.Name}.", nameof(method));

    /// <summary>Finds a method by its message name (what a remote host receives).</summary>
    public bool TryGetMethod(string name, out GrainMethod method) => _byName.TryGetValue(name, out method!);

    private static GrainInterfaceDescription Build(Type grainInterface)
    {
        var problems = new List<string>();
        if (!grainInterface.IsInterface || !typeof(IGrain).IsAssignableFrom(grainInterface))
        {
            problems.Add($"{grainInterface.FullName} is not an interface deriving from IGrain");
        }

        if (grainInterface.IsGenericTypeDefinition)
        {
            problems.Add($"{grainInterface.Name} is an open generic interface");
        }

        var all = new[] { grainInterface }.Concat(grainInterface.GetInterfaces()).Where(i => i != typeof(IGrain)).ToList();
        var methods = new List<GrainMethod>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var method in all.SelectMany(i => i.GetMethods()).Where(m => !m.IsStatic))
        {
            var where = $"{method.DeclaringType!.Name}.{method.Name}";
            var returnType = method.ReturnType;
            var isVoid = returnType == typeof(ValueTask);
            var isResult = returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>);
            if (!isVoid && !isResult)
            {
                problems.Add($"{where} returns {returnType.Name}; grain methods return ValueTask or ValueTask<T>");
            }

            if (!method.Name.EndsWith("Async", StringComparison.Ordinal))
            {
                problems.Add($"{where} lacks the Async suffix that every grain method carries");
            }

            if (method.IsGenericMethodDefinition)
            {
                problems.Add($"{where} is generic; grain messages have fixed types");
            }

            if (method.GetParameters().Any(p => p.ParameterType.IsByRef))
            {
                problems.Add($"{where} has a ref/out parameter; grain messages are values");
            }

            if (!names.Add(method.Name))
            {
                problems.Add($"{where} is overloaded; the method name identifies the message, so it must be unique");
            }

            if ((isVoid || isResult) && !method.IsGenericMethodDefinition && method.GetParameters().All(p => !p.ParameterType.IsByRef))
            {
                methods.Add(Compile(grainInterface, method, isVoid));
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Grain interface {grainInterface.Name} breaks the grain rules:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", problems)}");
        }

        return new GrainInterfaceDescription(grainInterface, methods);
    }

    private static GrainMethod Compile(Type grainInterface, MethodInfo method, bool isVoid)
    {
        var resultType = isVoid ? typeof(VoidResult) : method.ReturnType.GetGenericArguments()[0];
        var grain = Expression.Parameter(typeof(object), "grain");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var parameters = method.GetParameters();
        var callArgs = parameters.Select((p, i) => (Expression)Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), p.ParameterType));
        Expression call = Expression.Call(Expression.Convert(grain, method.DeclaringType!), method, callArgs);
        if (isVoid)
        {
            call = Expression.Call(AwaitVoidMethod, call);
        }

        var delegateType = typeof(Func<,,>).MakeGenericType(typeof(object), typeof(object?[]), typeof(ValueTask<>).MakeGenericType(resultType));
        var invoke = Expression.Lambda(delegateType, call, grain, args).Compile();
        var methodType = typeof(GrainMethod<>).MakeGenericType(resultType);
        return (GrainMethod)Activator.CreateInstance(
            methodType, BindingFlags.NonPublic | BindingFlags.Instance, null, [grainInterface, method, invoke, isVoid], null)!;
    }

    private static ValueTask<VoidResult> AwaitVoid(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return default;
        }

        return Await(task);

        static async ValueTask<VoidResult> Await(ValueTask task)
        {
            await task.ConfigureAwait(false);
            return default;
        }
    }
}
