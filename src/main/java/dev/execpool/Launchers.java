package dev.execpool;

import dev.execpool.process.JdkLauncher;
import dev.execpool.process.ShellSelector;
import dev.execpool.process.Stages;
import dev.execpool.process.TaskLauncher;
import dev.execpool.process.linux.NativeLauncher;
import dev.execpool.process.linux.NativeSupport;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the launcher {@code execpool.launcher} asks for, and ties its life to the actor system's. */
final class Launchers {
  private static final Logger log = LoggerFactory.getLogger(Launchers.class);

  private Launchers() {}

  /**
   * Fails when the settings ask for a launcher that cannot run here, so a pool refuses to start
   * rather than starting without a way to run anything.
   */
  static void requireUsable(ExecPoolSettings settings) {
    if (settings.launcher() == ExecPoolSettings.Launcher.NATIVE) {
      nativeMissing(settings).ifPresent(reason -> {
        throw new IllegalArgumentException("execpool.launcher = native cannot run here: " + reason
            + " (use auto or jdk)");
      });
    }
  }

  /** The launcher asked for; {@code jdk} never loads JNA (nor probes for it). */
  static TaskLauncher create(ExecPoolSettings settings, Executor io, ActorSystem<?> system) {
    List<String> shell = ShellSelector.select(settings.shell(), settings.osName());
    TaskLauncher launcher;
    switch (settings.launcher()) {
      case JDK -> launcher = jdkLauncher(settings, shell, io);
      case NATIVE -> {
        requireUsable(settings);
        launcher = nativeLauncher(settings, shell, io, system);
      }
      default -> {
        Optional<String> nativeMissing = nativeMissing(settings);
        launcher = nativeMissing.isEmpty() ? nativeLauncher(settings, shell, io, system) : jdkLauncher(settings, shell, io);
        nativeMissing.ifPresent(reason -> log.info("native launcher unavailable: {}", reason));
      }
    }
    log.info("task launcher: {}", launcher.description());
    return launcher;
  }

  private static Optional<String> nativeMissing(ExecPoolSettings settings) {
    return ShellSelector.isWindows(settings.osName())
        ? Optional.of("the shell is chosen for Windows")
        : NativeSupport.unavailableReason();
  }

  private static TaskLauncher nativeLauncher(
      ExecPoolSettings settings, List<String> shell, Executor io, ActorSystem<?> system) {
    // Once the system is down its task runners have killed their trees; the loop reaps them and ends.
    long reapBound = settings.shutdownGrace().plus(settings.pipeDrain()).plusSeconds(5).toMillis();
    NativeLauncher launcher = new NativeLauncher(shell, io, reapBound);
    Stages.plain(system.getWhenTerminated()).thenRun(launcher::close);
    return launcher;
  }

  private static TaskLauncher jdkLauncher(ExecPoolSettings settings, List<String> shell, Executor io) {
    String os = settings.osName();
    return new JdkLauncher(
        shell, ShellSelector.findSetsid(os), ShellSelector.isWindows(os), settings.readChunkBytes(), io);
  }
}
