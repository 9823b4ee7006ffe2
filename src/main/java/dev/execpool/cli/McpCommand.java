package dev.execpool.cli;

import dev.execpool.mcp.ExecPoolMcpServer;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code execpool mcp}: the MCP server on stdin/stdout, until the client closes stdin. */
@Command(
    name = "mcp",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the pool as an MCP server over stdio (tools: exec, exec_output, exec_wait, exec_collect,"
          + " exec_kill, exec_list).",
      "stdout carries the protocol; logs go to stderr. When stdin closes, every task is killed and the"
          + " process exits."
    })
final class McpCommand implements Callable<Integer> {
  @Mixin PoolOptions options;

  @Override
  public Integer call() {
    var config = options.config(); // a bad option fails here, before stdout is taken over
    // Only the transport may write to the real stdout: anything else printing there (a library,
    // Pekko before its logger is up) would corrupt the protocol, so System.out now means stderr.
    OutputStream protocol = new FileOutputStream(FileDescriptor.out);
    System.out.flush();
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    return ExecPoolMcpServer.run(config, System.in, protocol, Version.current());
  }
}
