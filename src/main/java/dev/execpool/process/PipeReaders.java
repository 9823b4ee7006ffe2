package dev.execpool.process;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * Reads a started process's stdout and stderr to their real ends, into two stream queues: until
 * every process holding a pipe's write end has closed it, not merely until the shell exits.
 *
 * <p>Why this is not {@code StreamConverters.fromInputStream}: when the JDK sees its child exit, its
 * reaper thread drains what is buffered in the pipes and closes them ({@code
 * ProcessPipeInputStream.processExited}), so anything a background job of the command writes
 * afterwards is lost, and the job gets SIGPIPE. That call is synchronized on the stream, and the
 * reaper closes stdout before stderr. So the thread that started the process takes stdout's monitor
 * at once and holds it until both pipes reach EOF: the JDK's close waits, and the pool decides when
 * the pipes end (by killing what still holds them). A pull-based source cannot do this: it reads on
 * whichever thread the stream runs next, and a monitor cannot be held across threads.
 *
 * <p>{@link JdkLauncher#launch} takes the monitor the instant {@code ProcessBuilder.start()}
 * returns, before anything else can load or run, and calls this while holding it (taking it again
 * here is re-entrant). The one gap is those few instructions, while the shell is still starting.
 */
public final class PipeReaders {
  private PipeReaders() {}

  /**
   * Call on an I/O thread right after the process started. Runs {@code onLocked} once the pipes are
   * held, then blocks until both are read to EOF (or their queues are gone). stderr is read on a
   * second thread of {@code io}. Completes both queues, normally or with the read's failure.
   */
  public static void readBoth(
      Process process,
      SourceQueueWithComplete<ByteString> stdout,
      SourceQueueWithComplete<ByteString> stderr,
      int chunkBytes,
      Executor io,
      Runnable onLocked) {
    InputStream out = process.getInputStream();
    synchronized (out) {
      CompletableFuture<Void> errDone =
          CompletableFuture.runAsync(() -> pump(process.getErrorStream(), chunkBytes, stderr), io);
      onLocked.run();
      pump(out, chunkBytes, stdout);
      errDone.join();
    }
  }

  private static void pump(InputStream pipe, int chunkBytes, SourceQueueWithComplete<ByteString> queue) {
    byte[] buffer = new byte[chunkBytes];
    try (pipe) {
      for (int n = pipe.read(buffer); n >= 0; n = pipe.read(buffer)) {
        if (n > 0) {
          // Waits while the stream is behind: at most the queue's buffer is in flight.
          queue.offer(ByteString.fromArray(buffer, 0, n)).toCompletableFuture().join();
        }
      }
      queue.complete();
    } catch (IOException | CompletionException | IllegalStateException e) {
      // The read failed, or the stream is gone (failed by its backstop timeout): stop reading.
      queue.fail(e);
    }
  }
}
