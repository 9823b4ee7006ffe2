package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM running the pool that is sent SIGTERM takes its tasks' processes with it. */
class SigtermTest {
  @TempDir Path tmp;

  @Test
  void aSigtermedJvmStopsItsTasksWithinTheGrace() throws Exception {
    Path growing = tmp.resolve("growing.txt");
    Path pidFile = tmp.resolve("task.pid");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-XX:+IgnoreUnrecognizedVMOptions");
    command.add("--sun-misc-unsafe-memory-access=allow");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    // Surefire runs tests from a manifest-only jar; it publishes the real class path here.
    command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(SigtermedJvmFixture.class.getName());
    command.add(growing.toString());
    command.add(pidFile.toString());
    Path log = tmp.resolve("fixture.log");
    Process jvm = new ProcessBuilder(command).redirectError(log.toFile()).start();
    List<Long> taskPid = List.of();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("ready", out.readLine(), () -> "the fixture JVM did not start its task: " + read(log));
      taskPid = Pids.read(pidFile, 1, Duration.ofSeconds(10));
      Pids.await(() -> size(growing) > 0, Duration.ofSeconds(10), "the task to write");

      long signalledAt = System.nanoTime();
      jvm.destroy(); // SIGTERM
      assertTrue(jvm.waitFor(20, TimeUnit.SECONDS), "the JVM exits after SIGTERM");
      // Grace 2 s, plus 2 s: the writer is dead, so the file cannot grow any more.
      Pids.awaitDead(taskPid, Duration.ofSeconds(4).minusNanos(System.nanoTime() - signalledAt));
      long finalSize = size(growing);
      assertEquals(finalSize, size(growing), "nothing writes the file any more");
    } finally {
      jvm.destroyForcibly();
      Pids.killAll(taskPid);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
