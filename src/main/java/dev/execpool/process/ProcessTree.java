package dev.execpool.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Every process that belongs to one task, found and signalled without ever signalling a stranger.
 *
 * <p>The task's shell runs under {@code setsid}, so its pid is also its session and process-group
 * id. A process belongs to the task when it is in that group or that session, when it descends from
 * the shell, or when its environment carries the task's {@link #MARKER_VARIABLE}: the last finds
 * descendants that left the session ({@code setsid}) or were re-parented to init by a double fork,
 * as long as they kept the environment. On Linux this reads {@code /proc}; elsewhere only the
 * descendants are found.
 *
 * <p>Cost: one pass over {@code /proc}, one small read per process, plus one {@code environ} read per
 * process not already matched (only this user's processes are readable). A few hundred processes
 * take about a millisecond; this runs on the I/O dispatcher.
 */
public final class ProcessTree {
  public static final String MARKER_VARIABLE = "EXECPOOL_TASK_MARKER";

  private static final Path PROC = Path.of("/proc");
  private static final boolean HAS_PROC = Files.isReadable(PROC.resolve("self/stat"));
  private static final long SELF = ProcessHandle.current().pid();

  private final long rootPid;
  private final byte[] markerEntry;

  /** {@code rootPid}: the task's shell, its group and session id. {@code marker} may be null. */
  public ProcessTree(long rootPid, String marker) {
    this.rootPid = rootPid;
    this.markerEntry =
        marker == null ? null : (MARKER_VARIABLE + "=" + marker).getBytes(StandardCharsets.UTF_8);
  }

  public long rootPid() {
    return rootPid;
  }

  /** Pids of the live (not zombie) processes of the task, the root included while it lives. */
  public Set<Long> members() {
    Set<Long> members = new LinkedHashSet<>();
    Set<Long> descendants = descendants();
    if (!HAS_PROC) {
      ProcessHandle.of(rootPid).filter(ProcessHandle::isAlive).ifPresent(h -> members.add(rootPid));
      members.addAll(descendants);
      return members;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcessTree::isPidDirectory)) {
      for (Path entry : entries) {
        long pid = Long.parseLong(entry.getFileName().toString());
        if (pid != SELF && belongs(pid, descendants)) {
          members.add(pid);
        }
      }
    } catch (IOException e) {
      members.addAll(descendants); // /proc went away under us: fall back to what the JDK saw
    }
    return members;
  }

  /**
   * SIGTERM ({@code force} false) or SIGKILL to every member; returns how many were signalled.
   *
   * <p>Why a recycled pid is never hit: the handle is taken first, and the JDK pins the process's
   * start time in it; membership is then checked again, and the signal goes through the handle,
   * which refuses to signal a process whose start time no longer matches. A pid that dies and is
   * reused after the check is therefore left alone.
   */
  public int signal(boolean force) {
    int signalled = 0;
    Set<Long> descendants = descendants();
    for (long pid : members()) {
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isEmpty() || (HAS_PROC && !belongs(pid, descendants))) {
        continue;
      }
      boolean sent = force ? handle.get().destroyForcibly() : handle.get().destroy();
      if (sent) {
        signalled++;
      }
    }
    return signalled;
  }

  private Set<Long> descendants() {
    Set<Long> pids = new LinkedHashSet<>();
    ProcessHandle.of(rootPid).ifPresent(root -> root.descendants().forEach(h -> pids.add(h.pid())));
    return pids;
  }

  private boolean belongs(long pid, Set<Long> descendants) {
    StatLine stat = readStat(pid);
    if (stat == null || stat.zombie()) {
      return false;
    }
    return stat.processGroup() == rootPid
        || stat.session() == rootPid
        || pid == rootPid
        || descendants.contains(pid)
        || carriesMarker(pid);
  }

  private boolean carriesMarker(long pid) {
    if (markerEntry == null) {
      return false;
    }
    try {
      byte[] environ = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
      return containsEntry(environ, markerEntry);
    } catch (IOException | SecurityException e) {
      return false; // gone, or another user's: not ours to signal anyway
    }
  }

  /** True when {@code entry} is one whole NUL-separated entry of {@code environ}. */
  static boolean containsEntry(byte[] environ, byte[] entry) {
    int start = 0;
    while (start < environ.length) {
      int end = start;
      while (end < environ.length && environ[end] != 0) {
        end++;
      }
      if (end - start == entry.length && Arrays.equals(environ, start, end, entry, 0, entry.length)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private static StatLine readStat(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("stat"));
      return parseStat(new String(raw, StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return null; // exited meanwhile
    }
  }

  /** The fields of /proc/PID/stat this class needs. */
  record StatLine(char state, long parent, long processGroup, long session) {
    boolean zombie() {
      return state == 'Z' || state == 'X';
    }
  }

  /**
   * Parses {@code pid (comm) state ppid pgrp session ...}. The command name may hold spaces and
   * parentheses, so the fields start after the last ')'.
   */
  static StatLine parseStat(String line) {
    String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ", 5);
    return new StatLine(
        fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]));
  }

  private static boolean isPidDirectory(Path entry) {
    String name = entry.getFileName().toString();
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return !name.isEmpty();
  }
}
