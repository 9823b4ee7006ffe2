package dev.execpool.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * Every process that belongs to one task, found and signalled without ever signalling a stranger.
 *
 * <p>The task's shell runs under {@code setsid}, so its pid is also its session and process-group
 * id. A process belongs to the task when it is in that group or that session, when it descends from
 * the shell, or when its environment carries the task's {@link #MARKER_VARIABLE}: the last finds
 * descendants that left the session ({@code setsid}) or were re-parented to init by a double fork,
 * as long as they kept the environment. A process carrying another task's marker is never this
 * task's, whatever its group: pids wrap (at 32768 on many machines), so a dead shell's pid may come
 * back as another task's session leader. For the same reason the group, session and parent relations
 * count only while the root's pid still names the root (same start time) or names nothing. On Linux
 * this reads {@code /proc}; elsewhere only the descendants are found.
 *
 * <p>Cost: one listing of {@code /proc}, then a small {@code stat} read for each pid that can have
 * been handed out since the shell's ({@link PidWindow}; every pid when that cannot be bounded). Only a
 * process started no earlier than the task's shell can belong to it (a session or group cannot be
 * joined from outside, and descendants and marker carriers are younger), so the {@code environ} read
 * is made only for those few. The pool runs this on its short I/O dispatcher, through {@link
 * TreeSignaller}, which shares one pass between trees signalled at the same moment.
 */
public final class ProcessTree {
  public static final String MARKER_VARIABLE = "EXECPOOL_TASK_MARKER";
  private static final byte[] MARKER_PREFIX = (MARKER_VARIABLE + "=").getBytes(StandardCharsets.US_ASCII);

  private static final Path PROC = Path.of("/proc");
  private static final boolean HAS_PROC = Files.isReadable(PROC.resolve("self/stat"));

  private final long rootPid;
  private final byte[] markerEntry;
  /** The shell's start time in clock ticks since boot; 0 when unknown (then nothing is skipped). */
  private final long rootStartTicks;
  /** Forks since boot, read just after the shell's: bounds which pids can be younger. */
  private final long forksAtRoot;

  /**
   * {@code rootPid}: the task's shell, its group and session id. {@code marker} may be null. Build it
   * right after the spawn: it dates the shell.
   */
  public ProcessTree(long rootPid, String marker) {
    this.forksAtRoot = HAS_PROC ? PidWindow.forkCount() : -1;
    this.rootPid = rootPid;
    this.markerEntry =
        marker == null ? null : (MARKER_VARIABLE + "=" + marker).getBytes(StandardCharsets.UTF_8);
    StatLine root = HAS_PROC ? readStat(rootPid) : null;
    this.rootStartTicks = root == null ? 0 : root.startTicks();
  }

  public long rootPid() {
    return rootPid;
  }

  /** Pids of the live (not zombie) processes of the task, the root included while it lives. */
  public Set<Long> members() {
    return HAS_PROC ? membersIn(ProcessTable.scan(List.of(this))).keySet() : jdkView();
  }

  /**
   * SIGTERM ({@code force} false) or SIGKILL to every member; returns how many were signalled.
   *
   * <p>Why a recycled pid is never hit: the handle is taken first, and the JDK pins the process's
   * start time in it; the process's start time is then checked against the one the scan saw, and
   * the signal goes through the handle, which refuses to signal a process whose start time no longer
   * matches. A pid that dies and is reused at any point is therefore left alone.
   */
  public int signal(boolean force) {
    if (!HAS_PROC) {
      int signalled = 0;
      for (long pid : jdkView()) {
        signalled += send(ProcessHandle.of(pid), force);
      }
      return signalled;
    }
    return signal(force, ProcessTable.scan(List.of(this)));
  }

  /** Like {@link #signal(boolean)}, with the members found in a pass already made (after the call). */
  int signal(boolean force, ProcessTable table) {
    int signalled = 0;
    for (Map.Entry<Long, StatLine> member : membersIn(table).entrySet()) {
      Optional<ProcessHandle> handle = ProcessHandle.of(member.getKey());
      StatLine now = readStat(member.getKey());
      if (now != null && now.startTicks() == member.getValue().startTicks()) {
        signalled += send(handle, force);
      }
    }
    return signalled;
  }

  private static int send(Optional<ProcessHandle> handle, boolean force) {
    if (handle.isEmpty()) {
      return 0;
    }
    return (force ? handle.get().destroyForcibly() : handle.get().destroy()) ? 1 : 0;
  }

  /** Without /proc: the root while it lives and the descendants the JDK can see. */
  private Set<Long> jdkView() {
    Set<Long> pids = new LinkedHashSet<>();
    ProcessHandle.of(rootPid)
        .ifPresent(
            root -> {
              if (root.isAlive()) {
                pids.add(rootPid);
              }
              root.descendants().forEach(h -> pids.add(h.pid()));
            });
    return pids;
  }

