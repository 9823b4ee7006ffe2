package dev.execpool.mcp;

import dev.execpool.TaskEvent;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the client the moment a task finishes, as an MCP logging notification ({@code
 * notifications/message}, level info, logger {@code execpool}), so a client that listens needs no
 * polling. The sync SDK can only notify through a request's exchange, so the latest one is kept (a
 * stdio server has exactly one client session). The pool calls {@link #accept} on an actor thread,
 * and sending blocks, so the sending happens on a thread of its own.
 */
final class FinishNotifier implements Consumer<TaskEvent>, AutoCloseable {
  static final String LOGGER = "execpool";
  private static final Logger LOG = LoggerFactory.getLogger(FinishNotifier.class);

  private final AtomicReference<McpSyncServerExchange> exchange = new AtomicReference<>();
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "execpool-mcp-notify");
            t.setDaemon(true);
            return t;
          });

  /** Called with every tool call's exchange; tasks can only exist after a call, so one is known. */
  void remember(McpSyncServerExchange latest) {
    exchange.set(latest);
  }

  @Override
  public void accept(TaskEvent event) {
    if (!(event instanceof TaskEvent.TaskFinished finished)) {
      return;
    }
    McpSyncServerExchange target = exchange.get();
    if (target == null) {
      return;
    }
    McpSchema.LoggingMessageNotification note =
        new McpSchema.LoggingMessageNotification(
            McpSchema.LoggingLevel.INFO, LOGGER, ResultFormatter.finishNotice(finished));
    try {
      sender.execute(() -> send(target, note));
    } catch (RejectedExecutionException closing) {
      // The server is shutting down: nobody is left to tell.
    }
  }

  private static void send(McpSyncServerExchange target, McpSchema.LoggingMessageNotification note) {
    try {
      target.loggingNotification(note);
    } catch (RuntimeException e) {
      LOG.warn("could not send the finish notification '{}': {}", note.data(), e.toString());
    }
  }

  @Override
  public void close() {
    sender.shutdownNow();
  }
}
