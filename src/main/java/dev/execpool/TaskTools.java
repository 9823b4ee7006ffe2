package dev.execpool;

import dev.execpool.process.ChildEnvironment;
import dev.execpool.process.TaskLauncher;
import java.time.Clock;
import java.util.concurrent.Executor;

/**
 * What the supervisor hands every task runner: built once per pool so no runner re-reads config or
 * looks up the dispatcher. {@code io} is {@code execpool.io-dispatcher}, where every blocking call
 * (fork and exec, pipe reads, /proc scans) runs.
 */
record TaskTools(
    ExecPoolSettings settings,
    TaskLauncher launcher,
    ChildEnvironment environment,
    Executor io,
    Clock clock) {}
