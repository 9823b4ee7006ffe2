package dev.execpool.process.linux;

import com.sun.jna.LastErrorException;
import dev.execpool.process.ProcessControl;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A spawned shell and its exit: watched through a pidfd on the {@link EpollLoop}, reaped there with
 * {@code waitpid}. Reaping and killing share one lock, so SIGKILL never reaches a pid that was reaped
 * and could belong to someone else by now.
 */
final class NativeChild implements ProcessControl, EpollLoop.Watch {
  private static final LibC libc = LibC.INSTANCE;

  private final EpollLoop loop;
  private final int pid;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private boolean reaped; // guarded by this

  NativeChild(EpollLoop loop, int pid) {
    this.loop = loop;
    this.pid = pid;
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public CompletionStage<Integer> onExit() {
    return exit;
  }

  @Override
  public synchronized void destroyForcibly() {
    if (!reaped) {
      try {
        libc.kill(pid, LibC.SIGKILL);
      } catch (LastErrorException e) {
        // ESRCH cannot happen before the reap; anything else leaves nothing to do.
      }
    }
  }

  @Override
  public boolean holdsChild() {
    return true;
  }

  /** The pidfd is readable: the child has exited. */
  @Override
  public void onReady(long id) {
    int[] status = new int[1];
    Integer code;
    synchronized (this) {
      try {
        if (libc.waitpid(pid, status, LibC.WNOHANG) == 0) {
          loop.rearm(id); // not yet (cannot happen for a pidfd, but costs nothing to handle)
          return;
        }
        code = decode(status[0]);
      } catch (LastErrorException e) {
        code = null; // ECHILD: reaped elsewhere (SIGCHLD ignored by someone), the code is lost
      }
      reaped = true;
    }
    loop.closeLater(id);
    exit.complete(code);
  }

  @Override
  public void abandon(long id) {
    exit.completeExceptionally(new IllegalStateException("the process event loop stopped before pid " + pid + " exited"));
  }

  /** waitpid's status as the shell reports it: the exit code, or 128 + the signal's number. */
  static int decode(int status) {
    int signal = status & 0x7f;
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
  }
}
