package dev.execpool.mcp;

import java.util.Map;
import java.util.Optional;

/**
 * One tool call's arguments, read with checks whose messages name the argument and its bounds, so
 * the model can correct the call. The SDK checks types and required fields against the JSON schema
 * first; these checks catch the rest (ranges, blank strings) and guard clients that skip schemas.
 */
final class ToolArgs {
  private final Map<String, Object> args;

  ToolArgs(Map<String, Object> args) {
    this.args = args == null ? Map.of() : args;
  }

  String requiredString(String name) {
    return optionalString(name).orElseThrow(() -> new IllegalArgumentException(name + " is required"));
  }

  Optional<String> optionalString(String name) {
    Object value = args.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(name + " must be a string, got " + describe(value));
    }
    if (s.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return Optional.of(s);
  }

  /** A whole number within [min, max], or {@code fallback} when absent. */
  long integer(String name, long min, long max, long fallback) {
    Object value = args.get(name);
    if (value == null) {
      return fallback;
    }
    long n;
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      n = ((Number) value).longValue();
    } else if (value instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())
        && Math.abs(num.doubleValue()) < 1e15) {
      n = num.longValue(); // 5.0 from a JSON client that has only doubles
    } else {
      throw new IllegalArgumentException(
          name + " must be a whole number between " + min + " and " + max + ", got " + describe(value));
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  private static String describe(Object value) {
    String text = value instanceof String s ? "'" + s + "'" : String.valueOf(value);
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
