// Grain references: one proxy class per grain interface, emitted at run time, that routes calls through an invoker.
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;

namespace DigitalTwin.Grains;

/// <summary>Creates grain references over an <see cref="IGrainCallInvoker"/>; the grain is activated on first call.</summary>
public sealed class GrainFactory(IGrainCallInvoker invoker) : IGrainFactory
{
    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return ReferenceFactory<TGrain>.Create(invoker, key);
    }

    private static class ReferenceFactory<TGrain>
        where TGrain : IGrain
    {
        // Not a static initializer: a broken interface must surface as its rule violations, not a TypeInitializationException.
        private static GrainReferenceType? _type;

        public static TGrain Create(IGrainCallInvoker invoker, string key)
        {
            var t = _type ??= GrainReferenceType.For(typeof(TGrain));
            return (TGrain)(object)t.Create(invoker, new GrainId(t.Description.TypeName, key));
        }
    }
}

/// <summary>
/// Base class of every grain reference. The generated subclass implements the grain interface: each method packs its
/// arguments and hands them with its <see cref="GrainMethod"/> to the invoker — no reflection and no boxing of the
/// returned <see cref="ValueTask"/> on the call path.
/// </summary>
public abstract class GrainReference(GrainId grainId)
{
    /// <summary>The grain this reference points at.</summary>
    public GrainId GrainId { get; } = grainId;

    /// <summary>
    /// A slot the invoker may use to remember where the grain lives (the local host keeps its activation here, so a
    /// reference held by a caller skips the directory lookup); invokers must treat a stale value as a hint only.
    /// </summary>
    public object? InvokerState { get; set; }

    public override string ToString() => GrainId.ToString();
}

/// <summary>The generated reference class of one grain interface and its constructor.</summary>
internal sealed class GrainReferenceType
{
    private static readonly ConcurrentDictionary<Type, GrainReferenceType> Types = new();
    private static readonly Lock EmitGate = new();
    private static readonly HashSet<string> AccessibleAssemblies = new(StringComparer.Ordinal);
    private static ModuleBuilder? _module;
    private static int _emitted;
    private static ConstructorInfo? _ignoresAccessChecks;

    private readonly Func<IGrainCallInvoker, GrainId, GrainReference> _create;

    private GrainReferenceType(GrainInterfaceDescription description, Func<IGrainCallInvoker, GrainId, GrainReference> create)
    {
        Description = description;
        _create = create;
    }

    public GrainInterfaceDescription Description { get; }

    public GrainReference Create(IGrainCallInvoker invoker, GrainId grain) => _create(invoker, grain);

    public static GrainReferenceType For(Type grainInterface)
    {
        if (Types.TryGetValue(grainInterface, out var type))
        {
            return type;
        }

        var description = GrainInterfaceDescription.For(grainInterface);
        lock (EmitGate)
        {
            if (!Types.TryGetValue(grainInterface, out type))
            {
                type = Emit(grainInterface, description);
                Types[grainInterface] = type;
            }

            return type;
        }
    }

