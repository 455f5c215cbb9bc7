// The identity of a grain: its type name (from the interface) and its string key.
namespace DigitalTwin.Grains;

/// <summary>
/// Identity of a grain. <see cref="Type"/> is the grain type name derived from the interface
/// (<c>ICellGrain</c> gives <c>CellGrain</c>); it is also the storage and Dapr actor type name.
/// </summary>
public readonly record struct GrainId(string Type, string Key)
{
    /// <summary>The type name used for an interface: its name without the leading <c>I</c>.</summary>
    public static string TypeNameOf(Type grainInterface)
    {
        ArgumentNullException.ThrowIfNull(grainInterface);
        var name = grainInterface.Name;
        return name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]) ? name[1..] : name;
    }

    public override string ToString() => $"{Type}/{Key}";
}
