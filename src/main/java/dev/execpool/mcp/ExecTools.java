package dev.execpool.mcp;

import dev.execpool.ExecPool;
import dev.execpool.ExecPoolSettings;
import dev.execpool.ExecRejectedException;
import dev.execpool.ExecRequest;
import dev.execpool.ExecResult;
import dev.execpool.OutputChunk;
import dev.execpool.SpawnOutcome;
import dev.execpool.TaskInfo;
import dev.execpool.TaskState;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The six MCP tools over one session of the pool: their names, descriptions and JSON schemas, and
 * handlers that turn a call into facade calls and the answer into a {@link CallToolResult}. The SDK
 * runs handlers off its transport thread, so a handler may wait (bounded) for the pool's answer.
 * Every refusal (bad argument, pool full, unknown task) is a tool error naming the problem; no
 * exception escapes to the transport.
 */
final class ExecTools {
  private static final Logger LOG = LoggerFactory.getLogger(ExecTools.class);

  private final ExecPool pool;
  private final String sessionKey;
  private final FinishNotifier notifier;
  private final McpSettings mcp;
  private final ExecPoolSettings settings;
  /** Short ids ("task-1", "task-2"...) read better for a model than 32 hex digits. */
  private final AtomicLong taskCounter = new AtomicLong();

  ExecTools(ExecPool pool, String sessionKey, FinishNotifier notifier, McpSettings mcp) {
    this.pool = pool;
    this.sessionKey = sessionKey;
    this.notifier = notifier;
    this.mcp = mcp;
    this.settings = pool.settings();
  }

  List<SyncToolSpecification> specifications(McpJsonMapper mapper) {
    long maxTimeout = settings.maxTimeout().toSeconds();
    long maxWait = settings.maxAwait().toMillis();
    return List.of(
        tool(mapper, "exec",
            "Run a shell command (sh -c) in the background pool. If it ends within yield_ms, the answer is"
                + " its result (outcome, exit code, duration, stdout, stderr); otherwise the answer is its"
                + " task_id and the output so far while it keeps running: then use exec_output, exec_wait,"
                + " exec_collect or exec_kill. A notifications/message (logger 'execpool') is sent when a"
                + " task finishes.",
            "{\"type\":\"object\",\"properties\":{"
                + "\"command\":{\"type\":\"string\",\"description\":\"the shell command line\"},"
                + "\"cwd\":{\"type\":\"string\",\"description\":\"working directory (default: the server's)\"},"
                + "\"timeout_seconds\":{\"type\":\"integer\",\"description\":\"kill the command after this"
                + " many seconds, 1 to " + maxTimeout + " (default " + settings.defaultTimeout().toSeconds() + ")\"},"
                + "\"yield_ms\":{\"type\":\"integer\",\"description\":\"wait this long for the result"
                + " before answering with the task id, 0 to " + maxWait + " (default " + mcp.defaultYield().toMillis() + ")\"}"
                + "},\"required\":[\"command\"]}",
            this::exec),
        tool(mapper, "exec_output",
            "Read a task's output produced since the given byte offsets (0, 0 for all of it) without"
                + " consuming its result; pass back the offsets of the answer to read on.",
            "{\"type\":\"object\",\"properties\":{"
                + "\"task_id\":{\"type\":\"string\"},"
                + "\"stdout_offset\":{\"type\":\"integer\",\"description\":\"default 0\"},"
                + "\"stderr_offset\":{\"type\":\"integer\",\"description\":\"default 0\"}"
                + "},\"required\":[\"task_id\"]}",
            this::output),
        tool(mapper, "exec_wait",
            "Wait up to wait_ms for a task to finish. If it does, its result is returned (and counts as"
                + " collected); if not, the task keeps running.",
            "{\"type\":\"object\",\"properties\":{"
                + "\"task_id\":{\"type\":\"string\"},"
                + "\"wait_ms\":{\"type\":\"integer\",\"description\":\"1 to " + maxWait + " (default "
                + mcp.defaultWait().toMillis() + ")\"}"
                + "},\"required\":[\"task_id\"]}",
            this::await),
        tool(mapper, "exec_collect",
            "Collect finished results: all of this session's (oldest first), or one by task_id. Each result"
                + " is delivered once.",
            "{\"type\":\"object\",\"properties\":{"
                + "\"task_id\":{\"type\":\"string\",\"description\":\"omit to collect every finished task\"}"
                + "}}",
            this::collect),
        tool(mapper, "exec_kill",
            "Kill a queued or running task and its whole process tree (SIGTERM, then SIGKILL). Its result"
                + " (outcome KILLED, with the output so far) is then collected as usual.",
            "{\"type\":\"object\",\"properties\":{\"task_id\":{\"type\":\"string\"}},\"required\":[\"task_id\"]}",
            this::kill),
        tool(mapper, "exec_list",
            "List this session's tasks that are queued, running, or finished but not yet collected.",
            "{\"type\":\"object\",\"properties\":{}}",
            this::list));
  }

