package dev.execpool;

import com.typesafe.config.Config;
import dev.execpool.process.ChildEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code execpool { ... }} block of {@code application.conf}, read once. Every key and its
 * default is documented there; this class only gives them types and checks their ranges.
 */
public record ExecPoolSettings(
    int maxConcurrent,
    int maxQueued,
    int maxPendingPerSession,
    Duration defaultTimeout,
    Duration maxTimeout,
    Duration killGrace,
    Duration pipeDrain,
    Duration shutdownGrace,
    int maxOutputBytes,
    int readChunkBytes,
    int maxCommandBytes,
    int maxIdLength,
    Optional<Path> defaultCwd,
    List<String> shell,
    String osName,
    Launcher launcher,
    ChildEnvironment.Inherit envInherit,
    List<String> envDenyPatterns,
    List<String> envCoreNames,
    Duration sessionIdleTimeout,
    int sessionMaxRestarts,
    Duration sessionRestartWindow,
    Duration resultTtl,
    Duration maxAwait,
    int readOutputMaxBytes,
    Duration outputPollInterval,
    Duration askTimeout,
    String ioDispatcher,
    String shortIoDispatcher) {

  public static final String CONFIG_PATH = "execpool";

  public ExecPoolSettings {
    requireAtLeast("max-concurrent", maxConcurrent, 0);
    requireAtLeast("max-queued", maxQueued, 0);
    requireAtLeast("max-pending-per-session", maxPendingPerSession, 1);
    requireAtLeast("max-output", maxOutputBytes, 2);
    requireAtLeast("read-chunk", readChunkBytes, 1);
    requireAtLeast("max-command-bytes", maxCommandBytes, 1);
    requireAtLeast("max-id-length", maxIdLength, 1);
    requirePositive("default-timeout", defaultTimeout);
    requirePositive("max-timeout", maxTimeout);
    requirePositive("kill-grace", killGrace);
    requirePositive("pipe-drain", pipeDrain);
    requirePositive("shutdown-grace", shutdownGrace);
    requirePositive("session-idle-timeout", sessionIdleTimeout);
    requireAtLeast("session-max-restarts", sessionMaxRestarts, 0);
    requirePositive("session-restart-window", sessionRestartWindow);
    requirePositive("result-ttl", resultTtl);
    requirePositive("max-await", maxAwait);
    requireAtLeast("read-output-max", readOutputMaxBytes, 4);
    requirePositive("output-poll-interval", outputPollInterval);
    requirePositive("ask-timeout", askTimeout);
    if (defaultTimeout.compareTo(maxTimeout) > 0) {
      throw new IllegalArgumentException(
          "execpool.default-timeout " + defaultTimeout + " is above execpool.max-timeout " + maxTimeout);
    }
    shell = List.copyOf(shell);
    envDenyPatterns = List.copyOf(envDenyPatterns);
    envCoreNames = List.copyOf(envCoreNames);
  }

  /** Reads the {@code execpool} block of a full configuration (the actor system's, usually). */
  public static ExecPoolSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    String cwd = c.getString("default-cwd");
    String osName = c.getString("os-name");
    return new ExecPoolSettings(
        c.getInt("max-concurrent"),
        c.getInt("max-queued"),
        c.getInt("max-pending-per-session"),
        c.getDuration("default-timeout"),
        c.getDuration("max-timeout"),
        c.getDuration("kill-grace"),
        c.getDuration("pipe-drain"),
        c.getDuration("shutdown-grace"),
        c.getBytes("max-output").intValue(),
        c.getBytes("read-chunk").intValue(),
        c.getBytes("max-command-bytes").intValue(),
        c.getInt("max-id-length"),
        cwd.isBlank() ? Optional.empty() : Optional.of(Path.of(cwd)),
        c.getStringList("shell"),
        osName.isBlank() ? System.getProperty("os.name", "") : osName,
        choice(c, "launcher", Launcher.class),
        choice(c, "env-inherit", ChildEnvironment.Inherit.class),
        c.getStringList("env-deny-patterns"),
        c.getStringList("env-core-names"),
        c.getDuration("session-idle-timeout"),
        c.getInt("session-max-restarts"),
        c.getDuration("session-restart-window"),
        c.getDuration("result-ttl"),
        c.getDuration("max-await"),
        c.getBytes("read-output-max").intValue(),
        c.getDuration("output-poll-interval"),
        c.getDuration("ask-timeout"),
        CONFIG_PATH + ".io-dispatcher",
        CONFIG_PATH + ".short-io-dispatcher");
  }

  /** {@code execpool.launcher}: how task processes are started and watched. */
  public enum Launcher {
    AUTO,
    NATIVE,
    JDK
  }

  /** True when {@code max-concurrent} is 0, meaning no limit. */
  public boolean unlimitedConcurrency() {
    return maxConcurrent == 0;
  }

  /** An enum setting; a wrong value names the key and the values it may take. */
  private static <E extends Enum<E>> E choice(Config c, String key, Class<E> type) {
    String value = c.getString(key);
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "execpool." + key + " must be one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
              + ", got \"" + value + "\"");
    }
  }

  private static void requireAtLeast(String key, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException("execpool." + key + " must be at least " + min + ", got " + value);
    }
  }

  private static void requirePositive(String key, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException("execpool." + key + " must be positive, got " + value);
    }
  }
}
