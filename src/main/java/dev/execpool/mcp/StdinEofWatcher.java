package dev.execpool.mcp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The server's stdin, watched for its end. When the client closes the pipe (or dies), the SDK's
 * reader thread ends quietly, but Pekko's threads would keep the JVM up with tasks still running:
 * this stream tells the server the moment a read returns end of input or fails, so it can kill
 * the session's tasks and exit.
 */
final class StdinEofWatcher extends FilterInputStream {
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  StdinEofWatcher(InputStream in) {
    super(in);
  }

  /** Completes (once) when stdin reached its end, failed, or was closed. */
  CompletionStage<Void> ended() {
    return ended;
  }

  @Override
  public int read() throws IOException {
    return watch(() -> super.read());
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return watch(() -> super.read(b, off, len));
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      ended.complete(null);
    }
  }

  private interface Read {
    int run() throws IOException;
  }

  private int watch(Read read) throws IOException {
    try {
      int n = read.run();
      if (n < 0) {
        ended.complete(null);
      }
      return n;
    } catch (IOException | RuntimeException e) {
      ended.complete(null);
      throw e;
    }
  }
}
