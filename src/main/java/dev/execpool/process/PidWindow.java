package dev.execpool.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * Which pids a process started after a given one can have, so a sweep reads {@code /proc/PID/stat}
 * for a handful of pids rather than for every process on the machine (each read costs the kernel
 * about 8 µs; a machine with a few hundred processes made the sweep the largest part of a short
 * task's cost).
 *
 * <p>Why it holds: Linux hands out pids cyclically, each new one the next free number after the
 * last, wrapping from {@code pid_max} to the bottom. Every pid handed out after the root's therefore
 * lies on the cyclic way from the root's pid to the last one handed out ({@code ns_last_pid}), unless
 * the counter went all the way round meanwhile. That is ruled out by counting forks ({@code
 * processes} in {@code /proc/stat}, threads included): while fewer than half of {@code pid_max} forks
 * happened since the root's, no lap was possible. Otherwise, or when a figure cannot be read, there
 * is no window and every pid is a candidate. A privileged process choosing its own pid ({@code
 * clone3} with {@code set_tid}) is the one way around it, and needs {@code CAP_CHECKPOINT_RESTORE}.
 */
final class PidWindow {
  private static final Path LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");
  private static final Path PID_MAX = Path.of("/proc/sys/kernel/pid_max");
  private static final Path KERNEL_STAT = Path.of("/proc/stat");
  private static final byte[] PROCESSES = "\nprocesses ".getBytes(StandardCharsets.US_ASCII);
  private static final long UNKNOWN = -1;
  private static final long PID_LIMIT = readNumber(PID_MAX);

  private PidWindow() {}

  /** Forks since boot, or -1 when unknown. Read right after a spawn, it dates the spawned pid. */
  static long forkCount() {
    byte[] stat;
    try (InputStream in = new FileInputStream(KERNEL_STAT.toFile())) {
      stat = in.readAllBytes(); // bytes, not lines: this runs twice per task
    } catch (IOException | RuntimeException e) {
      return UNKNOWN; // no /proc/stat (not Linux, or hidden): no window
    }
    int at = indexOf(stat, PROCESSES);
    if (at < 0) {
      return UNKNOWN;
    }
    long count = 0;
    int digits = 0;
    for (int i = at + PROCESSES.length; i < stat.length && stat[i] >= '0' && stat[i] <= '9'; i++, digits++) {
      count = count * 10 + (stat[i] - '0');
    }
    return digits == 0 ? UNKNOWN : count;
  }

  private static int indexOf(byte[] text, byte[] wanted) {
    outer:
    for (int i = 0; i + wanted.length <= text.length; i++) {
      for (int j = 0; j < wanted.length; j++) {
        if (text[i + j] != wanted[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The last pid handed out (in this pid namespace), or -1 when unknown. */
  static long lastPid() {
    return readNumber(LAST_PID);
  }

  /** {@code pid_max}, or -1 when unknown. */
  static long pidLimit() {
    return PID_LIMIT;
  }

  /**
   * The pids that can have been handed out since {@code rootPid} was, given the fork count read just
   * after the root's spawn, and the last pid and fork count read after a listing of {@code /proc}
   * (so every young process listed lies inside); empty when that cannot be bounded.
   */
  static Optional<LongPredicate> window(long rootPid, long lastPid, long pidMax, long forksAtRoot, long forksNow) {
    // Half of pid_max is the margin for forks between the root's and the reading of forksAtRoot
    // (microseconds apart), which the count misses.
    if (lastPid <= 0 || pidMax <= 0 || forksAtRoot < 0 || forksNow < 0 || forksNow - forksAtRoot >= pidMax / 2) {
      return Optional.empty();
    }
    long lastDistance = distance(rootPid, lastPid, pidMax);
    return Optional.of(pid -> distance(rootPid, pid, pidMax) <= lastDistance);
  }

  /** How far {@code pid} lies after {@code rootPid} on the cyclic way round 0 .. pid_max. */
  private static long distance(long rootPid, long pid, long pidMax) {
    return pid >= rootPid ? pid - rootPid : pidMax - rootPid + pid;
  }

  /**
   * One read: a sysctl file answers a read at a non-zero offset with nothing, so {@code
   * Files.readString} (which reads in steps) sees only its first digit.
   */
  private static long readNumber(Path file) {
    byte[] buffer = new byte[32];
    try (InputStream in = new FileInputStream(file.toFile())) {
      int length = in.read(buffer);
      return Long.parseLong(new String(buffer, 0, Math.max(length, 0), StandardCharsets.US_ASCII).trim());
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    }
  }
}
