package dev.execpool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

class StagesTest {

  @Test
  void dependentsRunOnTheCompletingThreadNotAnotherOne() throws Exception {
    Promise<String> promise = Promise.apply();
    CompletionStage<String> scalaStage = FutureConverters.asJava(promise.future());
    CompletableFuture<Thread> raw = scalaStage.thenApply(value -> Thread.currentThread()).toCompletableFuture();
    CompletableFuture<Thread> plain = Stages.plain(scalaStage).thenApply(value -> Thread.currentThread());

    Thread completer = new Thread(() -> promise.success("done"), "completer");
    completer.start();
    completer.join();

    assertEquals(completer, plain.get(5, TimeUnit.SECONDS));
    // What Stages is for: Scala's wrapper moves even a plain thenApply to another thread.
    assertNotEquals(completer, raw.get(5, TimeUnit.SECONDS));
  }

  @Test
  void passesFailuresOn() {
    Promise<String> promise = Promise.apply();
    CompletableFuture<String> plain = Stages.plain(FutureConverters.asJava(promise.future()));

    promise.failure(new IllegalStateException("broken"));

    ExecutionException error = assertThrows(ExecutionException.class, () -> plain.get(5, TimeUnit.SECONDS));
    assertEquals("broken", error.getCause().getMessage());
  }
}
