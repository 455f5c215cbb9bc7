// STYLE §2: the physics library references no ASP.NET, RPC, storage, network or clock code.
using System.Reflection;

namespace DigitalTwin.Physics.Electrochem.Tests;

public class PurityTests
{
    [Fact]
    public void PhysicsReferencesOnlyTheBaseLibrary()
    {
        var refs = typeof(Models.CellModel).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        string[] forbidden = ["Microsoft.AspNetCore", "Grpc", "DigitalTwin.Rpc", "DigitalTwin.Contracts", "Microsoft.Data", "Npgsql", "System.Net.Http", "System.Net.Sockets"];
        Assert.DoesNotContain(refs, r => forbidden.Any(f => r.StartsWith(f, StringComparison.Ordinal)));
        Assert.All(refs, r => Assert.True(r.StartsWith("System", StringComparison.Ordinal) || r == "netstandard", r));
    }

    [Fact]
    public void NoTypeUsesTheClockOrFiles()
    {
        // Reading files and clocks is the caller's job (DESIGN section 3); check the IL's member references.
        var asm = typeof(Models.CellModel).Assembly;
        var bad = new List<string>();
        foreach (var type in asm.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var body = method.GetMethodBody()?.GetILAsByteArray();
                if (body is null)
                {
                    continue;
                }

                for (var i = 0; i + 4 < body.Length; i++)
                {
                    if (body[i] is not (0x28 or 0x6F or 0x73))
                    {
                        continue;
                    }

                    try
                    {
                        var member = method.Module.ResolveMember(BitConverter.ToInt32(body, i + 1));
                        var owner = member?.DeclaringType?.FullName ?? "";
                        if (owner is "System.IO.File" or "System.DateTime" or "System.DateTimeOffset" or "System.IO.FileStream" or "System.Diagnostics.Stopwatch")
                        {
                            bad.Add($"{type.Name}.{method.Name} -> {owner}.{member!.Name}");
                        }
                    }
                    catch (ArgumentException)
                    {
                    }
                }
            }
        }

        Assert.Empty(bad);
    }
}
