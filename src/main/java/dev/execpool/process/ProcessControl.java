package dev.execpool.process;

import java.util.concurrent.CompletionStage;

/** A started task shell, whichever launcher started it. */
public interface ProcessControl {
  long pid();

  /**
   * Completes once the process has exited and been reaped, with its exit code, or 128 plus the
   * signal's number when a signal ended it (the shell's and the JDK's convention); with null when the
   * code could not be learned.
   */
  CompletionStage<Integer> onExit();

  /** SIGKILL to the process itself; a no-op once it has been reaped, so a reused pid is never hit. */
  void destroyForcibly();
}
