package dev.execpool;

/** How a task ended. Only {@link #EXITED} means the command ran to its own end. */
public enum Outcome {
  /** The command exited by itself; {@link ExecResult#exitCode()} holds its code. */
  EXITED,
  /** The command ran past its timeout and its process tree was killed. Never a success. */
  TIMED_OUT,
  /** The task was killed on request or because the pool shut down. */
  KILLED,
  /** The shell could not be started (missing shell, vanished working directory...). */
  FAILED_TO_START,
  /** The pool itself failed while running the task; its process tree was killed. */
  CRASHED,
  /**
   * Not the command's outcome but its result's: nobody collected it within {@code result-ttl}, so
   * its output was dropped. This stand-in is delivered once, so the agent learns what happened.
   */
  EXPIRED
}
