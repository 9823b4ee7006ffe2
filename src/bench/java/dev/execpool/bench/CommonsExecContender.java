package dev.execpool.bench;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * Apache Commons Exec 1.6.0 as documented: a DefaultExecutor with a PumpStreamHandler into byte
 * arrays, a blocking execute() per task on a pool of C threads (the pumps run on threads of its own).
 */
final class CommonsExecContender implements Contender {
  private final ExecutorService tasks;

  CommonsExecContender(int concurrency) {
    this.tasks = Executors.newFixedThreadPool(concurrency, Threads.named("ce-task"));
  }

  @Override
  public CompletionStage<TaskOutcome> run(String command) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            DefaultExecutor executor = DefaultExecutor.builder().get();
            executor.setStreamHandler(new PumpStreamHandler(out, err));
            executor.setExitValues(null); // report any exit code rather than throw
            // handleQuoting=false: hand the command to sh as one argument, untouched.
            CommandLine line = new CommandLine("sh").addArgument("-c").addArgument(command, false);
            int code = executor.execute(line);
            return new TaskOutcome(code, out.size(), Capture.head(out));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        tasks);
  }

  @Override
  public void close() {
    tasks.shutdownNow();
  }
}
