package dev.execpool.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolArgsTest {
  @Test
  void integersOutsideTheirRangeNameTheArgumentAndTheBounds() {
    ToolArgs args = new ToolArgs(Map.of("timeout_seconds", 0));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> args.integer("timeout_seconds", 1, 7200, 120));
    assertEquals("timeout_seconds must be between 1 and 7200, got 0", e.getMessage());
  }

  @Test
  void wholeDoublesAreAcceptedButFractionsAndStringsAreNot() {
    assertEquals(5, new ToolArgs(Map.of("n", 5.0)).integer("n", 0, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> new ToolArgs(Map.of("n", 5.5)).integer("n", 0, 10, 1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ToolArgs(Map.of("n", "5")).integer("n", 0, 10, 1));
    assertEquals("n must be a whole number between 0 and 10, got '5'", e.getMessage());
  }

  @Test
  void absentValuesFallBackAndBlankStringsAreRefused() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("cwd", null);
    ToolArgs args = new ToolArgs(raw);
    assertEquals(42, args.integer("yield_ms", 0, 100, 42));
    assertEquals(java.util.Optional.empty(), args.optionalString("cwd"));
    assertEquals("command is required", assertThrows(IllegalArgumentException.class, () -> args.requiredString("command")).getMessage());
    assertEquals(
        "command must not be blank",
        assertThrows(IllegalArgumentException.class, () -> new ToolArgs(Map.of("command", " ")).requiredString("command"))
            .getMessage());
  }
}
