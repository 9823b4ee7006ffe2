package dev.execpool.mcp;

import static dev.execpool.mcp.McpSession.BOUND;
import static dev.execpool.mcp.McpSession.structured;
import static dev.execpool.mcp.McpSession.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.execpool.Pids;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as an MCP server, driven by the SDK's own client over stdio. One server serves the
 * class (a cold start costs about a second); the disconnect test starts its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpServerIT {
  private McpSession mcp;
  private final List<Long> started = new ArrayList<>();
  @TempDir Path tmp;

  @BeforeAll
  void startServer() {
    mcp = McpSession.start("--default-timeout", "60s");
  }

  @AfterAll
  void stopServer() {
    try {
      mcp.close();
    } finally {
      Pids.killAll(started); // only if a test failed half-way: the server kills them itself
    }
  }

  @Test
  void listsTheSixTools() {
    Set<String> names = mcp.client.listTools().tools().stream().map(Tool::name).collect(Collectors.toSet());
    assertEquals(Set.of("exec", "exec_output", "exec_wait", "exec_collect", "exec_kill", "exec_list"), names);
  }

  @Test
  void execAnswersWithTheResultWhenTheCommandEndsWithinItsYield() {
    CallToolResult result = mcp.ok("exec", Map.of("command", "echo hi; echo oops >&2; exit 3", "yield_ms", 20_000));
    String text = text(result);
    assertTrue(text.contains("finished: EXITED, exit code 3"), text);
    assertTrue(text.contains("hi\n") && text.contains("oops\n"), text);
    Map<String, Object> s = structured(result);
    assertEquals(3, ((Number) s.get("exit_code")).intValue());
    assertEquals("hi\n", s.get("stdout"));
    assertEquals("oops\n", s.get("stderr"));
  }

  @Test
  void slowCommandYieldsATaskIdThenOutputWaitAndANotification() {
    CallToolResult first =
        mcp.ok("exec", Map.of("command", "echo started; sleep 2; echo finished", "yield_ms", 100));
    assertTrue(text(first).contains("still running"), text(first));
    String taskId = (String) structured(first).get("task_id");

    // exec_output while it runs: poll until the first line is there (the loop requires running).
    String[] seen = new String[1];
    Pids.await(
        () -> {
          Map<String, Object> chunk = structured(mcp.ok("exec_output", Map.of("task_id", taskId)));
          seen[0] = (String) chunk.get("stdout");
          return seen[0].contains("started") && Boolean.TRUE.equals(chunk.get("running"));
        },
        BOUND,
        "exec_output to show 'started' while the task runs");
    Map<String, Object> chunk = structured(mcp.ok("exec_output", Map.of("task_id", taskId)));
    long offset = ((Number) chunk.get("stdout_offset")).longValue();
    assertTrue(offset >= "started\n".length(), "offset " + offset);

    CallToolResult waited = mcp.ok("exec_wait", Map.of("task_id", taskId, "wait_ms", 20_000));
    assertTrue(text(waited).contains("finished: EXITED, exit code 0"), text(waited));
    assertEquals("started\nfinished\n", structured(waited).get("stdout"));

    String note = mcp.awaitNotification(n -> n.contains("task " + taskId + " finished"), "the finish notification");
    assertTrue(note.contains("EXITED, exit code 0"), note);

    // exec_wait handed the result over: it is not delivered again.
    CallToolResult again = mcp.call("exec_collect", Map.of("task_id", taskId));
    assertTrue(Boolean.TRUE.equals(again.isError()), text(again));
    assertTrue(text(again).contains("no task " + taskId), text(again));
  }

  @Test
  void collectDeliversEachResultExactlyOnce() {
    String taskId = (String) structured(mcp.ok("exec", Map.of("command", "echo collected-once", "yield_ms", 0))).get("task_id");
    mcp.awaitNotification(n -> n.contains("task " + taskId + " finished"), "the finish of " + taskId);

    CallToolResult all = mcp.ok("exec_collect", Map.of());
    assertTrue(text(all).contains("task " + taskId + " finished: EXITED, exit code 0"), text(all));
    assertTrue(text(all).contains("collected-once"), text(all));

    CallToolResult second = mcp.ok("exec_collect", Map.of());
    assertFalse(text(second).contains("task " + taskId + " finished"), text(second));
    assertTrue(Boolean.TRUE.equals(mcp.call("exec_collect", Map.of("task_id", taskId)).isError()));
  }

  @Test
  void killStopsTheCommandAndItsProcess() {
    Path pidFile = tmp.resolve("kill.pid");
    String taskId =
        (String) structured(mcp.ok("exec", Map.of("command", "echo $$ > " + pidFile + "; sleep 300", "yield_ms", 0)))
            .get("task_id");
    List<Long> pids = Pids.read(pidFile, 1, BOUND);
    started.addAll(pids);
    assertTrue(Pids.alive(pids.get(0)));

    CallToolResult killed = mcp.ok("exec_kill", Map.of("task_id", taskId));
    assertEquals(Boolean.TRUE, structured(killed).get("killed"), text(killed));
    Pids.awaitDead(pids, BOUND);

    CallToolResult result = mcp.ok("exec_wait", Map.of("task_id", taskId, "wait_ms", 20_000));
    assertTrue(text(result).contains("finished: KILLED"), text(result));
    assertEquals(Boolean.FALSE, structured(mcp.ok("exec_kill", Map.of("task_id", taskId))).get("killed"));
  }

  @Test
  void listShowsRunningTasks() {
    Path pidFile = tmp.resolve("list.pid");
    String taskId =
        (String) structured(mcp.ok("exec", Map.of("command", "echo $$ > " + pidFile + "; sleep 300", "yield_ms", 0)))
            .get("task_id");
    started.addAll(Pids.read(pidFile, 1, BOUND));
    String listed = text(mcp.ok("exec_list", Map.of()));
    assertTrue(listed.contains(taskId + ": running"), listed);
    mcp.ok("exec_kill", Map.of("task_id", taskId));
    mcp.ok("exec_wait", Map.of("task_id", taskId, "wait_ms", 20_000));
  }

  @Test
  void badArgumentsAreToolErrorsThatNameTheProblem() {
    assertToolError(Map.of("command", "echo x", "timeout_seconds", 0), "timeout_seconds must be between 1 and 7200");
    assertToolError(Map.of("command", "echo x", "yield_ms", -5), "yield_ms must be between 0 and 300000");
    assertToolError(Map.of("command", "  "), "command must not be blank");
    assertToolError(Map.of("command", "echo x", "cwd", "/no/such/dir"), "is not an existing directory");
    assertToolError(Map.of("timeout_seconds", 5), "command");

    CallToolResult unknown = mcp.call("exec_output", Map.of("task_id", "task-999999"));
    assertTrue(Boolean.TRUE.equals(unknown.isError()));
    assertTrue(text(unknown).contains("no task task-999999"), text(unknown));

    CallToolResult badId = mcp.call("exec_kill", Map.of("task_id", "../etc"));
    assertTrue(Boolean.TRUE.equals(badId.isError()));
    assertTrue(text(badId).contains("taskId '../etc' has a character outside"), text(badId));

    // ...and the server goes on answering.
    assertTrue(text(mcp.ok("exec", Map.of("command", "echo still-here", "yield_ms", 20_000))).contains("still-here"));
  }

  private void assertToolError(Map<String, Object> arguments, String expected) {
    CallToolResult result = mcp.call("exec", arguments);
    assertTrue(Boolean.TRUE.equals(result.isError()), "not an error: " + text(result));
    assertTrue(text(result).contains(expected), "'" + text(result) + "' does not say '" + expected + "'");
  }

  @Test
  void closingTheClientKillsRunningTasksAndTheServerExits() {
    McpSession own = McpSession.start();
    List<Long> pids = new ArrayList<>();
    try {
      // One pid file per task: two commands appending to one file could race with its creation.
      for (String name : List.of("first.pid", "second.pid")) {
        Path pidFile = tmp.resolve(name);
        own.ok("exec", Map.of("command", "echo $$ > " + pidFile + "; sleep 300", "yield_ms", 0));
        pids.addAll(Pids.read(pidFile, 1, BOUND));
      }
      started.addAll(pids);
      pids.forEach(pid -> assertTrue(Pids.alive(pid), "task process " + pid + " is not running"));
    } finally {
      own.close(); // closes the server's stdin and waits (bounded) for the process to end
    }
    assertFalse(own.server.isAlive());
    Pids.awaitDead(pids, BOUND);
  }
}
