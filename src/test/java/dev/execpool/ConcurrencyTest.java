package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** max-concurrent, the fair queue and its bounds, each with a pool of its own. */
class ConcurrencyTest {

  @Test
  void neverRunsMoreThanMaxConcurrentAndQueuesTheRest() {
    try (ExecPool pool = TestPools.start("execpool { max-concurrent = 2, max-queued = 10 }")) {
      List<Submitted> submitted = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        submitted.add(TestPools.await(pool.spawn(ExecRequest.of("s" + (i % 3), "sleep 0.2"))));
      }
      PoolStats stats = TestPools.await(pool.stats());
      List<ExecResult> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        results.add(Results.await(pool, "s" + (i % 3), submitted.get(i).taskId()));
      }

      assertEquals(
          List.of("RUNNING", "RUNNING", "QUEUED", "QUEUED", "QUEUED", "QUEUED"),
          submitted.stream().map(s -> s.state().name()).toList());
      assertTrue(stats.running() <= 2, stats.toString());
      assertEquals(6, stats.running() + stats.queued() + stats.pending(), stats.toString());
      assertTrue(maxOverlap(results) <= 2, "at most 2 processes at once");
      assertTrue(results.stream().allMatch(ExecResult::succeeded));
    }
  }

  @Test
  void servesSessionsFairly() {
    try (ExecPool pool = TestPools.start("execpool.max-concurrent = 1")) {
      List<String> greedy = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        greedy.add(TestPools.await(pool.spawn(ExecRequest.of("greedy", "sleep 0.1"))).taskId());
      }
      String modest = TestPools.await(pool.spawn(ExecRequest.of("modest", "sleep 0.1"))).taskId();

      List<Instant> greedyStarts = new ArrayList<>();
      for (String id : greedy) {
        greedyStarts.add(Results.await(pool, "greedy", id).startedAt());
      }
      Instant modestStart = Results.await(pool, "modest", modest).startedAt();

      // greedy's first runs at once and its second was first in line; then it is modest's turn.
      assertTrue(modestStart.isBefore(greedyStarts.get(2)), "modest waited behind at most two tasks");
      assertTrue(modestStart.isAfter(greedyStarts.get(1)));
    }
  }

  @Test
  void refusesWhenFullNamingTheNumbersAndKeepsWhatItAccepted() {
    try (ExecPool pool = TestPools.start("execpool { max-concurrent = 1, max-queued = 2 }")) {
      List<String> accepted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        accepted.add(TestPools.await(pool.spawn(ExecRequest.of("full", "sleep 0.2; echo " + i))).taskId());
      }

      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () -> pool.spawn(ExecRequest.of("other", "true")).toCompletableFuture().get());

      ExecRejectedException cause = (ExecRejectedException) refused.getCause();
      assertEquals(ExecRejectedException.Reason.POOL_FULL, cause.reason());
      assertEquals("pool full: 1 running, 2 queued", cause.getMessage());
      for (int i = 0; i < 3; i++) {
        assertEquals(i + "\n", Results.await(pool, "full", accepted.get(i)).stdout());
      }
    }
  }

  @Test
  void refusesASessionHoldingTooManyUncollectedResults() {
    try (ExecPool pool = TestPools.start("execpool.max-pending-per-session = 3")) {
      List<String> accepted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        accepted.add(TestPools.await(pool.spawn(ExecRequest.of("hoarder", "echo " + i))).taskId());
      }

      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () -> pool.spawn(ExecRequest.of("hoarder", "true")).toCompletableFuture().get());

      ExecRejectedException cause = (ExecRejectedException) refused.getCause();
      assertEquals(ExecRejectedException.Reason.SESSION_FULL, cause.reason());
      assertTrue(cause.getMessage().contains("max-pending-per-session = 3"), cause.getMessage());
      assertEquals(Submitted.State.RUNNING, TestPools.await(pool.spawn(ExecRequest.of("polite", "true"))).state());
      for (int i = 0; i < 3; i++) {
        assertEquals(i + "\n", Results.await(pool, "hoarder", accepted.get(i)).stdout());
      }
    }
  }

  @Test
  void unlimitedWhenMaxConcurrentIsZero() {
    try (ExecPool pool = TestPools.start("execpool { max-concurrent = 0, max-queued = 0 }")) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Submitted s = TestPools.await(pool.spawn(ExecRequest.of("wide", "sleep 0.3")));
        assertEquals(Submitted.State.RUNNING, s.state());
        ids.add(s.taskId());
      }
      List<ExecResult> results = ids.stream().map(id -> Results.await(pool, "wide", id)).toList();
      assertTrue(maxOverlap(results) > 4, "more than the default 4 ran together");
    }
  }

  /** The most results whose [startedAt, completedAt] intervals overlap at one instant. */
  private static int maxOverlap(List<ExecResult> results) {
    List<Object[]> events = new ArrayList<>();
    for (ExecResult r : results) {
      events.add(new Object[] {r.startedAt(), 1});
      events.add(new Object[] {r.completedAt(), -1});
    }
    events.sort(
        Comparator.<Object[], Instant>comparing(e -> (Instant) e[0]).thenComparing(e -> (Integer) e[1]));
    int now = 0;
    int max = 0;
    for (Object[] e : events) {
      now += (Integer) e[1];
      max = Math.max(max, now);
    }
    return max;
  }
}
