package dev.execpool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellSelectorTest {

  @Test
  void unixLikesUseSh() {
    assertEquals(List.of("sh", "-c"), ShellSelector.select(List.of(), "Linux"));
    assertEquals(List.of("sh", "-c"), ShellSelector.select(List.of(), "Mac OS X"));
  }

  @Test
  void windowsUsesPowerShellWithBypassAndNoSetsid() {
    assertEquals(
        List.of("powershell", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command"),
        ShellSelector.select(List.of(), "Windows 11"));
    assertNull(ShellSelector.findSetsid("Windows 11"));
  }

  @Test
  void aConfiguredShellWins() {
    assertEquals(List.of("bash", "-c"), ShellSelector.select(List.of("bash", "-c"), "Linux"));
  }
}
