package dev.execpool.bench;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * NuProcess 3.0.0: asynchronous, its own epoll thread(s) call the handler; no thread per task.
 * Output is captured in full like the other peers.
 */
final class NuProcessContender implements Contender {
  @Override
  public CompletionStage<TaskOutcome> run(String command) {
    CompletableFuture<TaskOutcome> done = new CompletableFuture<>();
    NuProcessBuilder builder = new NuProcessBuilder(List.of("sh", "-c", command));
    builder.setProcessListener(new Handler(done));
    NuProcess process = builder.start();
    if (process == null) {
      done.completeExceptionally(new IllegalStateException("NuProcess could not start sh"));
    } else {
      process.closeStdin(true);
    }
    return done;
  }

  @Override
  public void close() {
    // NuProcess's threads are its own daemons; nothing to release.
  }

  /** Called by NuProcess's processing thread, one call at a time per process. */
  private static final class Handler extends NuAbstractProcessHandler {
    private final CompletableFuture<TaskOutcome> done;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    Handler(CompletableFuture<TaskOutcome> done) {
      this.done = done;
    }

    @Override
    public void onStdout(ByteBuffer buffer, boolean closed) {
      copy(buffer, out);
    }

    @Override
    public void onStderr(ByteBuffer buffer, boolean closed) {
      copy(buffer, err);
    }

    @Override
    public void onExit(int exitCode) {
      done.complete(new TaskOutcome(exitCode, out.size(), Capture.head(out)));
    }

    private static void copy(ByteBuffer buffer, ByteArrayOutputStream to) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      to.write(bytes, 0, bytes.length);
    }
  }
}
