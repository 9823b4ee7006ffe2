package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestValidatorTest {
  private final ExecPoolSettings settings = ExecPoolSettings.fromConfig(TestPools.config(""));
  private final RequestValidator validator = new RequestValidator(settings);

  @TempDir Path tmp;

  private void assertRefused(ExecRequest request, String... mustMention) {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> validator.validate(request));
    for (String word : mustMention) {
      assertTrue(refused.getMessage().contains(word), () -> "'" + refused.getMessage() + "' lacks " + word);
    }
  }

  @Test
  void refusesBlankOrMissingSessionAndCommand() {
    assertRefused(ExecRequest.of(null, "true"), "sessionKey");
    assertRefused(ExecRequest.of("  ", "true"), "sessionKey");
    assertRefused(ExecRequest.of("s", ""), "command");
    assertRefused(ExecRequest.of("s", null), "command");
  }

  @Test
  void refusesIdsThatCouldReachAShellOrALogLine() {
    for (String id : new String[] {"$(touch X)", "a;b", "a\nb", "a\0b", "a b", "../x", "x".repeat(10_000)}) {
      assertRefused(ExecRequest.of(id, "true"), "sessionKey");
      assertRefused(ExecRequest.of("s", "true").withTaskId(id), "taskId");
      assertRefused(ExecRequest.of("s", "true").withToolCallId(id), "toolCallId");
    }
    assertRefused(ExecRequest.of("x".repeat(129), "true"), "sessionKey", "129", "128");
    assertDoesNotThrow(() -> validator.validate(ExecRequest.of("agent:main@host-1.x_y", "true").withToolCallId("toolu_01AB")));
  }

  @Test
  void refusesNulAndOversizedCommandsNamingTheLimit() {
    assertRefused(ExecRequest.of("s", "echo a\0b"), "command", "NUL");
    assertRefused(ExecRequest.of("s", "x".repeat(settings.maxCommandBytes() + 1)), "command", "max-command-bytes", String.valueOf(settings.maxCommandBytes()));
    assertDoesNotThrow(() -> validator.validate(ExecRequest.of("s", "x".repeat(settings.maxCommandBytes()))));
  }

  @Test
  void refusesTimeoutsOutOfRangeAndAcceptsExactlyTheMaximum() {
    assertRefused(ExecRequest.of("s", "true").withTimeout(Duration.ZERO), "timeout", "positive");
    assertRefused(ExecRequest.of("s", "true").withTimeout(Duration.ofSeconds(-1)), "timeout", "positive");
    assertRefused(ExecRequest.of("s", "true").withTimeout(settings.maxTimeout().plusMillis(1)), "timeout", "max-timeout");
    assertDoesNotThrow(() -> validator.validate(ExecRequest.of("s", "true").withTimeout(settings.maxTimeout())));
  }

  @Test
  void refusesAMissingWorkingDirectoryAndBadVariables() {
    assertRefused(ExecRequest.of("s", "true").withCwd(tmp.resolve("nope")), "cwd", "nope");
    assertRefused(ExecRequest.of("s", "true").withEnv("A=B", "1"), "env", "A=B");
    assertRefused(ExecRequest.of("s", "true").withEnv("A", "x\0y"), "env", "NUL");
    assertDoesNotThrow(() -> validator.validate(ExecRequest.of("s", "true").withCwd(tmp).withEnv("A", "1")));
  }
}
