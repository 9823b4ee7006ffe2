package dev.execpool.cli;

import dev.execpool.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code execpool demo}: the scripted two-session demo, transcript on stdout. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run the demo: two agent sessions hand the pool commands and collect results over several turns.")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    Demo.main(new String[0]);
    return 0;
  }
}
