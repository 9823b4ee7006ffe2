package dev.execpool.process.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few glibc calls the native launcher needs, bound through JNA. Only for 64-bit Linux with glibc
 * 2.34 or later ({@code posix_spawn_file_actions_addclosefrom_np}); {@link NativeSupport} checks that
 * before anything here is called. Paths are passed as NUL-terminated UTF-8 bytes, never as Java
 * strings, so a non-ASCII path does not depend on the JVM's locale.
 */
interface LibC extends Library {
  LibC INSTANCE = Native.load("c", LibC.class);

  // posix_spawn (glibc spawn.h): flags and file actions.
  short POSIX_SPAWN_SETSIGDEF = 0x04;
  short POSIX_SPAWN_SETSIGMASK = 0x08;
  short POSIX_SPAWN_SETSID = 0x80;
  /** Generous upper bounds of glibc's opaque posix_spawnattr_t (336 B) and file actions (80 B). */
  int SPAWN_ATTR_BYTES = 1024;
  int FILE_ACTIONS_BYTES = 512;
  int SIGSET_BYTES = 128;

  int O_RDONLY = 0;
  int O_NONBLOCK = 0x800;
  int O_CLOEXEC = 0x80000;
  int F_SETFL = 4;
  int F_SETPIPE_SZ = 1031;

  int EINTR = 4;
  int EAGAIN = 11;

  int SIGKILL = 9;
  int WNOHANG = 1;

  int EPOLL_CLOEXEC = 0x80000;
  int EPOLL_CTL_ADD = 1;
  int EPOLL_CTL_DEL = 2;
  int EPOLL_CTL_MOD = 3;
  int EPOLLIN = 0x001;
  int EPOLLONESHOT = 1 << 30;
  int EFD_CLOEXEC = 0x80000;
  int EFD_NONBLOCK = 0x800;

  /** The same number on x86_64 and aarch64 (syscalls added since 5.x share one table). */
  long SYS_PIDFD_OPEN = 434;

  int posix_spawn(
      int[] pid, byte[] path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

  int posix_spawn_file_actions_init(Pointer fileActions);

  int posix_spawn_file_actions_destroy(Pointer fileActions);

  int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

  int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, byte[] path, int flags, int mode);

  int posix_spawn_file_actions_addchdir_np(Pointer fileActions, byte[] path);

  int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int lowFd);

  int posix_spawnattr_init(Pointer attributes);

  int posix_spawnattr_destroy(Pointer attributes);

  int posix_spawnattr_setflags(Pointer attributes, short flags);

  int posix_spawnattr_setsigmask(Pointer attributes, Pointer sigset);

  int posix_spawnattr_setsigdefault(Pointer attributes, Pointer sigset);

  String strerror(int errorNumber);

  int sigemptyset(Pointer sigset);

  int sigfillset(Pointer sigset);

  int pipe2(int[] fds, int flags) throws LastErrorException;

  int close(int fd);

  /** Fixed-argument form of the variadic fcntl: fine for an int argument on x86_64 and aarch64. */
  int fcntl(int fd, int command, int argument) throws LastErrorException;

  long read(int fd, Pointer buffer, long count) throws LastErrorException;

  long write(int fd, Pointer buffer, long count) throws LastErrorException;

  int kill(int pid, int signal) throws LastErrorException;

  int waitpid(int pid, int[] status, int options) throws LastErrorException;

  /** Fixed-argument form of syscall(2) for pidfd_open(pid, flags). */
  int syscall(long number, int pid, int flags) throws LastErrorException;

  int epoll_create1(int flags) throws LastErrorException;

  int epoll_ctl(int epollFd, int operation, int fd, Pointer event) throws LastErrorException;

  int epoll_wait(int epollFd, Pointer events, int maxEvents, int timeoutMillis) throws LastErrorException;

  int eventfd(int initialValue, int flags) throws LastErrorException;
}