  private SyncToolSpecification tool(
      McpJsonMapper mapper, String name, String description, String schema, Function<ToolArgs, CallToolResult> handler) {
    McpSchema.Tool tool =
        McpSchema.Tool.builder(name, mapper, schema).description(description).build();
    return SyncToolSpecification.builder()
        .tool(tool)
        .callHandler((exchange, request) -> call(name, exchange, request, handler))
        .build();
  }

  private CallToolResult call(
      String name, McpSyncServerExchange exchange, CallToolRequest request, Function<ToolArgs, CallToolResult> handler) {
    notifier.remember(exchange);
    try {
      return handler.apply(new ToolArgs(request.arguments()));
    } catch (IllegalArgumentException | ExecRejectedException e) {
      return error(name + ": " + e.getMessage());
    } catch (PoolDidNotAnswer e) {
      return error(name + ": " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("tool {} failed", name, e);
      return error(name + " failed unexpectedly: " + e);
    }
  }

  // --- the tools --------------------------------------------------------------------------------

  private CallToolResult exec(ToolArgs args) {
    String command = args.requiredString("command");
    Optional<Path> cwd = args.optionalString("cwd").map(Path::of);
    long timeout = args.integer("timeout_seconds", 1, settings.maxTimeout().toSeconds(), 0);
    long yieldMs = args.integer("yield_ms", 0, settings.maxAwait().toMillis(), mcp.defaultYield().toMillis());
    ExecRequest request =
        ExecRequest.of(sessionKey, command)
            .withTaskId("task-" + taskCounter.incrementAndGet())
            .withCwd(cwd.map(Path::toAbsolutePath).orElse(null))
            .withTimeout(timeout == 0 ? null : Duration.ofSeconds(timeout));
    Duration yield = Duration.ofMillis(yieldMs);
    if (yieldMs == 0) {
      String taskId = get(pool.spawn(request), Duration.ZERO).taskId();
      OutputChunk soFar = get(pool.readOutput(sessionKey, taskId, 0, 0), Duration.ZERO);
      return running(taskId, soFar, yield);
    }
    SpawnOutcome outcome = get(pool.spawnAndWait(request, yield), yield);
    if (outcome instanceof SpawnOutcome.Finished finished) {
      return finished(finished.result());
    }
    SpawnOutcome.StillRunning running = (SpawnOutcome.StillRunning) outcome;
    return running(running.taskId(), running.outputSoFar(), yield);
  }

  private CallToolResult output(ToolArgs args) {
    String taskId = args.requiredString("task_id");
    long stdoutOffset = args.integer("stdout_offset", 0, Long.MAX_VALUE, 0);
    long stderrOffset = args.integer("stderr_offset", 0, Long.MAX_VALUE, 0);
    OutputChunk chunk = get(pool.readOutput(sessionKey, taskId, stdoutOffset, stderrOffset), Duration.ZERO);
    if (chunk.state() == TaskState.UNKNOWN) {
      return unknownTask(taskId);
    }
    return ok(ResultFormatter.chunk(chunk), ResultFormatter.chunkMap(chunk));
  }

  private CallToolResult await(ToolArgs args) {
    String taskId = args.requiredString("task_id");
    Duration wait =
        Duration.ofMillis(args.integer("wait_ms", 1, settings.maxAwait().toMillis(), mcp.defaultWait().toMillis()));
    Optional<ExecResult> result = get(pool.await(sessionKey, taskId, wait), wait);
    if (result.isPresent()) {
      return finished(result.get());
    }
    return notFinished(taskId, "after waiting " + ResultFormatter.seconds(wait));
  }

  private CallToolResult collect(ToolArgs args) {
    Optional<String> taskId = args.optionalString("task_id");
    if (taskId.isPresent()) {
      Optional<ExecResult> result = get(pool.collect(sessionKey, taskId.get()), Duration.ZERO);
      return result.isPresent() ? finished(result.get()) : notFinished(taskId.get(), "");
    }
    List<ExecResult> results = get(pool.collectPending(sessionKey), Duration.ZERO);
    if (results.isEmpty()) {
      return ok("no finished results to collect (exec_list shows what still runs)\n", Map.of("results", List.of()));
    }
    String text =
        results.size() + " finished result(s):\n\n"
            + results.stream().map(ResultFormatter::finished).collect(Collectors.joining("\n"));
    return ok(text, Map.of("results", results.stream().map(ResultFormatter::resultMap).toList()));
  }

  private CallToolResult kill(ToolArgs args) {
    String taskId = args.requiredString("task_id");
    boolean killed = get(pool.kill(sessionKey, taskId), Duration.ZERO);
    String text =
        killed
            ? "task " + taskId + " is being killed (its whole process tree); collect its result with exec_collect\n"
            : "task " + taskId + " was not running: it already finished (collect it with exec_collect) or"
                + " this session has no such task\n";
    Map<String, Object> structured = new LinkedHashMap<>();
    structured.put("task_id", taskId);
    structured.put("killed", killed);
    return ok(text, structured);
  }

  private CallToolResult list(ToolArgs args) {
    List<TaskInfo> tasks = get(pool.list(sessionKey), Duration.ZERO);
    return ok(ResultFormatter.list(tasks), Map.of("tasks", tasks.stream().map(ResultFormatter::infoMap).toList()));
  }

  // --- answers ----------------------------------------------------------------------------------

  /** The task did not deliver a result: still running, or unknown to this session. */
  private CallToolResult notFinished(String taskId, String when) {
    boolean running = get(pool.isRunning(sessionKey, taskId), Duration.ZERO);
    if (!running) {
      // It may have finished between the two asks: then its result is there to take.
      Optional<ExecResult> late = get(pool.collect(sessionKey, taskId), Duration.ZERO);
      return late.isPresent() ? finished(late.get()) : unknownTask(taskId);
    }
    String text =
        "task " + taskId + " is still running" + (when.isEmpty() ? "" : " " + when)
            + "; exec_wait waits for it, exec_output shows its output so far\n";
    Map<String, Object> structured = new LinkedHashMap<>();
    structured.put("task_id", taskId);
    structured.put("status", "running");
    structured.put("running", true);
    return ok(text, structured);
  }

  private CallToolResult running(String taskId, OutputChunk soFar, Duration waited) {
    Map<String, Object> structured = ResultFormatter.chunkMap(soFar);
    structured.put("task_id", taskId);
    return ok(ResultFormatter.stillRunning(taskId, soFar, waited), structured);
  }

  private static CallToolResult finished(ExecResult result) {
    return ok(ResultFormatter.finished(result), ResultFormatter.resultMap(result));
  }

  private static CallToolResult unknownTask(String taskId) {
    return error(
        "no task " + taskId + " in this session: it was never started here, or its result was already"
            + " collected (exec_list shows the tasks there are)");
  }

  private static CallToolResult ok(String text, Map<String, Object> structured) {
    return CallToolResult.builder().addTextContent(text).structuredContent(structured).isError(false).build();
  }

  private static CallToolResult error(String text) {
    return CallToolResult.builder().addTextContent(text).isError(true).build();
  }

  /** The pool's answer, waiting at most {@code expected} plus the pool's ask bound. */
  private <T> T get(CompletionStage<T> stage, Duration expected) {
    Duration bound = expected.plus(settings.askTimeout()).plusSeconds(1);
    try {
      return stage.toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException iae) {
        throw iae;
      }
      if (cause instanceof ExecRejectedException rejected) {
        throw rejected;
      }
      throw new PoolDidNotAnswer("the pool failed to answer: " + cause);
    } catch (TimeoutException e) {
      throw new PoolDidNotAnswer("the pool did not answer within " + ResultFormatter.seconds(bound));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PoolDidNotAnswer("interrupted while waiting for the pool");
    }
  }

  private static final class PoolDidNotAnswer extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PoolDidNotAnswer(String message) {
      super(message);
    }
  }
}
