package dev.execpool.demo;

import com.typesafe.config.ConfigFactory;
import dev.execpool.ExecPool;
import dev.execpool.ExecRequest;
import dev.execpool.ExecResult;
import dev.execpool.PoolStats;
import dev.execpool.Submitted;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The README's first command: two agent sessions hand the pool work, keep going, and collect results
 * over several turns. Prints a transcript to stdout (this is an application, not the library).
 */
public final class Demo {
  private final PrintStream out;
  private final ExecPool pool;
  private final Set<String> outstanding = new LinkedHashSet<>();

  private Demo(PrintStream out, ExecPool pool) {
    this.out = out;
    this.pool = pool;
  }

  public static void main(String[] args) throws Exception {
    var config =
        ConfigFactory.parseString("execpool { max-concurrent = 2, kill-grace = 1s }")
            .withFallback(ConfigFactory.load());
    try (ExecPool pool = ExecPool.start(config)) {
      new Demo(System.out, pool).run();
    }
  }

  private void run() throws Exception {
    out.println("execpool demo: max-concurrent = 2, two sessions (alice, bob)\n");
    out.println("== turn 1: alice and bob hand the pool their commands and go on working");
    submit(ExecRequest.of("alice", "echo compiling...; sleep 1; echo compiled 3 files").withToolCallId("call_build"));
    submit(ExecRequest.of("alice", "ls /no/such/dir").withToolCallId("call_ls"));
    submit(
        ExecRequest.of("alice", "echo 'step 1 done'; sleep 30; echo 'never printed'")
            .withToolCallId("call_slow")
            .withTimeout(Duration.ofSeconds(2)));
    for (int i = 1; i <= 3; i++) {
      submit(ExecRequest.of("bob", "sleep 0.3; echo bob result " + i).withToolCallId("call_bob_" + i));
    }
    printStats();

    for (int turn = 2; !outstanding.isEmpty() && turn < 30; turn++) {
      TimeUnit.MILLISECONDS.sleep(700); // the agents think between turns
      out.println("\n== turn " + turn + ": collecting finished results");
      collect("alice");
      collect("bob");
      printStats();
    }
    out.println("\nall results collected; closing the pool (no process is left behind)");
  }

  private void submit(ExecRequest request) throws Exception {
    Submitted submitted = pool.spawn(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    outstanding.add(submitted.taskId());
    out.printf(
        "  %-5s spawn %-50s -> task %s… %s%n",
        request.sessionKey(),
        "'" + request.command() + "'",
        submitted.taskId().substring(0, 8),
        submitted.state());
  }

  private void collect(String session) throws Exception {
    List<ExecResult> results =
        new ArrayList<>(pool.collectPending(session).toCompletableFuture().get(10, TimeUnit.SECONDS));
    if (results.isEmpty()) {
      out.println("  " + session + ": nothing new yet");
    }
    for (ExecResult r : results) {
      outstanding.remove(r.taskId());
      out.printf(
          "  %s: %s (%s) %s exit=%s in %d ms%n",
          session, r.taskId().substring(0, 8), r.toolCallId(), r.outcome(), r.exitCode(), r.duration().toMillis());
      print("stdout", r.stdout());
      print("stderr", r.stderr());
      if (!r.message().isEmpty()) {
        out.println("      message: " + r.message());
      }
    }
  }

  private void print(String label, String text) {
    if (!text.isEmpty()) {
      out.println("      " + label + ": " + text.strip().replace("\n", "\n              "));
    }
  }

  private void printStats() throws Exception {
    PoolStats stats = pool.stats().toCompletableFuture().get(10, TimeUnit.SECONDS);
    out.printf(
        "  pool: %d running, %d queued, %d waiting to be collected%n",
        stats.running(), stats.queued(), stats.pending());
  }
}
