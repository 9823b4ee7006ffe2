package dev.execpool.process;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Plain {@link CompletableFuture}s from the stages Pekko hands out (asks, stream materialized values,
 * queue offers).
 *
 * <p>Why: those stages are Scala's {@code FutureConverters} wrappers, which turn every dependent
 * ({@code thenApply}, {@code whenComplete}, {@code thenCombine}, and Pekko's own {@code pipeToSelf})
 * into its {@code ...Async} form on the default executor. On a machine with two cores that executor
 * is not the common pool but a new thread per callback, so each chunk, each stream completion and
 * each ask cost a thread start: profiling W1 found five per task. A stage passed through {@link
 * #plain} completes its dependents on the thread that completes it, as a {@code CompletableFuture}
 * does; they must be short and never block (a tell, a counter, an eventfd write).
 */
public final class Stages {
  private Stages() {}

  public static <T> CompletableFuture<T> plain(CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) {
            plain.completeExceptionally(failure);
          } else {
            plain.complete(value);
          }
        },
        Runnable::run);
    return plain;
  }
}
