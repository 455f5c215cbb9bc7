// A measurement: its name, the tags that identify a series and the fields each point carries.
namespace DigitalTwin.TimeSeries.Schema;

public sealed class MeasurementDefinition
{
    private readonly Dictionary<string, FieldDefinition> _fieldsByName;
    private readonly Dictionary<string, TagDefinition> _tagsByName;

    public MeasurementDefinition(string name, string description, string timestamp,
        IReadOnlyList<TagDefinition> tags, IReadOnlyList<FieldDefinition> fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Description = description;
        Timestamp = timestamp;
        Tags = tags;
        Fields = fields;
        _tagsByName = tags.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _fieldsByName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (_tagsByName.ContainsKey(field.Name))
            {
                throw new ArgumentException($"Measurement '{name}': '{field.Name}' is both a tag and a field.", nameof(fields));
            }

            field.Measurement = this;
        }
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>What a point's timestamp means (sample time, end of cycle, projected time, ...).</summary>
    public string Timestamp { get; }

    public IReadOnlyList<TagDefinition> Tags { get; }

    public IReadOnlyList<FieldDefinition> Fields { get; }

    public FieldDefinition? FindField(string name) => _fieldsByName.GetValueOrDefault(name);

    public FieldDefinition Field(string name) =>
        FindField(name) ?? throw new KeyNotFoundException(
            $"Measurement '{Name}' has no field '{name}'. Fields: {string.Join(", ", Fields.Select(f => f.Name))}.");

    public bool HasTag(string name) => _tagsByName.ContainsKey(name);

    public override string ToString() => Name;
}
