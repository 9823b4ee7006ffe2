package dev.execpool.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the argv prefix a command string is appended to. Kept in one place so the foreground and
 * background paths of an agent runtime cannot drift apart.
 */
public final class ShellSelector {
  /**
   * PowerShell with {@code -ExecutionPolicy Bypass}: npm/npx resolve to {@code .ps1} wrappers that the
   * default Restricted policy blocks; the flag applies to this process only, not the machine policy.
   */
  static final List<String> WINDOWS =
      List.of("powershell", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command");

  static final List<String> UNIX = List.of("sh", "-c");

  private static final List<Path> SETSID_LOCATIONS =
      List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

  private ShellSelector() {}

  public static boolean isWindows(String osName) {
    return osName.toLowerCase(Locale.ROOT).startsWith("windows");
  }

  /** The shell for {@code osName}, or {@code configured} when it is not empty. */
  public static List<String> select(List<String> configured, String osName) {
    return List.copyOf(configured.isEmpty() ? (isWindows(osName) ? WINDOWS : UNIX) : configured);
  }

  /**
   * Where this machine's setsid lives, or null when it has none (macOS) or should not use it
   * (Windows). Run first, setsid makes the shell lead a new session and process group whose id is its
   * own pid: a Java child is not a group leader, so setsid execs in place rather than forking.
   */
  public static Path findSetsid(String osName) {
    if (isWindows(osName)) {
      return null;
    }
    return SETSID_LOCATIONS.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }
}
