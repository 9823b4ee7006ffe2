package dev.execpool.bench;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One way of running shell commands in the background: the pool, or a peer a user would pick
 * instead. The harness never lets more than the contender's concurrency run at once, so a contender
 * may rely on that (a blocking one sizes its thread pool by it).
 */
interface Contender extends AutoCloseable {
  /** Runs {@code sh -c command}; completes once it has exited and its output has been consumed. */
  CompletionStage<TaskOutcome> run(String command);

  /** Stops whatever the contender started (threads, pools, actor systems). */
  @Override
  void close();

  /** What the harness checks of every task: that it really ran, and really delivered its output. */
  record TaskOutcome(int exitCode, long stdoutBytes, String stdoutHead) {}

  /** The contenders by name, each sized for {@code concurrency} tasks at once. */
  static Contender create(String name, int concurrency) {
    return switch (name) {
      case "execpool" -> new ExecPoolContender(concurrency);
      // The pool on its portable launcher: the before of the native-launcher tuning step, same run.
      case "execpool-jdk" -> new ExecPoolContender(concurrency, Map.of("execpool.launcher", "jdk"));
      case "processbuilder" -> new ProcessBuilderContender(concurrency);
      case "zt-exec" -> new ZtExecContender(concurrency);
      case "commons-exec" -> new CommonsExecContender(concurrency);
      case "nuprocess" -> new NuProcessContender();
      default -> throw new IllegalArgumentException("unknown contender " + name);
    };
  }
}
