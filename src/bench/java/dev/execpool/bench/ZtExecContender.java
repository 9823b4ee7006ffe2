package dev.execpool.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;

/**
 * zt-exec 1.13.0 as its README shows it: a blocking execute() per task, on a pool of C threads;
 * zt-exec pumps both streams on threads of its own.
 */
final class ZtExecContender implements Contender {
  private final ExecutorService tasks;

  ZtExecContender(int concurrency) {
    this.tasks = Executors.newFixedThreadPool(concurrency, Threads.named("zt-task"));
  }

  @Override
  public CompletionStage<TaskOutcome> run(String command) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ProcessResult result =
                new ProcessExecutor()
                    .command("sh", "-c", command)
                    .readOutput(true)
                    .redirectError(err)
                    .execute();
            byte[] out = result.output();
            String head = new String(out, 0, Math.min(64, out.length), StandardCharsets.UTF_8);
            return new TaskOutcome(result.getExitValue(), out.length, head);
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
