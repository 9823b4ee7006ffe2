package dev.execpool.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.execpool.ExecPoolSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The settings users change most, as options layered over {@code application.conf} (and any
 * {@code -Dexecpool.*} system property): an option given wins, an option left out changes nothing.
 */
final class PoolOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--max-concurrent",
      paramLabel = "N",
      description = "Commands that may run at once; more wait in a fair queue. 0 = no limit. (execpool.max-concurrent)")
  Integer maxConcurrent;

  @Option(
      names = "--default-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Timeout of a command whose call names none, e.g. 30s, 5m, 1h or a number of seconds. (execpool.default-timeout)")
  Duration defaultTimeout;

  @Option(
      names = "--cwd",
      paramLabel = "DIR",
      description = "Working directory of a command whose call names none. (execpool.default-cwd)")
  Path cwd;

  /** The overrides on top of the usual configuration, checked the way the pool will check them. */
  Config config() {
    Map<String, Object> overrides = new LinkedHashMap<>();
    if (maxConcurrent != null) {
      if (maxConcurrent < 0) {
        throw invalid("--max-concurrent must be 0 (no limit) or more, got " + maxConcurrent);
      }
      overrides.put("execpool.max-concurrent", maxConcurrent);
    }
    if (defaultTimeout != null) {
      overrides.put("execpool.default-timeout", defaultTimeout.toMillis() + "ms");
    }
    if (cwd != null) {
      if (!Files.isDirectory(cwd)) {
        throw invalid("--cwd " + cwd + " is not an existing directory");
      }
      overrides.put("execpool.default-cwd", cwd.toAbsolutePath().normalize().toString());
    }
    Config config = ConfigFactory.parseMap(overrides, "command-line options").withFallback(ConfigFactory.load());
    try {
      ExecPoolSettings.fromConfig(config);
    } catch (IllegalArgumentException | ConfigException e) {
      throw invalid(e.getMessage());
    }
    return config;
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** 30s, 5m, 1h, 500ms (HOCON durations), or a bare number of seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SECONDS = Pattern.compile("\\d+");

    @Override
    public Duration convert(String value) {
      String text = value.trim();
      Duration d;
      if (SECONDS.matcher(text).matches()) {
        d = Duration.ofSeconds(Long.parseLong(text));
      } else {
        try {
          d = ConfigFactory.parseMap(Map.of("d", text)).getDuration("d");
        } catch (ConfigException e) {
          throw new TypeConversionException(
              "'" + value + "' is not a duration: use e.g. 30s, 5m, 1h or a number of seconds");
        }
      }
      if (d.isZero() || d.isNegative()) {
        throw new TypeConversionException("'" + value + "' must be a positive duration");
      }
      return d;
    }
  }
}
