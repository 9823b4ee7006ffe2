package dev.execpool.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * One pass over {@code /proc} on behalf of one or more {@link ProcessTree}s: the stat line and the
 * environment of every live process young enough to belong to any of them. Trees that end together
 * (500 sleeps timing out at once) share one pass instead of each reading every other's processes,
 * which made the sweeps quadratic in the number of tasks ending at once.
 */
final class ProcessTable {
  private static final File PROC = new File("/proc");
  private static final long SELF = ProcessHandle.current().pid();

  /** A process as the pass saw it; {@code environ} is null when it could not be read. */
  record Row(ProcessTree.StatLine stat, byte[] environ) {}

  private final Map<Long, Row> rows;

  private ProcessTable(Map<Long, Row> rows) {
    this.rows = rows;
  }

  Map<Long, Row> rows() {
    return rows;
  }

  /**
   * Lists {@code /proc}, then reads {@code stat} for each pid that any tree's {@link PidWindow}
   * admits, and {@code environ} for those started no earlier than the oldest tree's root.
   */
  static ProcessTable scan(Collection<ProcessTree> trees) {
    // File.list: plain names, none of the Path objects a DirectoryStream builds per entry.
    String[] names = PROC.list();
    // Read after the listing, so every young process listed lies inside its tree's window.
    long lastPid = PidWindow.lastPid();
    long forksNow = PidWindow.forkCount();
    LongPredicate mayBeYoung = pid -> false;
    long oldestRoot = Long.MAX_VALUE;
    for (ProcessTree tree : trees) {
      mayBeYoung = mayBeYoung.or(tree.window(lastPid, forksNow));
      oldestRoot = Math.min(oldestRoot, tree.rootStartTicks());
    }
    Map<Long, Row> rows = new HashMap<>();
    for (String name : names == null ? new String[0] : names) {
      if (!isPid(name)) {
        continue;
      }
      long pid = Long.parseLong(name);
      if (pid == SELF || !mayBeYoung.test(pid)) {
        continue;
      }
      ProcessTree.StatLine stat = ProcessTree.readStat(pid);
      if (stat != null && !stat.zombie() && stat.startTicks() >= oldestRoot) {
        rows.put(pid, new Row(stat, readEnviron(pid)));
      }
    }
    return new ProcessTable(rows);
  }

  private static byte[] readEnviron(long pid) {
    try {
      return Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    } catch (IOException | SecurityException e) {
      return null; // gone, or another user's
    }
  }

  private static boolean isPid(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return !name.isEmpty();
  }
}
