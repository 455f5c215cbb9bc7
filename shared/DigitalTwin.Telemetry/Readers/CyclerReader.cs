// The reader contract: probe a file's first bytes, then stream its rows into the normalizer
// through a ReadContext. One class per vendor format; the registry picks by probe score.
using System.Text;
using DigitalTwin.Telemetry.Normalization;

namespace DigitalTwin.Telemetry.Readers;

/// <summary>The first bytes of a file plus its name, for content-based detection.</summary>
public sealed class FileHead
{
    public const int Size = 64 * 1024;

    public FileHead(string fileName, byte[] bytes, long length)
    {
        FileName = fileName;
        Bytes = bytes;
        Length = length;
        Text = TextCodec.DecodeHead(bytes);
        Lines = Text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Extension = Path.GetExtension(fileName).ToLowerInvariant();
    }

    public string FileName { get; }

    public string Extension { get; }

    public byte[] Bytes { get; }

    public long Length { get; }

    /// <summary>The head decoded (UTF-8, or Windows-1252 when not valid UTF-8), BOM removed.</summary>
    public string Text { get; }

    public string[] Lines { get; }

    public bool StartsWith(ReadOnlySpan<byte> magic) => Bytes.AsSpan().StartsWith(magic);

    public string FirstLine => Lines.Length > 0 ? Lines[0] : string.Empty;
}

public abstract class CyclerReader
{
    /// <summary>Short name used with --format, e.g. "arbin-csv".</summary>
    public abstract string Name { get; }

    /// <summary>Reader version, recorded in provenance; bump when output for the same file changes.</summary>
    public virtual string Version => "1.0";

    /// <summary>One line for the format table.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Whether the reader reads its stream front to back without its length or seeks (text formats): such a file can be
    /// parsed while it is still arriving. Binary containers that seek or need the length say false.
    /// </summary>
    public virtual bool ReadsSequentially => true;

    /// <summary>0 = not this format; higher is surer. 100 means a magic number or signature matched.</summary>
    public abstract int Probe(FileHead head);

    public abstract void Read(ReadContext context);
}

/// <summary>Where a row's problem goes: the log directly, or a chunk that replays it in line order.</summary>
public interface IRowProblemSink
{
    void RowProblem(long line, string? field, string code, string message);
}

/// <summary>What a reader gets: the stream, the detection head, options, and the normalizer's entry points.</summary>
public sealed class ReadContext : IRowProblemSink
{
    private readonly Normalizer _normalizer;

    internal ReadContext(string displayName, Stream stream, FileHead head, IngestOptions options, Normalizer normalizer, ProblemLog log)
    {
        DisplayName = displayName;
        Stream = stream;
        Head = head;
        Options = options;
        _normalizer = normalizer;
        Log = log;
    }

    public string DisplayName { get; }

    public Stream Stream { get; }

    public FileHead Head { get; }

    public IngestOptions Options { get; }

    internal ProblemLog Log { get; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Cell id found in the file (barcode, cell name), used when the caller gives none.</summary>
    public string? CellIdHint { get; set; }

    public string Dialect => _normalizer.Schema?.Dialect ?? "unknown";

    public void SetSchema(RawSchema schema) => _normalizer.SetSchema(schema);

    public void Emit(ref RawRow row) => _normalizer.Accept(ref row);

    public void EmitImpedance(ref ImpedancePoint point) => _normalizer.AcceptImpedance(ref point);

    public void NewRun(long line, string what) => _normalizer.NewRun(line, what);

    /// <summary>A row that cannot be used (policy decides: error or skip with warning).</summary>
    public void RowProblem(long line, string? field, string code, string message) => Log.Row(line, field, code, message);

    public void Warn(long line, string? field, string code, string message) => Log.Warn(line, field, code, message);

    public void WarnOnce(string key, long line, string? field, string code, string message) => Log.WarnOnce(key, line, field, code, message);

    /// <summary>A file-level problem that stops reading: returns the exception to throw.</summary>
    public IngestException Fail(long line, string? field, string code, string message) => Log.Fail(line, field, code, message);

    public void Progress(long bytesDone)
    {
        Options.Progress?.Report((bytesDone, Head.Length));
    }
}

/// <summary>Text decoding for header lines and names (rows stay bytes).</summary>
public static class TextCodec
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, true);
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    public static string DecodeHead(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith(Bom))
        {
            span = span[3..];
        }

        // The head may end in the middle of a UTF-8 sequence: cut back to a character boundary.
        var end = span.Length;
        while (end > 0 && end > span.Length - 4 && (span[end - 1] & 0xC0) == 0x80)
        {
            end--;
        }

        if (end > 0 && span[end - 1] >= 0xC0)
        {
            end--;
        }

        return Decode(span[..end]);
    }

    /// <summary>UTF-8 if valid, else Windows-1252/Latin-1 (what EC-Lab and Maccor write).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Bom))
        {
            bytes = bytes[3..];
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Latin1.GetString(bytes);
        }
    }
}
