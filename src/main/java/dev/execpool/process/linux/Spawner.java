package dev.execpool.process.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One {@code posix_spawn}: the shell becomes a session and group leader (POSIX_SPAWN_SETSID) with an
 * empty signal mask and every signal at its default, stdin from {@code /dev/null}, stdout and stderr
 * on fresh pipes, and every other descriptor closed ({@code closefrom(3)}), so nothing the JVM holds
 * leaks into the task. glibc spawns with {@code CLONE_VFORK}: no copy of the JVM's address space and
 * a single exec (the shell's), where {@code ProcessBuilder} plus setsid costs three.
 */
final class Spawner {
  private static final LibC libc = LibC.INSTANCE;
  private static final byte[] DEV_NULL = nulTerminated("/dev/null");

  /** A spawned child: its pid and the parent's (non-blocking) read ends of its output pipes. */
  record Spawned(int pid, int stdoutFd, int stderrFd) {}

  private Spawner() {}

  /**
   * @throws SpawnException with the C library's words for why the spawn failed (nothing leaks then)
   */
  static Spawned spawn(Path program, List<String> argv, Map<String, String> env, Path cwd) {
    int[] out = pipe();
    int[] err;
    try {
      err = pipe();
    } catch (SpawnException e) {
      closeAll(out[0], out[1]);
      throw e;
    }
    int[] pid = new int[1];
    int rc;
    try (Memory actions = new Memory(LibC.FILE_ACTIONS_BYTES);
        Memory attributes = new Memory(LibC.SPAWN_ATTR_BYTES);
        Memory signals = new Memory(LibC.SIGSET_BYTES)) {
      libc.posix_spawn_file_actions_init(actions);
      libc.posix_spawnattr_init(attributes);
      try {
        require(libc.posix_spawn_file_actions_addopen(actions, 0, DEV_NULL, LibC.O_RDONLY, 0), "stdin");
        require(libc.posix_spawn_file_actions_adddup2(actions, out[1], 1), "stdout");
        require(libc.posix_spawn_file_actions_adddup2(actions, err[1], 2), "stderr");
        require(libc.posix_spawn_file_actions_addchdir_np(actions, nulTerminated(cwd.toString())), "cwd");
        require(libc.posix_spawn_file_actions_addclosefrom_np(actions, 3), "closefrom");
        libc.sigemptyset(signals);
        require(libc.posix_spawnattr_setsigmask(attributes, signals), "signal mask");
        libc.sigfillset(signals);
        require(libc.posix_spawnattr_setsigdefault(attributes, signals), "signal defaults");
        require(
            libc.posix_spawnattr_setflags(
                attributes,
                (short) (LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF)),
            "flags");
        CStrings args = CStrings.of(argv.toArray(String[]::new));
        CStrings environment = CStrings.of(entries(env));
        rc = libc.posix_spawn(pid, nulTerminated(program.toString()), actions, attributes, args.table(), environment.table());
        // The tables point into the blocks by address only: keep the blocks alive past the call.
        Reference.reachabilityFence(args);
        Reference.reachabilityFence(environment);
      } finally {
        libc.posix_spawn_file_actions_destroy(actions);
        libc.posix_spawnattr_destroy(attributes);
      }
    } catch (SpawnException e) {
      closeAll(out[0], out[1], err[0], err[1]);
      throw e;
    }
    closeAll(out[1], err[1]); // the child holds its own copies now
    if (rc != 0) {
      closeAll(out[0], err[0]);
      throw new SpawnException(libc.strerror(rc));
    }
    nonBlocking(out[0]);
    nonBlocking(err[0]);
    return new Spawned(pid[0], out[0], err[0]);
  }

  private static int[] pipe() {
    int[] fds = new int[2];
    try {
      libc.pipe2(fds, LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new SpawnException("cannot create a pipe: " + libc.strerror(e.getErrorCode()));
    }
    return fds;
  }

  /** Only the parent's read end: the flag belongs to the open file, and the child's end is another. */
  private static void nonBlocking(int fd) {
    libc.fcntl(fd, LibC.F_SETFL, LibC.O_NONBLOCK);
  }

  private static String[] entries(Map<String, String> env) {
    return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
  }

  private static void require(int rc, String step) {
    if (rc != 0) {
      throw new SpawnException("posix_spawn setup (" + step + ") failed: " + libc.strerror(rc));
    }
  }

  private static void closeAll(int... fds) {
    for (int fd : fds) {
      libc.close(fd);
    }
  }

  /**
   * A C string array ({@code char *[]}, NULL-ended) in native memory: one block of NUL-terminated
   * UTF-8 strings and the table of pointers into it. JNA's {@code StringArray} would do, but JNA
   * reads every string back into Java after each call, which is garbage per task for nothing.
   */
  private record CStrings(Memory table, Memory block) {
    static CStrings of(String[] strings) {
      byte[][] encoded = new byte[strings.length][];
      long size = 0;
      for (int i = 0; i < strings.length; i++) {
        encoded[i] = nulTerminated(strings[i]);
        size += encoded[i].length;
      }
      Memory block = new Memory(Math.max(size, 1));
      Memory table = new Memory((long) (strings.length + 1) * Native.POINTER_SIZE);
      long offset = 0;
      for (int i = 0; i < strings.length; i++) {
        block.write(offset, encoded[i], 0, encoded[i].length);
        table.setPointer((long) i * Native.POINTER_SIZE, block.share(offset));
        offset += encoded[i].length;
      }
      table.setPointer((long) strings.length * Native.POINTER_SIZE, null);
      return new CStrings(table, block);
    }
  }

  static byte[] nulTerminated(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[utf8.length + 1];
    System.arraycopy(utf8, 0, bytes, 0, utf8.length);
    return bytes;
  }

  /** Why a spawn failed, in the C library's words. */
  static final class SpawnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SpawnException(String message) {
      super(message);
    }
  }
}
