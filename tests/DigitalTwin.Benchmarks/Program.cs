// `make bench` entry: runs all suites (or those named) and prints each suite's ratio table.
using DigitalTwin.Benchmarks;

var suites = typeof(IBenchmarkSuite).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchmarkSuite).IsAssignableFrom(t))
    .Select(t => (IBenchmarkSuite)Activator.CreateInstance(t)!)
    .OrderBy(s => s.Name, StringComparer.Ordinal)
    .ToList();

var quick = args.Contains("--quick");
var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && a != "all").ToHashSet(StringComparer.OrdinalIgnoreCase);
if (args.Contains("--list"))
{
    foreach (var suite in suites)
    {
        Console.WriteLine($"{suite.Name,-14} {suite.Description}");
    }

    return 0;
}

var unknown = names.Where(n => suites.All(s => !s.Name.Equals(n, StringComparison.OrdinalIgnoreCase))).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"Unknown suite(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", suites.Select(s => s.Name))}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var artifacts = Path.GetFullPath(Path.Combine("artifacts", "bench"));
Directory.CreateDirectory(artifacts);
var context = new BenchmarkContext(Console.Out, artifacts, quick, cancel.Token);
var failed = new List<string>();
foreach (var suite in suites.Where(s => names.Count == 0 || names.Contains(s.Name)))
{
    Console.WriteLine();
    Console.WriteLine($"== {suite.Name}: {suite.Description}");
    if (!await suite.RunAsync(context))
    {
        failed.Add(suite.Name);
    }
}

Console.WriteLine();
Console.WriteLine(failed.Count == 0 ? "bench: all suites ran" : $"bench: suites that could not run: {string.Join(", ", failed)}");
return failed.Count == 0 ? 0 : 1;
