// Runs `twin` command modules in-process for the CLI tests: the exit code and what the command wrote to stdout and
// stderr. Compiled into each DigitalTwin.Cli.*.Tests project (they keep their console tests in one collection).
using System.CommandLine;
using System.Globalization;

namespace DigitalTwin.Cli.Testing;

internal static class CommandRunner
{
    /// <summary>Parses <paramref name="args"/> against the module's commands and invokes them, capturing the console.</summary>
    public static (int Code, string Out, string Err) Run(ICommandModule module, params string[] args)
    {
        var root = new RootCommand("test");
        foreach (var command in module.CreateCommands())
        {
            root.Subcommands.Add(command);
        }

        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var outWriter = new StringWriter(CultureInfo.InvariantCulture);
        using var errWriter = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(outWriter);
        Console.SetError(errWriter);
        try
        {
            var code = root.Parse(args).Invoke();
            return (code, outWriter.ToString(), errWriter.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
