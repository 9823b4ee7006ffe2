package dev.execpool.process.linux;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.util.Optional;

/**
 * Whether the native launcher can run here: 64-bit Linux on x86_64 or aarch64, glibc with {@code
 * posix_spawn_file_actions_addclosefrom_np} and {@code addchdir_np} (2.34+), and a kernel with
 * {@code pidfd_open} (5.3+). Probed once; anything else uses the JDK launcher.
 */
public final class NativeSupport {
  private static final Optional<String> UNAVAILABLE = probe();

  private NativeSupport() {}

  /** Empty when the native launcher works here, else why not. */
  public static Optional<String> unavailableReason() {
    return UNAVAILABLE;
  }

  private static Optional<String> probe() {
    if (!Platform.isLinux() || !Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
      return Optional.of("needs 64-bit Linux on x86_64 or aarch64, this is " + System.getProperty("os.name")
          + " on " + System.getProperty("os.arch"));
    }
    try {
      NativeLibrary c = NativeLibrary.getInstance("c");
      c.getFunction("posix_spawn_file_actions_addclosefrom_np");
      c.getFunction("posix_spawn_file_actions_addchdir_np");
      int pidfd = LibC.INSTANCE.syscall(LibC.SYS_PIDFD_OPEN, (int) ProcessHandle.current().pid(), 0);
      LibC.INSTANCE.close(pidfd);
      return Optional.empty();
    } catch (LinkageError | RuntimeException e) { // JNA unloadable (noexec tmp dir), symbol or syscall missing
      return Optional.of("glibc 2.34+ and Linux 5.3+ (pidfd_open) are needed: " + e.getMessage());
    }
  }
}
