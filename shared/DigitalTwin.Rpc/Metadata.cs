// Call metadata (headers and trailers): ordered key/value entries, "-bin" keys carry bytes
// that travel base64-encoded (PROTOCOL-HTTP2.md, Custom-Metadata).
using System.Collections;
using System.Text;

namespace DigitalTwin.Rpc;

/// <summary>Ordered list of metadata entries; duplicate keys are allowed and keep their order.</summary>
public sealed class Metadata : IList<Metadata.Entry>
{
    /// <summary>Suffix that marks a binary key.</summary>
    public const string BinaryHeaderSuffix = "-bin";

    private readonly List<Entry> _entries;

    public Metadata()
    {
        _entries = [];
    }

    internal Metadata(int capacity)
    {
        _entries = new List<Entry>(capacity);
    }

    public int Count => _entries.Count;

    public bool IsReadOnly => false;

    public Entry this[int index]
    {
        get => _entries[index];
        set => _entries[index] = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Adds an ASCII entry; the key must not end in "-bin".</summary>
    public void Add(string key, string value) => _entries.Add(new Entry(key, value));

    /// <summary>Adds a binary entry; the key must end in "-bin".</summary>
    public void Add(string key, byte[] value) => _entries.Add(new Entry(key, value));

    public void Add(Entry item) => _entries.Add(item ?? throw new ArgumentNullException(nameof(item)));

    /// <summary>The last entry with this key, or null.</summary>
    public Entry? Get(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].KeyEquals(key))
            {
                return _entries[i];
            }
        }

        return null;
    }

    /// <summary>The string value of the last entry with this (ASCII) key, or null.</summary>
    public string? GetValue(string key)
    {
        var entry = Get(key);
        if (entry is null)
        {
            return null;
        }

        return entry.IsBinary
            ? throw new InvalidOperationException($"Metadata key '{entry.Key}' is binary; read it with GetValueBytes.")
            : entry.Value;
    }

    /// <summary>The bytes of the last entry with this key, or null (ASCII values as their ASCII bytes).</summary>
    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    /// <summary>All entries with this key, in order.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        foreach (var entry in _entries)
        {
            if (entry.KeyEquals(key))
            {
                yield return entry;
            }
        }
    }

    public void Clear() => _entries.Clear();

    public bool Contains(Entry item) => _entries.Contains(item);

    public void CopyTo(Entry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    public int IndexOf(Entry item) => _entries.IndexOf(item);

    public void Insert(int index, Entry item) => _entries.Insert(index, item ?? throw new ArgumentNullException(nameof(item)));

    public bool Remove(Entry item) => _entries.Remove(item);

    public void RemoveAt(int index) => _entries.RemoveAt(index);

    public List<Entry>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<Entry> IEnumerable<Entry>.GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    public override string ToString()
    {
        var builder = new StringBuilder("Metadata(");
        for (var i = 0; i < _entries.Count; i++)
        {
            builder.Append(i == 0 ? string.Empty : ", ").Append(_entries[i]);
        }

        return builder.Append(')').ToString();
    }

    internal static bool IsBinaryKey(string key) => key.EndsWith(BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>One key/value pair. Keys are lower case: 0-9 a-z _ - . (PROTOCOL-HTTP2.md Header-Name).</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _valueBytes;

        public Entry(string key, string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Key = NormalizeKey(key);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Metadata key '{Key}' ends in '-bin' and needs a byte[] value.", nameof(key));
            }

            foreach (var c in value)
            {
                // ASCII-Value → 1*( %x20-%x7E ): anything else cannot travel as an HTTP/2 header value.
                if (c < ' ' || c > '~')
                {
                    throw new ArgumentException(
                        $"Metadata value for '{Key}' contains character U+{(int)c:X4}; only printable ASCII (0x20-0x7E) is allowed. Use a '-bin' key for other data.",
                        nameof(value));
                }
            }

            _value = value;
        }

        public Entry(string key, byte[] value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Key = NormalizeKey(key);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Metadata key '{Key}' carries bytes and must end in '-bin'.", nameof(key));
            }

            _valueBytes = value;
        }

        private Entry(string key, string? value, byte[]? valueBytes)
        {
            Key = key;
            _value = value;
            _valueBytes = valueBytes;
        }

        public string Key { get; }

        /// <summary>The string value; binary entries have none (read ValueBytes).</summary>
        public string Value => _value ?? throw new InvalidOperationException($"Metadata key '{Key}' is binary; read ValueBytes.");

        /// <summary>The bytes: the binary value, or the ASCII bytes of a string value.</summary>
        public byte[] ValueBytes => _valueBytes ?? Encoding.ASCII.GetBytes(_value!);

        public bool IsBinary => _valueBytes is not null;

        public override string ToString() => IsBinary
            ? $"[Entry: key={Key}, valueBytes={Convert.ToBase64String(_valueBytes!)}]"
            : $"[Entry: key={Key}, value={_value}]";

        /// <summary>Entry from the wire: the key is already lower case and the value is kept as received.</summary>
        internal static Entry FromWire(string key, string value) => new(key, value, null);

        internal static Entry FromWire(string key, byte[] value) => new(key, null, value);

        internal bool KeyEquals(string key) => string.Equals(Key, key, StringComparison.OrdinalIgnoreCase);

        private static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var normalized = key.ToLowerInvariant();
            foreach (var c in normalized)
            {
                if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.'))
                {
                    throw new ArgumentException($"Metadata key '{key}' contains '{c}'; keys may only contain 0-9 a-z _ - .", nameof(key));
                }
            }

            return normalized;
        }
    }
}
