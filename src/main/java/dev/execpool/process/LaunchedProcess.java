package dev.execpool.process;

import java.time.Instant;

/** A started task process, the tree that belongs to it, and when it really started. */
public record LaunchedProcess(ProcessControl process, ProcessTree tree, Instant startedAt) {}
