// Entry point of `twin`: gathers every command module and runs the parsed command.
using System.CommandLine;
using System.Reflection;
using DigitalTwin.Cli;

var root = new RootCommand("DigitalTwin: a live, physics-based twin of every cell on a pilot line.");
var modules = typeof(Program).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICommandModule).IsAssignableFrom(t))
    .OrderBy(t => t.Name, StringComparer.Ordinal)
    .Select(t => (ICommandModule)Activator.CreateInstance(t)!);
foreach (var command in modules.SelectMany(m => m.CreateCommands()))
{
    root.Subcommands.Add(command);
}

var version = new Command("version", "Print the version of twin and its runtime.");
version.SetAction(_ =>
{
    var informational = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
    Console.WriteLine($"twin {informational} (.NET {Environment.Version})");
});
root.Subcommands.Add(version);

return await root.Parse(args).InvokeAsync();
