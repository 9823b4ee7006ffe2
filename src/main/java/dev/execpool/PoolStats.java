package dev.execpool;

/**
 * A snapshot of the pool: tasks whose process runs, tasks waiting for a slot, finished results not
 * yet collected, and live session actors, over all sessions.
 */
public record PoolStats(int running, int queued, int pending, int sessions) {}
