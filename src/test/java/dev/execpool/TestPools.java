package dev.execpool;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Pools with fast test settings, and a bounded way to wait for a stage. */
final class TestPools {
  private TestPools() {}

  /** Short graces so timeout paths run in about a second; {@code overrides} is HOCON. */
  static Config config(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(
            ConfigFactory.parseString(
                "execpool { kill-grace = 1s, pipe-drain = 500ms, shutdown-grace = 1s }"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  static ExecPool start(String overrides) {
    return ExecPool.start(config(overrides));
  }

  /** Waits at most 20 s: long enough for a loaded CI machine, short enough to fail a hang. */
  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage did not complete: " + e, e);
    }
  }
}
