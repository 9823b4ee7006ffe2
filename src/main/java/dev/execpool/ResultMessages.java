package dev.execpool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The words of {@link ExecResult#message()}: what happened, in terms a model can act on. Kept apart
 * from the task runner so every outcome's wording sits in one place.
 */
final class ResultMessages {
  private static final Map<Integer, String> SIGNALS =
      Map.ofEntries(
          Map.entry(1, "SIGHUP"),
          Map.entry(2, "SIGINT"),
          Map.entry(3, "SIGQUIT"),
          Map.entry(4, "SIGILL"),
          Map.entry(6, "SIGABRT"),
          Map.entry(7, "SIGBUS"),
          Map.entry(8, "SIGFPE"),
          Map.entry(9, "SIGKILL"),
          Map.entry(11, "SIGSEGV"),
          Map.entry(13, "SIGPIPE"),
          Map.entry(14, "SIGALRM"),
          Map.entry(15, "SIGTERM"));

  private ResultMessages() {}

  /** Notes about one finished task, joined into the message. */
  static final class Notes {
    private final List<String> parts = new ArrayList<>();

    Notes add(String note) {
      parts.add(note);
      return this;
    }

    String join() {
      return String.join("; ", parts);
    }
  }

  static String exited(int exitCode) {
    if (exitCode == 0) {
      return null;
    }
    int signal = exitCode - 128;
    if (signal > 0 && signal < 65) {
      String name = SIGNALS.getOrDefault(signal, "signal " + signal);
      return "exited with code "
          + exitCode
          + ": a shell reports 128+N when a process is killed by signal N, so the command was most"
          + " likely killed by "
          + name;
    }
    return "exited with code " + exitCode;
  }

  static String timedOut(Duration timeout, boolean sigkillNeeded, Duration grace) {
    String how =
        sigkillNeeded
            ? "SIGTERM was ignored, so SIGKILL was needed after the " + seconds(grace) + " grace"
            : "it was stopped with SIGTERM";
    return "command timed out after "
        + seconds(timeout)
        + " and its process tree was killed ("
        + how
        + "); output printed before the timeout is kept. Re-run with a larger timeout, or split the"
        + " command into smaller steps";
  }

  static String killed(String why, boolean sigkillNeeded, Duration grace) {
    return "killed "
        + why
        + (sigkillNeeded
            ? "; SIGTERM was ignored, so SIGKILL was needed after the " + seconds(grace) + " grace"
            : " (SIGTERM)");
  }

  static String stragglers(int count) {
    return count
        + " leftover process"
        + (count == 1 ? "" : "es")
        + " of the command (still running after it exited) "
        + (count == 1 ? "was" : "were")
        + " killed";
  }

  static String truncated(String stream, long total, int cap) {
    return stream + " was " + total + " bytes; only the first and last " + cap / 2 + " bytes are kept";
  }

  static String outputAbandoned() {
    return "the output pipes stayed open after every process of the task was killed (a process"
        + " outside the task's reach holds them), so the output may be incomplete";
  }

  static String noExit() {
    return "the process did not exit even after SIGKILL; no exit code is known";
  }

  static String crashed() {
    return "the pool's task runner failed unexpectedly (its exception is in the pool's log); the"
        + " process tree was killed and the command was not re-run";
  }

  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
