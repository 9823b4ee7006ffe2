package dev.execpool;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Tasks waiting for a slot, served round-robin across sessions: each poll takes the oldest task of
 * the session that has waited longest for a turn, so a session that queues a hundred tasks delays
 * another session's single task by at most one task per session. Not thread-safe: owned by the
 * supervisor actor.
 */
final class FairQueue<T> {
  /** Sessions in turn order; each with its tasks in arrival order. */
  private final LinkedHashMap<String, ArrayDeque<T>> bySession = new LinkedHashMap<>();
  private int size;

  void add(String sessionKey, T item) {
    bySession.computeIfAbsent(sessionKey, k -> new ArrayDeque<>()).addLast(item);
    size++;
  }

  /** The next task in fair order, or empty. */
  Optional<T> poll() {
    Iterator<Map.Entry<String, ArrayDeque<T>>> turn = bySession.entrySet().iterator();
    if (!turn.hasNext()) {
      return Optional.empty();
    }
    Map.Entry<String, ArrayDeque<T>> first = turn.next();
    T item = first.getValue().pollFirst();
    turn.remove();
    if (!first.getValue().isEmpty()) {
      bySession.put(first.getKey(), first.getValue()); // to the back of the line
    }
    size--;
    return Optional.of(item);
  }

  /** Removes the first task of {@code sessionKey} that matches, if any. */
  Optional<T> remove(String sessionKey, Predicate<T> match) {
    ArrayDeque<T> queue = bySession.get(sessionKey);
    if (queue == null) {
      return Optional.empty();
    }
    for (Iterator<T> it = queue.iterator(); it.hasNext(); ) {
      T item = it.next();
      if (match.test(item)) {
        it.remove();
        size--;
        if (queue.isEmpty()) {
          bySession.remove(sessionKey);
        }
        return Optional.of(item);
      }
    }
    return Optional.empty();
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }
}
