package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.execpool.process.OutputCapture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputStreamsTest {
  private final ActorTestKit testKit = ActorTestKit.create();
  private final Materializer materializer = Materializer.matFromSystem(testKit.system());

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void eachPipeReachesItsOwnCaptureAndTheStreamEndsWithTheLastPipe() throws Exception {
    OutputCapture out = new OutputCapture(1024);
    OutputCapture err = new OutputCapture(1024);
    OutputStreams streams = new OutputStreams(out, err, Duration.ofMinutes(1), materializer);

    assertEquals(QueueOfferResult.enqueued(), await(streams.stdout().offer(ByteString.fromString("out"))));
    assertEquals(QueueOfferResult.enqueued(), await(streams.stderr().offer(ByteString.fromString("err"))));
    streams.stdout().complete();
    streams.stdout().complete(); // twice from one pipe must not end the other's
    CompletableFuture<?> done = streams.done().toCompletableFuture();
    assertEquals(QueueOfferResult.enqueued(), await(streams.stderr().offer(ByteString.fromString(" more"))));
    assertFalse(done.isDone(), "stderr is still open");
    streams.stderr().complete();

    done.get(5, TimeUnit.SECONDS);
    assertEquals("out", out.text());
    assertEquals("err more", err.text());
  }

  @Test
  void aFailedPipeFailsTheStream() {
    OutputStreams streams =
        new OutputStreams(new OutputCapture(1024), new OutputCapture(1024), Duration.ofMinutes(1), materializer);

    streams.stderr().fail(new IllegalStateException("read failed"));

    ExecutionException error =
        assertThrows(ExecutionException.class, () -> streams.done().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals("read failed", error.getCause().getMessage());
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
