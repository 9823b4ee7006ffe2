package dev.execpool.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.execpool.Pids;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The built jar, started as {@code java -jar target/execpool.jar mcp} by the SDK's own stdio client,
 * with the notifications it sends and the server's process handle (found among this JVM's
 * children), so a test can prove the server exits.
 */
final class McpSession implements AutoCloseable {
  static final Duration BOUND = Duration.ofSeconds(30);

  final McpSyncClient client;
  final ProcessHandle server;
  /** Filled by the client's logging consumer, on the client's threads. */
  final List<LoggingMessageNotification> notifications;

  private McpSession(McpSyncClient client, ProcessHandle server, List<LoggingMessageNotification> notifications) {
    this.client = client;
    this.server = server;
    this.notifications = notifications;
  }

  /** The shaded jar Maven built in {@code package}; failsafe passes its path. */
  static Path jar() {
    String path = System.getProperty("execpool.jar");
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      fail("the built jar is missing (" + path + "): run these tests with `mvn verify`, after `package`");
    }
    return Path.of(path);
  }

  /** The JVM running the tests (JDK 17 or 25), with the flags that keep JDK 25 quiet. */
  static List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+IgnoreUnrecognizedVMOptions");
    command.add("--sun-misc-unsafe-memory-access=allow");
    command.add("-jar");
    command.add(jar().toString());
    return command;
  }

  static McpSession start(String... serverOptions) {
    List<String> command = javaCommand();
    command.add("mcp");
    command.addAll(List.of(serverOptions));
    Set<Long> before = serverPids();
    List<LoggingMessageNotification> notes = new CopyOnWriteArrayList<>();
    StdioClientTransport transport =
        new StdioClientTransport(
            ServerParameters.builder(command.get(0)).args(command.subList(1, command.size())).build(),
            McpJsonDefaults.getMapper());
    transport.setStdErrorHandler(line -> System.err.println("[execpool mcp] " + line));
    McpSyncClient client =
        McpClient.sync(transport)
            .requestTimeout(BOUND)
            .initializationTimeout(BOUND)
            .loggingConsumer(notes::add)
            .build();
    client.initialize();
    Set<Long> started = serverPids();
    started.removeAll(before);
    assertEquals(1, started.size(), "expected exactly one new server process, found " + started);
    return new McpSession(client, ProcessHandle.of(started.iterator().next()).orElseThrow(), notes);
  }

  private static Set<Long> serverPids() {
    return ProcessHandle.current()
        .children()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains("mcp")).orElse(false))
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  CallToolResult call(String tool, Map<String, Object> arguments) {
    return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(arguments).build());
  }

  /** A call that must succeed. */
  CallToolResult ok(String tool, Map<String, Object> arguments) {
    CallToolResult result = call(tool, arguments);
    assertTrue(!Boolean.TRUE.equals(result.isError()), tool + " failed: " + text(result));
    return result;
  }

  static String text(CallToolResult result) {
    return result.content().stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(c -> ((McpSchema.TextContent) c).text())
        .collect(Collectors.joining("\n"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> structured(CallToolResult result) {
    assertTrue(result.structuredContent() instanceof Map, "no structured content in " + result);
    return (Map<String, Object>) result.structuredContent();
  }

  /** Waits (bounded) for a finish notification that names the task, and returns its text. */
  String awaitNotification(Predicate<String> matches, String what) {
    String[] found = new String[1];
    Pids.await(
        () -> {
          for (LoggingMessageNotification n : notifications) {
            if ("execpool".equals(n.logger()) && n.level() == McpSchema.LoggingLevel.INFO && matches.test(n.data())) {
              found[0] = n.data();
              return true;
            }
          }
          return false;
        },
        BOUND,
        what);
    return found[0];
  }

  /** Closes stdin the way a client does, then waits for the server process to be gone. */
  @Override
  public void close() {
    try {
      client.closeGracefully();
    } finally {
      try {
        server.onExit().get(BOUND.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.destroyForcibly();
      } catch (Exception e) {
        server.destroyForcibly();
        throw new AssertionError("the server process " + server.pid() + " did not exit after the client closed", e);
      }
    }
  }
}
