// A tag of a measurement: an indexed string that identifies a series (cell, lot, electrode, ...).
namespace DigitalTwin.TimeSeries.Schema;

public sealed class TagDefinition
{
    public TagDefinition(string name, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Description = description;
    }

    /// <summary>Tag key as stored (snake_case).</summary>
    public string Name { get; }

    public string Description { get; }

    public override string ToString() => Name;
}
