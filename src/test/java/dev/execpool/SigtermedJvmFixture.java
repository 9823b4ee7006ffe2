package dev.execpool;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A separate JVM for {@link SigtermTest}: starts a pool, runs one task that appends to a file for
 * ever, writes "ready" to stdout, and waits to be sent SIGTERM. What should stop the task then is
 * Pekko's JVM shutdown hook, which runs CoordinatedShutdown and with it the pool's kill task.
 */
public final class SigtermedJvmFixture {
  private SigtermedJvmFixture() {}

  public static void main(String[] args) throws Exception {
    Path growing = Path.of(args[0]);
    Path pidFile = Path.of(args[1]);
    ExecPool pool = ExecPool.start(TestPools.config("execpool.shutdown-grace = 2s"));
    pool.spawn(
            ExecRequest.of(
                "sigterm",
                "echo $$ > " + pidFile + "; while true; do echo tick >> " + growing + "; sleep 0.05; done"))
        .toCompletableFuture()
        .join();
    System.out.println("ready");
    System.out.flush();
    new CountDownLatch(1).await(); // until the JVM is told to stop
  }
}
