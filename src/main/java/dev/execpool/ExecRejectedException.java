package dev.execpool;

/**
 * A valid request the pool would not take. Nothing was started; everything accepted before is kept.
 * The message names the reason and the numbers, e.g. {@code pool full: 4 running, 64 queued}.
 */
public final class ExecRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Reason {
    /** {@code max-concurrent} tasks run and {@code max-queued} wait. */
    POOL_FULL,
    /** The session already has a task with this id that is queued, running or not yet collected. */
    DUPLICATE_TASK_ID,
    /** The session holds {@code max-pending-per-session} results nobody collected. */
    SESSION_FULL,
    /** The request broke a rule (sent by an actor that skipped the facade's checks). */
    INVALID_REQUEST,
    /** The pool is shutting down. */
    SHUTTING_DOWN
  }

  private final Reason reason;

  public ExecRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