    private static GrainReferenceType Emit(Type grainInterface, GrainInterfaceDescription description)
    {
        var mb = Module();
        var interfaces = new[] { grainInterface }.Concat(grainInterface.GetInterfaces()).ToList();
        foreach (var assembly in interfaces.SelectMany(i => i.GetMethods()).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))
                     .Concat(interfaces).SelectMany(Assemblies).Distinct())
        {
            MakeAccessible(assembly);
        }

        var tb = mb.DefineType($"GrainReferences.{grainInterface.FullName?.Replace('+', '.')}_{++_emitted}", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(GrainReference), [.. interfaces]);
        var invokerField = tb.DefineField("_invoker", typeof(IGrainCallInvoker), FieldAttributes.Private | FieldAttributes.InitOnly);
        var methodsField = tb.DefineField("_methods", typeof(GrainMethod[]), FieldAttributes.Private | FieldAttributes.InitOnly);

        var ctor = tb.DefineConstructor(MethodAttributes.Public, CallingConventions.HasThis, [typeof(IGrainCallInvoker), typeof(GrainId), typeof(GrainMethod[])]);
        var il = ctor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Call, typeof(GrainReference).GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(GrainId)])!);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, invokerField);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Stfld, methodsField);
        il.Emit(OpCodes.Ret);

        var table = new List<GrainMethod>();
        var voidCall = typeof(GrainVoidCall).GetMethod(nameof(GrainVoidCall.Call))!;
        var empty = typeof(Array).GetMethod(nameof(Array.Empty))!.MakeGenericMethod(typeof(object));
        foreach (var method in interfaces.Where(i => i != typeof(IGrain)).SelectMany(i => i.GetMethods()).Where(m => !m.IsStatic))
        {
            var grainMethod = description[method];
            var slot = table.Count;
            table.Add(grainMethod);
            var parameters = method.GetParameters();
            var impl = tb.DefineMethod($"{method.DeclaringType!.Name}.{method.Name}", MethodAttributes.Private | MethodAttributes.HideBySig | MethodAttributes.NewSlot | MethodAttributes.Virtual | MethodAttributes.Final,
                method.ReturnType, [.. parameters.Select(p => p.ParameterType)]);
            tb.DefineMethodOverride(impl, method);
            var g = impl.GetILGenerator();
            var typed = grainMethod.GetType();
            g.Emit(OpCodes.Ldarg_0);
            g.Emit(OpCodes.Ldfld, methodsField);
            g.Emit(OpCodes.Ldc_I4, slot);
            g.Emit(OpCodes.Ldelem_Ref);
            g.Emit(OpCodes.Castclass, typed);
            g.Emit(OpCodes.Ldarg_0);
            g.Emit(OpCodes.Ldfld, invokerField);
            g.Emit(OpCodes.Ldarg_0);
            if (parameters.Length == 0)
            {
                g.Emit(OpCodes.Call, empty);
            }
            else
            {
                g.Emit(OpCodes.Ldc_I4, parameters.Length);
                g.Emit(OpCodes.Newarr, typeof(object));
                for (var j = 0; j < parameters.Length; j++)
                {
                    g.Emit(OpCodes.Dup);
                    g.Emit(OpCodes.Ldc_I4, j);
                    g.Emit(OpCodes.Ldarg, (short)(j + 1));
                    if (parameters[j].ParameterType.IsValueType)
                    {
                        g.Emit(OpCodes.Box, parameters[j].ParameterType);
                    }

                    g.Emit(OpCodes.Stelem_Ref);
                }
            }

            g.Emit(OpCodes.Call, grainMethod.ResultType is null && method.ReturnType == typeof(ValueTask) ? voidCall : typed.GetMethod(nameof(GrainMethod<int>.Call))!);
            g.Emit(OpCodes.Ret);
        }

        var created = tb.CreateType();
        var invoker = Expression.Parameter(typeof(IGrainCallInvoker), "invoker");
        var id = Expression.Parameter(typeof(GrainId), "grain");
        var constructor = created.GetConstructor([typeof(IGrainCallInvoker), typeof(GrainId), typeof(GrainMethod[])])!;
        var create = Expression.Lambda<Func<IGrainCallInvoker, GrainId, GrainReference>>(
            Expression.Convert(Expression.New(constructor, invoker, id, Expression.Constant(table.ToArray())), typeof(GrainReference)), invoker, id).Compile();
        return new GrainReferenceType(description, create);
    }

    private static IEnumerable<Assembly> Assemblies(Type type)
    {
        yield return type.Assembly;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Assemblies))
            {
                yield return argument;
            }
        }

        if (type.HasElementType)
        {
            foreach (var element in Assemblies(type.GetElementType()!))
            {
                yield return element;
            }
        }
    }

    private static ModuleBuilder Module()
    {
        if (_module is not null)
        {
            return _module;
        }

        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("DigitalTwin.Grains.References"), AssemblyBuilderAccess.Run);
        _module = assembly.DefineDynamicModule("DigitalTwin.Grains.References");

        // Grain interfaces may be internal to their assembly (tests): the runtime honours this attribute for dynamic code.
        var attribute = _module.DefineType("System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute", TypeAttributes.Public | TypeAttributes.Class | TypeAttributes.Sealed, typeof(Attribute));
        var ctor = attribute.DefineConstructor(MethodAttributes.Public, CallingConventions.HasThis, [typeof(string)]);
        var il = ctor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, typeof(Attribute).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes)!);
        il.Emit(OpCodes.Ret);
        _ignoresAccessChecks = attribute.CreateType().GetConstructor([typeof(string)])!;
        return _module;
    }

    private static void MakeAccessible(Assembly assembly)
    {
        var name = assembly.GetName().Name!;
        if (assembly.IsDynamic || !AccessibleAssemblies.Add(name))
        {
            return;
        }

        ((AssemblyBuilder)_module!.Assembly).SetCustomAttribute(new CustomAttributeBuilder(_ignoresAccessChecks!, [name]));
    }
}