  /** The pids that can have been handed out since the root's, given figures read after a listing. */
  LongPredicate window(long lastPid, long forksNow) {
    return PidWindow.window(rootPid, lastPid, PidWindow.pidLimit(), forksAtRoot, forksNow).orElse(pid -> true);
  }

  long rootStartTicks() {
    return rootStartTicks;
  }

  /**
   * The members among a pass's processes, and the stat line each was seen with. Descendants are found
   * from the parent pids read in the same pass, so no second scan is needed.
   */
  Map<Long, StatLine> membersIn(ProcessTable table) {
    Map<Long, StatLine> young = new HashMap<>();
    table.rows().forEach((pid, row) -> {
      if (row.stat().startTicks() >= rootStartTicks) {
        young.put(pid, row.stat());
      }
    });
    // Relations by pid (group, session, parent) hold only while the root's pid is not someone
    // else's: pids wrap (often at 32768), and a recycled root pid could lead another task's group.
    StatLine rootNow = young.get(rootPid);
    boolean rootPidIsOurs = rootNow == null || rootStartTicks == 0 || rootNow.startTicks() == rootStartTicks;
    // Oldest first, so the root goes first: a parent signalled after its children could exit on
    // its own meanwhile (a shell's `wait` returning), and then count as not signalled.
    Map<Long, StatLine> members = new LinkedHashMap<>();
    young.entrySet().stream()
        .sorted(Comparator.comparingLong((Map.Entry<Long, StatLine> e) -> e.getValue().startTicks())
            .thenComparingLong(Map.Entry::getKey))
        .forEach(entry -> {
          long pid = entry.getKey();
          StatLine stat = entry.getValue();
          Mark mark = markOf(table.rows().get(pid).environ());
          boolean related =
              rootPidIsOurs
                  && (pid == rootPid
                      || stat.processGroup() == rootPid
                      || stat.session() == rootPid
                      || descendsFromRoot(stat, young));
          // Another task's marker vetoes any relation: that process is provably not ours.
          if (mark == Mark.OURS || (mark == Mark.NONE && related)) {
            members.put(pid, stat);
          }
        });
    return members;
  }

  /** Walks up the parent pids; an ancestor older than the root is never the root. */
  private boolean descendsFromRoot(StatLine stat, Map<Long, StatLine> young) {
    long parent = stat.parent();
    for (int hops = 0; hops <= young.size(); hops++) { // bounded: pids seen mid-change may form a loop
      if (parent == rootPid) {
        return true;
      }
      StatLine up = young.get(parent);
      if (up == null) {
        return false;
      }
      parent = up.parent();
    }
    return false;
  }

  /** Whose marker a process carries: this task's, another task's, or none (or unreadable). */
  private enum Mark {
    OURS,
    OTHER,
    NONE
  }

  private Mark markOf(byte[] environ) {
    if (environ == null) {
      return Mark.NONE; // gone, or another user's
    }
    if (markerEntry != null && containsEntry(environ, markerEntry)) {
      return Mark.OURS;
    }
    return containsPrefix(environ, MARKER_PREFIX) ? Mark.OTHER : Mark.NONE;
  }

  /** True when some NUL-separated entry of {@code environ} starts with {@code prefix}. */
  static boolean containsPrefix(byte[] environ, byte[] prefix) {
    return findEntry(environ, prefix, false);
  }

  /** True when {@code entry} is one whole NUL-separated entry of {@code environ}. */
  static boolean containsEntry(byte[] environ, byte[] entry) {
    return findEntry(environ, entry, true);
  }

  private static boolean findEntry(byte[] environ, byte[] wanted, boolean whole) {
    int start = 0;
    while (start < environ.length) {
      int end = start;
      while (end < environ.length && environ[end] != 0) {
        end++;
      }
      int length = end - start;
      if ((whole ? length == wanted.length : length >= wanted.length)
          && Arrays.equals(environ, start, start + wanted.length, wanted, 0, wanted.length)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  static StatLine readStat(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("stat"));
      return parseStat(new String(raw, StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return null; // exited meanwhile
    }
  }

  /** The fields of /proc/PID/stat this class needs. */
  record StatLine(char state, long parent, long processGroup, long session, long startTicks) {
    boolean zombie() {
      return state == 'Z' || state == 'X';
    }
  }

  /**
   * Parses {@code pid (comm) state ppid pgrp session ... starttime ...}: the fields 3 to 6 and 22 of
   * proc(5). The command name may hold spaces and parentheses, so the fields start after the last ')'.
   */
  static StatLine parseStat(String line) {
    String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ", 21);
    return new StatLine(
        fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]),
        Long.parseLong(fields[19]));
  }

}
