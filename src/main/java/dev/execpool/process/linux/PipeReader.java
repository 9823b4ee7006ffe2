package dev.execpool.process.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.execpool.process.Stages;
import java.io.IOException;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * Moves one pipe into its stream queue, a chunk per readiness event, on the {@link EpollLoop}'s
 * thread. The watch is re-armed only when the queue has taken the chunk: a stream that falls behind
 * stops the reads, so at most the queue's buffer is in flight. When the stream is gone (its backstop
 * timeout failed it) the pipe is closed and the writer gets SIGPIPE, as a writer to a closed reader
 * should.
 *
 * <p>Each chunk costs a round trip to the stream and back, so a task that floods its pipe (a read
 * finds the default 64 KiB pipe full) gets its pipe enlarged to {@link #FLOOD_PIPE_BYTES}: 16 times
 * fewer round trips for the same bytes. Only floods get it: the kernel caps the pipe memory of a
 * user ({@code pipe-user-pages-soft}) and the enlargement simply fails once that is reached.
 */
final class PipeReader implements EpollLoop.Watch {
  private static final LibC libc = LibC.INSTANCE;

  private final EpollLoop loop;
  private final int fd;
  /** The pipe size a flooding task gets, and so the most one read can take. */
  static final int FLOOD_PIPE_BYTES = 1 << 20;
  private static final int DEFAULT_PIPE_BYTES = 1 << 16;

  private final SourceQueueWithComplete<ByteString> queue;
  private boolean enlarged; // touched on the loop's thread only
  /** The loop's one read buffer: reads happen on its thread only, one at a time. */
  private final Memory buffer;

  private PipeReader(EpollLoop loop, int fd, SourceQueueWithComplete<ByteString> queue, Memory buffer) {
    this.loop = loop;
    this.fd = fd;
    this.queue = queue;
    this.buffer = buffer;
  }

  static void start(EpollLoop loop, int fd, SourceQueueWithComplete<ByteString> queue, Memory buffer) {
    long id = loop.add(fd, new PipeReader(loop, fd, queue, buffer));
    Stages.plain(queue.watchCompletion()).whenComplete((done, failure) -> {
      if (failure != null) {
        loop.closeLater(id);
      }
    });
  }

  @Override
  public void onReady(long id) {
    long n;
    try {
      n = libc.read(fd, buffer, buffer.size());
    } catch (LastErrorException e) {
      if (e.getErrorCode() == LibC.EAGAIN || e.getErrorCode() == LibC.EINTR) {
        loop.rearm(id);
      } else {
        loop.closeLater(id);
        queue.fail(new IOException("reading the pipe failed: " + libc.strerror(e.getErrorCode())));
      }
      return;
    }
    if (n == 0) {
      loop.closeLater(id);
      queue.complete();
      return;
    }
    if (n >= DEFAULT_PIPE_BYTES && !enlarged) {
      enlarged = true;
      try {
        libc.fcntl(fd, LibC.F_SETPIPE_SZ, FLOOD_PIPE_BYTES);
      } catch (LastErrorException e) {
        // EPERM past the user's pipe memory cap, or EBUSY: the pipe keeps its size, which is fine.
      }
    }
    ByteString chunk = ByteString.fromArrayUnsafe(buffer.getByteArray(0, (int) n));
    Stages.plain(queue.offer(chunk)).whenComplete((result, failure) -> {
      if (failure == null && QueueOfferResult.enqueued().equals(result)) {
        loop.rearm(id);
      } else {
        loop.closeLater(id);
      }
    });
  }

  @Override
  public void abandon(long id) {
    queue.fail(new IllegalStateException("the process event loop stopped while the pipe was open"));
  }
}
