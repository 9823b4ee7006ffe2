package dev.execpool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {
  private static final List<String> DENY = List.of("*KEY*", "*SECRET*", "*TOKEN*", "*PASSWORD*", "*CREDENTIAL*");
  private static final Map<String, String> JVM =
      Map.of(
          "PATH", "/bin",
          "HOME", "/root",
          "OPENAI_API_KEY", "sk-1",
          "My_Secret_Token", "t",
          "DB_PASSWORD", "p",
          "EDITOR", "vi");

  @Test
  void inheritsAllButSecrets() {
    ChildEnvironment env = new ChildEnvironment(ChildEnvironment.Inherit.ALL, DENY, List.of("PATH"), JVM);

    assertEquals(Map.of("PATH", "/bin", "HOME", "/root", "EDITOR", "vi"), env.build(Map.of(), Map.of()));
  }

  @Test
  void coreKeepsOnlyTheNamedVariables() {
    ChildEnvironment env = new ChildEnvironment(ChildEnvironment.Inherit.CORE, DENY, List.of("PATH", "HOME"), JVM);

    assertEquals(Map.of("PATH", "/bin", "HOME", "/root"), env.build(Map.of(), Map.of()));
  }

  @Test
  void noneKeepsNothingButWhatTheRequestAndPoolAdd() {
    ChildEnvironment env = new ChildEnvironment(ChildEnvironment.Inherit.NONE, DENY, List.of("PATH"), JVM);

    assertEquals(
        Map.of("MY_TOKEN", "explicit", "EXECPOOL_TASK_ID", "t1"),
        env.build(Map.of("MY_TOKEN", "explicit"), Map.of("EXECPOOL_TASK_ID", "t1")));
  }

  @Test
  void patternsAreCaseInsensitiveGlobs() {
    ChildEnvironment env = new ChildEnvironment(ChildEnvironment.Inherit.ALL, DENY, List.of(), Map.of());

    assertTrue(env.isDenied("github_token"));
    assertTrue(env.isDenied("AWS_SECRET_ACCESS_KEY"));
    assertFalse(env.isDenied("PATH"));
    assertFalse(env.isDenied("TOKE"));
  }
}
