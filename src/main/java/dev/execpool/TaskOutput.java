package dev.execpool;

import dev.execpool.process.OutputCapture;

/**
 * A task's two bounded captures. Created when the task is accepted, filled by its runner's streams,
 * read by the supervisor for {@code readOutput} and {@code list}: the captures are thread-safe, so
 * a read needs no message to the runner and never waits for it.
 */
record TaskOutput(OutputCapture stdout, OutputCapture stderr) {
  static TaskOutput withCap(int maxBytesPerStream) {
    return new TaskOutput(new OutputCapture(maxBytesPerStream), new OutputCapture(maxBytesPerStream));
  }
}
