// A group of `twin` subcommands owned by one area (simulate, parse, dem, ...).
// Program discovers every implementation, so adding an area never edits another's file.
using System.CommandLine;

namespace DigitalTwin.Cli;

public interface ICommandModule
{
    /// <summary>The top-level commands this module contributes to `twin`.</summary>
    IEnumerable<Command> CreateCommands();
}
