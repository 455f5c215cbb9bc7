// Writes the FileDescriptorSet (with imports) the Python peer builds its messages from, taken from the
// same Google.Protobuf descriptors our server registers.
using DigitalTwin.Rpc.Health.V1;
using DigitalTwin.Testing.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DigitalTwin.Rpc.Interop.Tests;

public static class DescriptorSet
{
    public static string WriteTemporary()
    {
        var set = new FileDescriptorSet();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in new[]
        {
            InteropServiceReflection.Descriptor,
            HealthReflection.Descriptor,
            Reflection.V1.ReflectionReflection.Descriptor,
            Reflection.V1Alpha.ReflectionReflection.Descriptor,
        })
        {
            Add(root, set, seen);
        }

        var path = Path.Combine(Path.GetTempPath(), $"digitaltwin-interop-{Environment.ProcessId}-{Guid.NewGuid():N}.pb");
        File.WriteAllBytes(path, set.ToByteArray());
        return path;
    }

    // Dependencies first, as a descriptor pool needs them before the files that import them.
    private static void Add(FileDescriptor file, FileDescriptorSet set, HashSet<string> seen)
    {
        if (!seen.Add(file.Name))
        {
            return;
        }

        foreach (var dependency in file.Dependencies)
        {
            Add(dependency, set, seen);
        }

        set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
    }
}
