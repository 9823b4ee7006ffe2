package dev.execpool.process;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds a child's environment: the JVM's variables as {@code env-inherit} allows, always minus those
 * whose names look like secrets, then the request's own variables (a caller who passes a variable
 * explicitly wants the child to have it), then the pool's markers.
 */
public final class ChildEnvironment {
  /** Which of the JVM's variables a child inherits before the secret filter. */
  public enum Inherit {
    ALL,
    CORE,
    NONE
  }

  private final Map<String, String> inherited;
  private final List<Pattern> denied;

  public ChildEnvironment(
      Inherit inherit, List<String> denyGlobs, List<String> coreNames, Map<String, String> jvmEnv) {
    this.denied = denyGlobs.stream().map(ChildEnvironment::globToPattern).toList();
    Map<String, String> kept = new LinkedHashMap<>();
    List<String> core = coreNames.stream().map(n -> n.toUpperCase(Locale.ROOT)).toList();
    jvmEnv.forEach(
        (name, value) -> {
          boolean wanted =
              switch (inherit) {
                case ALL -> true;
                case CORE -> core.contains(name.toUpperCase(Locale.ROOT));
                case NONE -> false;
              };
          if (wanted && !isDenied(name)) {
            kept.put(name, value);
          }
        });
    this.inherited = Map.copyOf(kept);
  }

  /** True when {@code name} matches a secret pattern (case-insensitive). */
  public boolean isDenied(String name) {
    return denied.stream().anyMatch(p -> p.matcher(name).matches());
  }

  /** The full environment for one child. */
  public Map<String, String> build(Map<String, String> requested, Map<String, String> markers) {
    Map<String, String> env = new LinkedHashMap<>(inherited);
    env.putAll(requested);
    env.putAll(markers);
    return env;
  }

  /** {@code *} matches any run of characters, everything else is literal. */
  static Pattern globToPattern(String glob) {
    String regex =
        Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
    return Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
  }
}
