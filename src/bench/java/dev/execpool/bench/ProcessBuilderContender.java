package dev.execpool.bench;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The baseline every ratio is against: what a user writes by hand. A thread pool of size C runs
 * each task (start, read stdout on the task's thread, waitFor), and a cached pool of reader threads
 * drains stderr so that neither pipe can fill up and stall the command.
 */
final class ProcessBuilderContender implements Contender {
  private static final File NULL = new File("/dev/null");
  private final ExecutorService tasks;
  private final ExecutorService readers = Executors.newCachedThreadPool(Threads.named("pb-reader"));

  ProcessBuilderContender(int concurrency) {
    this.tasks = Executors.newFixedThreadPool(concurrency, Threads.named("pb-task"));
  }

  @Override
  public CompletionStage<TaskOutcome> run(String command) {
    return CompletableFuture.supplyAsync(() -> runHere(command), tasks);
  }

  private TaskOutcome runHere(String command) {
    try {
      Process process =
          new ProcessBuilder("sh", "-c", command).redirectInput(ProcessBuilder.Redirect.from(NULL)).start();
      CompletableFuture<ByteArrayOutputStream> err =
          CompletableFuture.supplyAsync(() -> Capture.readAll(process.getErrorStream()), readers);
      ByteArrayOutputStream out = Capture.readAll(process.getInputStream());
      int code = process.waitFor();
      err.join();
      return new TaskOutcome(code, out.size(), Capture.head(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    tasks.shutdownNow();
    readers.shutdownNow();
  }
}
