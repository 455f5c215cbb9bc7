// Finds the workplace's shared data and bench folders (`../shared/` beside the checkout).
// A clean clone may live elsewhere, so the lookup also honours DIGITALTWIN_SHARED and /work/shared.
namespace DigitalTwin.Testing;

public static class SharedData
{
    private static readonly Lazy<string> Root = new(Locate);

    /// <summary>The `shared` folder that holds data/, research/ and bench/.</summary>
    public static string RootDirectory => Root.Value;

    /// <summary>A path under `shared/data`, which must exist.</summary>
    public static string DataFile(params string[] parts) => Existing(Path.Combine([RootDirectory, "data", .. parts]));

    /// <summary>A path under `shared/bench`, which must exist.</summary>
    public static string BenchFile(params string[] parts) => Existing(Path.Combine([RootDirectory, "bench", .. parts]));

    private static string Existing(string path) =>
        File.Exists(path) || Directory.Exists(path)
            ? path
            : throw new FileNotFoundException($"Shared test data not found: {path}", path);

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DIGITALTWIN_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(Path.Combine(fromEnvironment, "data")))
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data")) && Directory.Exists(Path.Combine(candidate, "research")))
            {
                return candidate;
            }
        }

        const string workplace = "/work/shared";
        return Directory.Exists(Path.Combine(workplace, "data"))
            ? workplace
            : throw new DirectoryNotFoundException(
                "The shared data folder was not found: set DIGITALTWIN_SHARED to the folder holding data/ and bench/.");
    }
}
