package dev.execpool.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How the peers keep output: all of it, in a growing array. That is what their documented usage
 * does (zt-exec's readOutput, Commons Exec's PumpStreamHandler into a ByteArrayOutputStream), and
 * what the peer figures measured.
 */
final class Capture {
  private Capture() {}

  static ByteArrayOutputStream readAll(InputStream in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (in) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The first bytes as text: W5 reads a timestamp from there. */
  static String head(ByteArrayOutputStream out) {
    byte[] bytes = out.size() <= 64 ? out.toByteArray() : java.util.Arrays.copyOf(out.toByteArray(), 64);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
