package dev.execpool;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The rules a request must meet before the pool accepts it. Each refusal is an {@link
 * IllegalArgumentException} whose message names the field and the limit, so the caller (often a
 * model) can correct the call. The facade runs these checks on the caller's thread; the supervisor
 * runs them again for actors that send {@code Spawn} directly.
 */
public final class RequestValidator {
  /**
   * Ids end up in actor names, log lines and the child's environment, so they are kept to characters
   * that are inert in all three: no shell metacharacters, no whitespace, no path separators.
   */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@+=-]*");

  static final String ID_RULE = "letters, digits and _ . : @ + = - (not first)";

  private final ExecPoolSettings settings;

  public RequestValidator(ExecPoolSettings settings) {
    this.settings = settings;
  }

  public void validate(ExecRequest request) {
    if (request == null) {
      throw new IllegalArgumentException("request must not be null");
    }
    requireId("sessionKey", request.sessionKey(), true);
    requireId("taskId", request.taskId(), false);
    requireId("toolCallId", request.toolCallId(), false);
    requireCommand(request.command());
    requireTimeout(request.timeout());
    if (request.cwd() != null && !Files.isDirectory(request.cwd())) {
      throw new IllegalArgumentException("cwd " + request.cwd() + " is not an existing directory");
    }
    request.env().forEach(RequestValidator::requireEnvVariable);
  }

  /** Checks one id; {@code required} ids must be present. */
  public void requireId(String field, String value, boolean required) {
    if (value == null) {
      if (required) {
        throw new IllegalArgumentException(field + " is required");
      }
      return;
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    if (value.length() > settings.maxIdLength()) {
      throw new IllegalArgumentException(
          field + " is " + value.length() + " characters long; the limit is " + settings.maxIdLength());
    }
    if (!ID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field + " " + printable(value) + " has a character outside " + ID_RULE);
    }
  }

  private void requireCommand(String command) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("command must not be blank");
    }
    int nul = command.indexOf('\0');
    if (nul >= 0) {
      throw new IllegalArgumentException("command contains a NUL character at index " + nul);
    }
    int bytes = command.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > settings.maxCommandBytes()) {
      throw new IllegalArgumentException(
          "command is "
              + bytes
              + " bytes long; the limit (execpool.max-command-bytes) is "
              + settings.maxCommandBytes());
    }
  }

  private void requireTimeout(Duration timeout) {
    if (timeout == null) {
      return;
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout.toMillis() + " ms");
    }
    if (timeout.compareTo(settings.maxTimeout()) > 0) {
      throw new IllegalArgumentException(
          "timeout of "
              + timeout.toMillis()
              + " ms is above the limit (execpool.max-timeout) of "
              + settings.maxTimeout().toMillis()
              + " ms");
    }
  }

  private static void requireEnvVariable(String name, String value) {
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "env variable name " + printable(name) + " must be non-empty, without '=' or NUL");
    }
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("env variable " + name + " has a NUL character in its value");
    }
  }

  /** Shows an offending value without letting it break the log line it lands in. */
  static String printable(String value) {
    String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
    StringBuilder out = new StringBuilder("'");
    shown.codePoints()
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append('\'').toString();
  }
}
