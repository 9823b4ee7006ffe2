package dev.execpool.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code java -jar execpool.jar <command>}: the entry point of the runnable jar. */
@Command(
    name = "execpool",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "A background command-execution pool for AI agents.",
    subcommands = {McpCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'execpool mcp'");
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }
}
