package dev.execpool.mcp;

import com.typesafe.config.Config;
import dev.execpool.ExecPool;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP server over stdio: one pool, one session per process (a stdio server has exactly one
 * client), the tools of {@link ExecTools}, and finish notifications. {@link #run} blocks until the
 * client closes stdin, then kills every task of the session and stops the pool.
 *
 * <p>stdout is the protocol: the caller hands over the real stdout as {@code protocolOut} and must
 * already have pointed {@code System.out} elsewhere, so nothing else can write a stray line into it.
 */
public final class ExecPoolMcpServer {
  private static final Logger LOG = LoggerFactory.getLogger(ExecPoolMcpServer.class);

  private ExecPoolMcpServer() {}

  /** Serves until stdin ends; returns the process exit code. */
  // "try": the subscription is a resource only so that it closes before the pool does.
  @SuppressWarnings("try")
  public static int run(Config config, InputStream in, OutputStream protocolOut, String version) {
    McpSettings mcp = McpSettings.fromConfig(config); // bad settings fail before threads start
    String sessionKey = "mcp-" + UUID.randomUUID();
    StdinEofWatcher stdin = new StdinEofWatcher(in);
    try (ExecPool pool = ExecPool.start(config);
        FinishNotifier notifier = new FinishNotifier();
        AutoCloseable subscription = pool.subscribe(sessionKey, notifier)) {
      McpJsonMapper mapper = McpJsonDefaults.getMapper();
      ExecTools tools = new ExecTools(pool, sessionKey, notifier, mcp);
      McpSyncServer server =
          McpServer.sync(new StdioServerTransportProvider(mapper, stdin, protocolOut))
              .serverInfo("execpool", version)
              .instructions(
                  "Runs shell commands in a background pool. exec returns the result of a quick command, or"
                      + " a task id for a slow one; a notifications/message is sent when a task finishes;"
                      + " exec_collect returns finished results once.")
              .capabilities(McpSchema.ServerCapabilities.builder().tools(true).logging().build())
              .tools(tools.specifications(mapper))
              .build();
      LOG.info("MCP server up, session {}", sessionKey);
      stdin.ended().toCompletableFuture().join();
      LOG.info("stdin closed: killing the session's tasks and exiting");
      closeQuietly(server);
    } catch (Exception e) {
      LOG.error("MCP server stopped on an error", e);
      return 1;
    }
    // try-with-resources closed the subscription, the notifier, then the pool: every task's tree is
    // gone and the actor system terminated.
    return 0;
  }

  private static void closeQuietly(McpSyncServer server) {
    try {
      server.close();
    } catch (RuntimeException e) {
      LOG.debug("closing the MCP server: {}", e.toString());
    }
  }
}
