package dev.execpool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The finished, uncollected results of one session, oldest first. It lives outside the session
 * actor's behaviour so a restarted session keeps what it held. Not thread-safe: only the session
 * actor touches it.
 */
final class SessionStore {
  private final LinkedHashMap<String, ExecResult> results = new LinkedHashMap<>();

  void add(ExecResult result) {
    results.put(result.taskId(), result);
  }

  List<ExecResult> drainAll() {
    List<ExecResult> all = List.copyOf(new ArrayList<>(results.values()));
    results.clear();
    return all;
  }

  Optional<ExecResult> drain(String taskId) {
    return Optional.ofNullable(results.remove(taskId));
  }

  /** Replaces the result of {@code taskId}, if still held; true when it was. */
  boolean replace(String taskId, ExecResult standIn) {
    return results.replace(taskId, standIn) != null;
  }

  boolean contains(String taskId) {
    return results.containsKey(taskId);
  }

  int size() {
    return results.size();
  }
}
