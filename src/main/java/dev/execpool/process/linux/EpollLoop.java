package dev.execpool.process.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that waits on every task's pipes and exit at once (epoll), so a running task holds no
 * thread of its own: with {@code java.lang.Process} each one holds three (two pipe readers and the
 * JDK's reaper).
 *
 * <p>Every watch is one-shot: after it fires it stays quiet until {@link #rearm} (a pipe reader
 * re-arms only once its chunk was taken by the stream, which is the backpressure). The event's data
 * is a watch id that is never reused, so an event for a watch removed meanwhile, whose fd number may
 * already belong to a new pipe, finds nothing and is dropped. Fds are closed only on the loop's
 * thread ({@link #closeLater}), so the loop never reads an fd number that has been reused.
 *
 * <p>The loop runs as one long task on the executor it is given (the pool's I/O dispatcher). After
 * {@link #shutdown} it keeps running only while exit watches remain, so children the pool killed on
 * its way down are still reaped, bounded by {@code reapBoundMillis}.
 */
final class EpollLoop {
  private static final Logger log = LoggerFactory.getLogger(EpollLoop.class);
  private static final LibC libc = LibC.INSTANCE;
  /** struct epoll_event is packed on x86_64 (12 bytes), naturally aligned elsewhere (16). */
  private static final boolean PACKED = Platform.isIntel();
  private static final int EVENT_BYTES = PACKED ? 12 : 16;
  private static final int DATA_OFFSET = PACKED ? 4 : 8;
  private static final int MAX_EVENTS = 64;

  /** Runs on the loop's thread when its fd is ready; must not block. */
  interface Watch {
    void onReady(long id);

    /** True for a process-exit watch: the loop outlives a shutdown until these are gone. */
    default boolean holdsChild() {
      return false;
    }

    /** The loop is going away: release what the watch holds (close its fd, fail its stream). */
    void abandon(long id);
  }

  private final int epollFd;
  private final int wakeFd;
  private final Memory wakeValue = new Memory(8);
  private final Map<Long, Registration> watches = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Runnable> onLoop = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong(1); // 0 is the wake-up fd
  private final long reapBoundMillis;
  private volatile boolean shuttingDown;
  private volatile Thread loopThread;

  private record Registration(int fd, Watch watch) {}

  EpollLoop(Executor executor, long reapBoundMillis) {
    this.epollFd = libc.epoll_create1(LibC.EPOLL_CLOEXEC);
    this.wakeFd = libc.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
    this.reapBoundMillis = reapBoundMillis;
    wakeValue.setLong(0, 1);
    control(LibC.EPOLL_CTL_ADD, wakeFd, LibC.EPOLLIN, 0);
    executor.execute(this::run);
  }

  /** Watches {@code fd} for input (or hang-up); fires once, then again after each {@link #rearm}. */
  long add(int fd, Watch watch) {
    long id = ids.getAndIncrement();
    watches.put(id, new Registration(fd, watch));
    control(LibC.EPOLL_CTL_ADD, fd, LibC.EPOLLIN | LibC.EPOLLONESHOT, id);
    return id;
  }

  /**
   * Arms a fired watch again. From any thread, but the call itself is made on the loop's thread:
   * there the fd cannot have been closed and its number handed to a new pipe in between.
   */
  void rearm(long id) {
    if (Thread.currentThread() == loopThread) {
      rearmNow(id);
    } else {
      execute(() -> rearmNow(id));
    }
  }

  private void rearmNow(long id) {
    Registration registration = watches.get(id);
    if (registration != null) {
      control(LibC.EPOLL_CTL_MOD, registration.fd(), LibC.EPOLLIN | LibC.EPOLLONESHOT, id);
    }
  }

  /** Stops watching and closes the fd, on the loop's thread. Any thread may call it. */
  void closeLater(long id) {
    onLoop.add(() -> removeAndClose(id));
    wake();
  }

  /** Runs {@code task} on the loop's thread, soon. */
  void execute(Runnable task) {
    onLoop.add(task);
    wake();
  }

  /** No new watches are expected; the loop ends once no child is left to reap. */
  void shutdown() {
    shuttingDown = true;
    wake();
  }


  private void run() {
    loopThread = Thread.currentThread();
    String name = loopThread.getName();
    loopThread.setName(name + "-epoll");
    Memory events = new Memory((long) EVENT_BYTES * MAX_EVENTS);
    long deadline = Long.MAX_VALUE;
    try {
      while (true) {
        runQueued();
        if (shuttingDown) {
          if (deadline == Long.MAX_VALUE) {
            deadline = System.currentTimeMillis() + reapBoundMillis;
          }
          if (watches.values().stream().noneMatch(r -> r.watch().holdsChild())
              || System.currentTimeMillis() > deadline) {
            break;
          }
        }
        int ready;
        try {
          ready = libc.epoll_wait(epollFd, events, MAX_EVENTS, shuttingDown ? 50 : -1);
        } catch (LastErrorException e) {
          if (e.getErrorCode() == LibC.EINTR) {
            continue;
          }
          throw e;
        }
        for (int i = 0; i < ready; i++) {
          long id = events.getLong((long) i * EVENT_BYTES + DATA_OFFSET);
          if (id == 0) {
            drainWakeups();
            continue;
          }
          Registration registration = watches.get(id);
          if (registration != null) {
            fire(id, registration);
          }
        }
      }
    } catch (RuntimeException | Error e) {
      log.error("the process event loop failed; abandoning every watched pipe and child", e);
    } finally {
      abandonAll();
      libc.close(wakeFd);
      libc.close(epollFd);
      loopThread.setName(name);
    }
  }

  private void fire(long id, Registration registration) {
    try {
      registration.watch().onReady(id);
    } catch (RuntimeException e) {
      log.error("a process watch failed; closing it", e);
      removeAndClose(id);
      registration.watch().abandon(id);
    }
  }

  private void runQueued() {
    for (Runnable task = onLoop.poll(); task != null; task = onLoop.poll()) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("a task on the process event loop failed", e);
      }
    }
  }

  private void removeAndClose(long id) {
    Registration registration = watches.remove(id);
    if (registration != null) {
      try {
        control(LibC.EPOLL_CTL_DEL, registration.fd(), 0, id);
      } catch (LastErrorException e) {
        // Already gone from the set: closing is all that is left.
      }
      libc.close(registration.fd());
    }
  }

  private void abandonAll() {
    for (Long id : watches.keySet()) {
      Registration registration = watches.get(id);
      removeAndClose(id);
      if (registration != null) {
        registration.watch().abandon(id);
      }
    }
  }

  private void wake() {
    try {
      libc.write(wakeFd, wakeValue, 8);
    } catch (LastErrorException e) {
      // EAGAIN: the counter is already non-zero, a wake-up is pending anyway.
    }
  }

  private void drainWakeups() {
    try (Memory sink = new Memory(8)) {
      libc.read(wakeFd, sink, 8);
    } catch (LastErrorException e) {
      // EAGAIN: another event already drained it.
    }
    control(LibC.EPOLL_CTL_MOD, wakeFd, LibC.EPOLLIN, 0);
  }

  private void control(int operation, int fd, int events, long id) {
    try (Memory event = new Memory(EVENT_BYTES)) {
      event.setInt(0, events);
      event.setLong(DATA_OFFSET, id);
      libc.epoll_ctl(epollFd, operation, fd, event);
    }
  }
}
