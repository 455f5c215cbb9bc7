// The physics library stays pure (STYLE §2): it references no ASP.NET, RPC, storage or network assembly.
using DigitalTwin.Physics.Viscoplastic.Laws;

namespace DigitalTwin.Physics.Viscoplastic.Tests;

public sealed class PurityTests
{
    [Fact]
    public void LibraryReferencesOnlyTheBaseClassLibrary()
    {
        var references = typeof(PerzynaLudwik).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();
        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard",
            $"unexpected reference {name}"));
        Assert.DoesNotContain(references, n => n.Contains("AspNetCore") || n.Contains("Rpc") || n.Contains("Sqlite") || n.Contains("Net.Http"));
    }
}
