package dev.execpool.mcp;

import dev.execpool.ExecResult;
import dev.execpool.OutputChunk;
import dev.execpool.TaskEvent;
import dev.execpool.TaskInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the pool's answers for a model: the facts first (outcome, exit code, duration), then the
 * output in labelled blocks, then notes and the next step to take. Also gives each answer as a
 * plain map, sent as MCP structured content for clients that read JSON rather than text.
 */
final class ResultFormatter {
  private ResultFormatter() {}

  static String finished(ExecResult r) {
    StringBuilder out = new StringBuilder();
    out.append("task ").append(r.taskId()).append(" finished: ").append(outcomeLine(r.outcome().name(), r.exitCode()));
    out.append(", in ").append(seconds(r.duration())).append('\n');
    out.append("command: ").append(r.command()).append('\n');
    block(out, "stdout", r.stdout(), r.stdoutBytes());
    block(out, "stderr", r.stderr(), r.stderrBytes());
    if (r.message() != null && !r.message().isEmpty()) {
      out.append("note: ").append(r.message()).append('\n');
    }
    return out.toString();
  }

  static String stillRunning(String taskId, OutputChunk soFar, Duration waited) {
    StringBuilder out = new StringBuilder();
    String state = soFar.state().name().toLowerCase(Locale.ROOT);
    if (waited.isZero()) {
      out.append("task ").append(taskId).append(" is ").append(state).append(" in the background.\n");
    } else {
      out.append("task ").append(taskId).append(" is still ").append(state);
      out.append(" after ").append(seconds(waited)).append("; it goes on in the background.\n");
    }
    appendChunk(out, soFar);
    out.append(nextSteps(taskId, soFar));
    return out.toString();
  }

  static String chunk(OutputChunk chunk) {
    StringBuilder out = new StringBuilder();
    out.append("task ").append(chunk.taskId()).append(" is ").append(chunk.state().name().toLowerCase(Locale.ROOT));
    out.append(chunk.running() ? "\n" : " (collect its result with exec_collect)\n");
    appendChunk(out, chunk);
    out.append("next offsets: stdout_offset=").append(chunk.stdoutOffset());
    out.append(", stderr_offset=").append(chunk.stderrOffset()).append('\n');
    return out.toString();
  }

  static String list(List<TaskInfo> tasks) {
    if (tasks.isEmpty()) {
      return "no tasks: nothing queued, running or waiting to be collected in this session\n";
    }
    StringBuilder out = new StringBuilder(tasks.size() + " task(s):\n");
    for (TaskInfo t : tasks) {
      out.append("- ").append(t.taskId()).append(": ").append(t.state().name().toLowerCase(Locale.ROOT));
      if (t.outcome() != null) {
        out.append(" (").append(outcomeLine(t.outcome().name(), t.exitCode())).append(')');
      }
      out.append(", ").append(seconds(t.elapsed()));
      out.append(", ").append(t.stdoutBytes()).append(" B stdout, ").append(t.stderrBytes()).append(" B stderr");
      out.append(", command: ").append(t.command()).append('\n');
    }
    return out.toString();
  }

  static String finishNotice(TaskEvent.TaskFinished f) {
    // exec or exec_wait may already have returned the result: the notice says so rather than
    // sending the model to collect something that is gone.
    return "task " + f.taskId() + " finished: " + outcomeLine(f.outcome().name(), f.exitCode())
        + "; exec_collect returns its result unless exec or exec_wait already did";
  }

  static Map<String, Object> resultMap(ExecResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task_id", r.taskId());
    m.put("status", "finished");
    m.put("outcome", r.outcome().name());
    m.put("exit_code", r.exitCode());
    m.put("duration_ms", r.duration().toMillis());
    m.put("command", r.command());
    m.put("stdout", r.stdout());
    m.put("stderr", r.stderr());
    m.put("stdout_bytes", r.stdoutBytes());
    m.put("stderr_bytes", r.stderrBytes());
    m.put("stdout_truncated", r.stdoutTruncated());
    m.put("stderr_truncated", r.stderrTruncated());
    m.put("message", r.message() == null ? "" : r.message());
    return m;
  }

  static Map<String, Object> chunkMap(OutputChunk c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task_id", c.taskId());
    m.put("status", c.state().name().toLowerCase(Locale.ROOT));
    m.put("running", c.running());
    m.put("stdout", c.stdout());
    m.put("stderr", c.stderr());
    m.put("stdout_offset", c.stdoutOffset());
    m.put("stderr_offset", c.stderrOffset());
    m.put("stdout_skipped", c.stdoutSkipped());
    m.put("stderr_skipped", c.stderrSkipped());
    return m;
  }

  static Map<String, Object> infoMap(TaskInfo t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task_id", t.taskId());
    m.put("status", t.state().name().toLowerCase(Locale.ROOT));
    m.put("command", t.command());
    m.put("elapsed_ms", t.elapsed().toMillis());
    m.put("stdout_bytes", t.stdoutBytes());
    m.put("stderr_bytes", t.stderrBytes());
    m.put("outcome", t.outcome() == null ? null : t.outcome().name());
    m.put("exit_code", t.exitCode());
    return m;
  }

  private static String outcomeLine(String outcome, Integer exitCode) {
    return exitCode == null ? outcome : outcome + ", exit code " + exitCode;
  }

  private static void block(StringBuilder out, String label, String text, long totalBytes) {
    if (text.isEmpty()) {
      out.append(label).append(": (empty)\n");
      return;
    }
    out.append("--- ").append(label).append(" (").append(totalBytes).append(" bytes) ---\n");
    out.append(text);
    if (!text.endsWith("\n")) {
      out.append('\n');
    }
    out.append("--- end of ").append(label).append(" ---\n");
  }

  private static void appendChunk(StringBuilder out, OutputChunk c) {
    if (c.stdoutSkipped() > 0) {
      out.append("note: ").append(c.stdoutSkipped()).append(" bytes of stdout were dropped (output cap) before this\n");
    }
    if (c.stderrSkipped() > 0) {
      out.append("note: ").append(c.stderrSkipped()).append(" bytes of stderr were dropped (output cap) before this\n");
    }
    newOutput(out, "stdout", c.stdout());
    newOutput(out, "stderr", c.stderr());
  }

  private static void newOutput(StringBuilder out, String label, String text) {
    if (text.isEmpty()) {
      out.append(label).append(": (nothing new)\n");
      return;
    }
    out.append("--- ").append(label).append(" ---\n").append(text);
    if (!text.endsWith("\n")) {
      out.append('\n');
    }
    out.append("--- end of ").append(label).append(" ---\n");
  }

  private static String nextSteps(String taskId, OutputChunk c) {
    return "next: exec_output {\"task_id\": \"" + taskId + "\", \"stdout_offset\": " + c.stdoutOffset()
        + ", \"stderr_offset\": " + c.stderrOffset() + "} for new output, exec_wait to wait for it, "
        + "exec_kill to stop it; a notifications/message is sent when it finishes, then exec_collect "
        + "returns its result\n";
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3f s", d.toMillis() / 1000.0);
  }
}
