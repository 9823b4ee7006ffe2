package dev.execpool;

import dev.execpool.process.OutputCapture;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * A task's output: one stream for both pipes, a queue fed by the launcher's readers into the two
 * bounded captures. One stream rather than one per pipe because materializing a stream (an actor
 * and its interpreter) was the largest single CPU cost of a short task (a quarter of W1's samples
 * at C=4, JFR). The readers see a queue each ({@link #stdout}, {@link #stderr}); the stream ends
 * when both have completed, and fails when either fails.
 *
 * <p>The completion timeout is a backstop only: the deadline belongs to the task runner, which
 * stops the tree and so closes the pipes; the backstop ends the stream should a process outside the
 * tree keep a pipe open forever.
 */
final class OutputStreams {
  /** Chunks each pipe's reader may run ahead of the captures: enough to keep the pipes moving. */
  private static final int CHUNKS_PER_PIPE = 4;

  private record Chunk(boolean stderr, ByteString bytes) {}

  private final SourceQueueWithComplete<Chunk> queue;
  private final CompletionStage<Done> done;
  private final AtomicInteger openPipes = new AtomicInteger(2);
  private final SourceQueueWithComplete<ByteString> stdout = new PipeQueue(false);
  private final SourceQueueWithComplete<ByteString> stderr = new PipeQueue(true);

  OutputStreams(OutputCapture stdoutCapture, OutputCapture stderrCapture, Duration backstop, Materializer materializer) {
    // Two offers may be pending at once: one per pipe, each reader waiting for its own.
    Pair<SourceQueueWithComplete<Chunk>, CompletionStage<Done>> materialized =
        Source.<Chunk>queue(2 * CHUNKS_PER_PIPE, OverflowStrategy.backpressure(), 2)
            .completionTimeout(backstop)
            .toMat(
                Sink.foreach(chunk -> (chunk.stderr() ? stderrCapture : stdoutCapture).append(chunk.bytes().toArrayUnsafe())),
                Keep.both())
            .run(materializer);
    this.queue = materialized.first();
    this.done = materialized.second();
  }

  SourceQueueWithComplete<ByteString> stdout() {
    return stdout;
  }

  SourceQueueWithComplete<ByteString> stderr() {
    return stderr;
  }

  /** Completes once every byte of both pipes is in the captures; fails if the stream failed. */
  CompletionStage<Done> done() {
    return done;
  }

  /** One pipe's view of the shared queue. */
  private final class PipeQueue implements SourceQueueWithComplete<ByteString> {
    private final boolean isStderr;
    private final AtomicBoolean completed = new AtomicBoolean();

    PipeQueue(boolean isStderr) {
      this.isStderr = isStderr;
    }

    @Override
    public CompletionStage<QueueOfferResult> offer(ByteString bytes) {
      return queue.offer(new Chunk(isStderr, bytes));
    }

    @Override
    public void complete() {
      if (completed.compareAndSet(false, true) && openPipes.decrementAndGet() == 0) {
        queue.complete();
      }
    }

    @Override
    public void fail(Throwable failure) {
      queue.fail(failure);
    }

    @Override
    public CompletionStage<Done> watchCompletion() {
      return queue.watchCompletion();
    }
  }
}
