package dev.execpool.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Signals task trees, one {@code /proc} pass for every request waiting at that moment. When many
 * tasks end together, their sweeps queue here while a pass runs and are then answered by the next
 * pass together ({@link ProcessTable}), so the cost grows with the processes on the machine, not
 * with their square. Every request is answered by a pass that began after it was made, as if it had
 * scanned by itself. One pass runs at a time, on the executor given (a short-job pool).
 */
public final class TreeSignaller {
  private record Request(ProcessTree tree, boolean force, CompletableFuture<Integer> signalled) {}

  private final Executor executor;
  private final ConcurrentLinkedQueue<Request> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean passScheduled = new AtomicBoolean();

  public TreeSignaller(Executor executor) {
    this.executor = executor;
  }

  /** SIGTERM ({@code force} false) or SIGKILL to every member of {@code tree}; completes with the count. */
  public CompletableFuture<Integer> signal(ProcessTree tree, boolean force) {
    Request request = new Request(tree, force, new CompletableFuture<>());
    waiting.add(request);
    schedulePass();
    return request.signalled();
  }

  private void schedulePass() {
    if (passScheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this::pass);
      } catch (RuntimeException e) { // rejected: the executor is shutting down
        passScheduled.set(false);
        failWaiting(e);
      }
    }
  }

  private void pass() {
    List<Request> batch = new ArrayList<>();
    for (Request request = waiting.poll(); request != null; request = waiting.poll()) {
      batch.add(request);
    }
    try {
      if (!batch.isEmpty()) {
        ProcessTable table = ProcessTable.scan(batch.stream().map(Request::tree).toList());
        for (Request request : batch) {
          try {
            request.signalled().complete(request.tree().signal(request.force(), table));
          } catch (RuntimeException e) {
            request.signalled().completeExceptionally(e);
          }
        }
      }
    } catch (RuntimeException e) {
      batch.forEach(request -> request.signalled().completeExceptionally(e));
    } catch (Error e) {
      batch.forEach(request -> request.signalled().completeExceptionally(e)); // no runner waits forever
      throw e;
    } finally {
      passScheduled.set(false);
      if (!waiting.isEmpty()) {
        schedulePass(); // requests that came during this pass
      }
    }
  }

  private void failWaiting(RuntimeException cause) {
    for (Request request = waiting.poll(); request != null; request = waiting.poll()) {
      request.signalled().completeExceptionally(cause);
    }
  }
}
