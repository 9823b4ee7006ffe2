package dev.execpool.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

class PidWindowTest {
  private static final long PID_MAX = 32768;

  @Test
  void holdsThePidsHandedOutSinceTheRootAndNoOlderOnes() {
    LongPredicate window = PidWindow.window(1000, 1500, PID_MAX, 50_000, 50_400).orElseThrow();

    assertTrue(window.test(1000), "the root");
    assertTrue(window.test(1200));
    assertTrue(window.test(1500), "the last pid handed out");
    assertFalse(window.test(999), "older than the root");
    assertFalse(window.test(1501), "not yet handed out");
    assertFalse(window.test(31000));
  }

  @Test
  void followsTheCounterRoundTheWrap() {
    LongPredicate window = PidWindow.window(32000, 400, PID_MAX, 50_000, 51_000).orElseThrow();

    assertTrue(window.test(32500));
    assertTrue(window.test(300), "handed out after the wrap");
    assertTrue(window.test(400));
    assertFalse(window.test(401));
    assertFalse(window.test(31999), "older than the root");
  }

  @Test
  void givesUpWhenTheCounterMayHaveLappedOrAFigureIsUnknown() {
    assertTrue(PidWindow.window(1000, 1500, PID_MAX, 50_000, 50_000 + PID_MAX / 2).isEmpty(), "a lap was possible");
    assertTrue(PidWindow.window(1000, -1, PID_MAX, 50_000, 50_001).isEmpty(), "no last pid");
    assertTrue(PidWindow.window(1000, 1500, -1, 50_000, 50_001).isEmpty(), "no pid_max");
    assertTrue(PidWindow.window(1000, 1500, PID_MAX, -1, 50_001).isEmpty(), "no fork count");
  }

  @Test
  void aProcessStartedAfterTheRootIsInsideTheLiveWindow() throws Exception {
    assumeTrue(PidWindow.forkCount() > 0, "needs /proc/stat");
    Process root = new ProcessBuilder("sleep", "5").start();
    long forks = PidWindow.forkCount();
    Process younger = new ProcessBuilder("sleep", "5").start();
    try {
      LongPredicate window =
          PidWindow.window(root.pid(), PidWindow.lastPid(), PidWindow.pidLimit(), forks, PidWindow.forkCount())
              .orElseThrow();

      assertTrue(window.test(root.pid()));
      assertTrue(window.test(younger.pid()));
    } finally {
      root.destroyForcibly().waitFor();
      younger.destroyForcibly().waitFor();
    }
    assertFalse(root.isAlive() || younger.isAlive());
  }
}
