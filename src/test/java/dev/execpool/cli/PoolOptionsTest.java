package dev.execpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PoolOptionsTest {
  @TempDir Path tmp;

  @Test
  void durationsTakeUnitsOrBareSeconds() {
    PoolOptions.DurationConverter c = new PoolOptions.DurationConverter();
    assertEquals(Duration.ofSeconds(30), c.convert("30"));
    assertEquals(Duration.ofSeconds(30), c.convert("30s"));
    assertEquals(Duration.ofMinutes(5), c.convert("5m"));
    assertEquals(Duration.ofMillis(500), c.convert("500ms"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("soon"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("0s"));
  }

  @Test
  void optionsOverrideTheConfigurationAndLeaveTheRestAlone() {
    PoolOptions options = parse("--max-concurrent", "7", "--default-timeout", "45s", "--cwd", tmp.toString());
    Config config = options.config();
    assertEquals(7, config.getInt("execpool.max-concurrent"));
    assertEquals(Duration.ofSeconds(45), config.getDuration("execpool.default-timeout"));
    assertEquals(tmp.toAbsolutePath().normalize().toString(), config.getString("execpool.default-cwd"));
    assertEquals(64, config.getInt("execpool.max-queued"));
  }

  @Test
  void badCombinationsAreParameterErrorsThatNameTheSetting() {
    PoolOptions tooLong = parse("--default-timeout", "3h");
    CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, tooLong::config);
    assertTrue(e.getMessage().contains("above execpool.max-timeout"), e.getMessage());
  }

  @Test
  void aBadValueExitsWithCodeTwo() {
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setErr(new PrintWriter(err)).execute("mcp", "--max-concurrent", "-3");
    assertEquals(2, code);
    assertTrue(err.toString().contains("--max-concurrent must be 0 (no limit) or more, got -3"), err.toString());
  }

  private static PoolOptions parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder.options;
  }

  @CommandLine.Command(name = "holder")
  static final class Holder {
    @CommandLine.Mixin PoolOptions options;
  }
}
