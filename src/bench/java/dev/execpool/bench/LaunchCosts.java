package dev.execpool.bench;

import dev.execpool.process.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a task's time goes outside the pool's actors, piece by piece, on this machine: starting a
 * process with ProcessBuilder (bare, under {@code sh -c}, under {@code setsid sh -c} as the pool
 * does), and the pool's process-tree sweep after a task exits ({@link ProcessTree#signal}, which
 * reads {@code /proc}). Run with {@code -Djdk.lang.Process.launchMechanism=VFORK} to compare.
 * {@code mvn -B -q -Pbench exec:exec -Dbench=...} runs Bench; this one runs with
 * {@code java -cp ... dev.execpool.bench.LaunchCosts [reps]}.
 */
public final class LaunchCosts {
  private static final File NULL = new File("/dev/null");

  private LaunchCosts() {}

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    System.out.println("launch mechanism: " + System.getProperty("jdk.lang.Process.launchMechanism", "(default)")
        + "; processes in /proc: " + countProcesses());
    for (int round = 0; round < 2; round++) { // the first round warms up; both are printed
      time("start+waitFor: true", reps, () -> start("true"));
      time("start+waitFor: sh -c true", reps, () -> start("sh", "-c", "true"));
      time("start+waitFor: setsid sh -c true (the pool's argv)", reps, () -> start("/usr/bin/setsid", "sh", "-c", "true"));
      Process done = new ProcessBuilder("true").start();
      done.waitFor();
      ProcessTree tree = new ProcessTree(done.pid(), "no-such-marker");
      time("ProcessTree.signal(true) after the task exited (the sweep)", reps, () -> tree.signal(true));
      time("read /proc/*/stat", reps, () -> readAll("stat"));
      time("read /proc/*/environ", reps, () -> readAll("environ"));
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void time(String what, int reps, Step step) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      step.run();
    }
    System.out.printf(Locale.ROOT, "  %-62s %8.3f ms%n", what, (System.nanoTime() - start) / 1e6 / reps);
  }

  private static void start(String... argv) throws IOException, InterruptedException {
    new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(NULL)).start().waitFor();
  }

  private static int countProcesses() throws IOException {
    int n = 0;
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path ignored : procs) {
        n++;
      }
    }
    return n;
  }

  private static void readAll(String file) throws IOException {
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path proc : procs) {
        try {
          Files.readAllBytes(proc.resolve(file));
        } catch (IOException e) {
          // gone, or another user's
        }
      }
    }
  }
}
