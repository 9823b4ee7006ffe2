package dev.execpool.process;

import com.typesafe.config.Config;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;

/**
 * The executor behind {@code execpool.io-dispatcher}: a thread per blocking job, created on demand
 * and reused, never a queue.
 *
 * <p>Why not Pekko's {@code thread-pool-executor}: it queues work once its core threads are busy, and
 * every job here is a pipe read that blocks for as long as its command runs. A queued read would wait
 * for some unrelated command to end, so one quiet task could delay another's output by minutes. With a
 * hand-off queue ({@link SynchronousQueue}) every job gets a thread at once, up to {@code max-threads};
 * idle threads die after {@code keep-alive}.
 */
public final class ElasticPoolConfigurator extends ExecutorServiceConfigurator {
  private final int maxThreads;
  private final long keepAliveMillis;

  public ElasticPoolConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    Config pool = config.getConfig("elastic-pool");
    this.maxThreads = pool.getInt("max-threads");
    this.keepAliveMillis = pool.getDuration("keep-alive", TimeUnit.MILLISECONDS);
    if (maxThreads < 1) {
      throw new IllegalArgumentException("elastic-pool.max-threads must be at least 1, got " + maxThreads);
    }
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
    return () ->
        new ThreadPoolExecutor(
            0, maxThreads, keepAliveMillis, TimeUnit.MILLISECONDS, new SynchronousQueue<>(), threadFactory);
  }
}
