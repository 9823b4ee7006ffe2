package dev.execpool.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Proof that a trial left no process behind. Each trial JVM gets a unique {@link #VARIABLE}; every
 * process it starts inherits it (the pool passes the JVM's environment on, and so do the peers), so
 * after the trial any process still carrying it is a leftover: it is counted, reported and killed.
 */
final class Leftovers {
  static final String VARIABLE = "EXECPOOL_BENCH_TRIAL";

  private Leftovers() {}

  /** Kills (SIGKILL) and counts the processes still carrying {@code VARIABLE=id}. */
  static int reap(String id) {
    byte[] entry = (VARIABLE + "=" + id).getBytes(StandardCharsets.UTF_8);
    int found = 0;
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path proc : procs) {
        try {
          byte[] environ = Files.readAllBytes(proc.resolve("environ"));
          if (contains(environ, entry)) {
            found++;
            long pid = Long.parseLong(proc.getFileName().toString());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
          }
        } catch (IOException | SecurityException e) {
          // gone, or not ours
        }
      }
    } catch (IOException e) {
      return -1; // no /proc: unknown
    }
    return found;
  }

  private static boolean contains(byte[] environ, byte[] entry) {
    int start = 0;
    while (start < environ.length) {
      int end = start;
      while (end < environ.length && environ[end] != 0) {
        end++;
      }
      if (end - start == entry.length && java.util.Arrays.equals(environ, start, end, entry, 0, entry.length)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }
}
