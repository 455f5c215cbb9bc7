// Where the fleet finds things: the repository root (the folder holding DigitalTwin.sln above the twin's own build
// output), each service's built dll in the same configuration, and the shared real data (../shared/data/cycler).
namespace DigitalTwin.Cli.Commands.Fleet;

public sealed record RepositoryLayout(string Root, string Configuration)
{
    /// <summary>services/&lt;Project&gt;/bin/&lt;Configuration&gt;/net10.0/DigitalTwin.Services.&lt;Project&gt;.dll</summary>
    public string ServiceDll(string project) =>
        Path.Combine(Root, "services", project, "bin", Configuration, "net10.0", $"DigitalTwin.Services.{project}.dll");

    /// <summary>The repository above the running twin (its bin/&lt;Configuration&gt;/ output names the configuration).</summary>
    public static RepositoryLayout Locate()
    {
        var baseDirectory = AppContext.BaseDirectory;
        var parts = baseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        var configuration = bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Release";
        foreach (var start in new[] { baseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DigitalTwin.sln")))
                {
                    return new RepositoryLayout(dir.FullName, configuration);
                }
            }
        }

        throw new DirectoryNotFoundException($"no DigitalTwin.sln above {baseDirectory} or the working folder: run twin fleet from a checkout (make run)");
    }

    /// <summary>
    /// A cycler file: an existing path as given, else relative to shared/data/cycler — the folder named by
    /// DIGITALTWIN_SHARED, or the first `shared` folder holding data/ and research/ above the build output or working folder,
    /// else the workplace's /work/shared.
    /// </summary>
    public static string CyclerFile(string name)
    {
        if (File.Exists(name))
        {
            return Path.GetFullPath(name);
        }

        var path = Path.Combine(SharedRoot(), "data", "cycler", name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"cycler file '{name}' not found (as a path, or under {Path.GetDirectoryName(path)})", path);
    }

    public const string LfpBpxName = "lfp_18650_cell_BPX.json";

    /// <summary>The About:Energy LFP | graphite BPX set (shared/data/reference/bpx/about_energy/LFP), found like the cycler files.</summary>
    public static string LfpBpxFile()
    {
        var path = Path.Combine(SharedRoot(), "data", "reference", "bpx", "about_energy", "LFP", LfpBpxName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"the LFP BPX set was not found at {path}", path);
    }

    public static string SharedRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DIGITALTWIN_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(Path.Combine(fromEnvironment, "data")))
        {
            return fromEnvironment;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "data")) && Directory.Exists(Path.Combine(candidate, "research")))
                {
                    return candidate;
                }
            }
        }

        // The workplace's own copy, for a clone made outside it (e.g. a clean clone under /tmp).
        const string workplace = "/work/shared";
        return Directory.Exists(Path.Combine(workplace, "data", "cycler"))
            ? workplace
            : throw new DirectoryNotFoundException("the shared data folder (shared/data/cycler beside the checkout) was not found: set DIGITALTWIN_SHARED to the folder holding data/");
    }
}
