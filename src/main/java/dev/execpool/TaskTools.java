package dev.execpool;

import dev.execpool.process.ChildEnvironment;
import dev.execpool.process.TaskLauncher;
import dev.execpool.process.TreeSignaller;
import java.time.Clock;
import java.util.concurrent.Executor;

/**
 * What the supervisor hands every task runner: built once per pool so no runner re-reads config or
 * looks up the dispatchers. {@code io} is {@code execpool.io-dispatcher}, for jobs that block as
 * long as a command runs (the jdk launcher's pipe reads); {@code shortIo} is {@code
 * execpool.short-io-dispatcher}, a small fixed pool for blocking jobs that never wait on a command
 * (a native spawn, a /proc scan and its signals). {@code signaller} sends every tree signal, sharing
 * /proc passes between tasks that end together.
 */
record TaskTools(
    ExecPoolSettings settings,
    TaskLauncher launcher,
    ChildEnvironment environment,
    Executor io,
    Executor shortIo,
    TreeSignaller signaller,
    Clock clock) {

  /** Where a launch runs: it holds its thread for the command's life under the jdk launcher. */
  Executor launchExecutor() {
    return launcher.holdsThreadWhileRunning() ? io : shortIo;
  }
}
