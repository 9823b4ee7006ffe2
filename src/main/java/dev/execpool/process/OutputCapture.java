package dev.execpool.process;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One output stream of a task, kept within a fixed budget: the first half of {@code maxBytes} (the
 * head, where commands print what they are about to do) and the last half (the tail, where they print
 * how it ended). Bytes between them are counted, not kept.
 *
 * <p>Thread-safe: the stream that drains the pipe appends on an I/O thread while the task actor reads
 * a snapshot. Every method holds the lock only for an array copy, so neither side waits for long.
 * Memory grows with the output, up to {@code maxBytes}, never beyond.
 */
public final class OutputCapture {
  private final int headCapacity;
  private final int tailCapacity;
  private byte[] head = new byte[0];
  private int headLength;
  /** Ring buffer of the newest bytes once the head is full; allocated only then. */
  private byte[] tail;
  private int tailStart;
  private int tailLength;
  private long total;

  public OutputCapture(int maxBytes) {
    if (maxBytes < 2) {
      throw new IllegalArgumentException("maxBytes must be at least 2, got " + maxBytes);
    }
    this.headCapacity = maxBytes / 2;
    this.tailCapacity = maxBytes - headCapacity;
  }

  public synchronized void append(byte[] bytes, int offset, int length) {
    total += length;
    int toHead = Math.min(length, headCapacity - headLength);
    if (toHead > 0) {
      ensureHead(headLength + toHead);
      System.arraycopy(bytes, offset, head, headLength, toHead);
      headLength += toHead;
      offset += toHead;
      length -= toHead;
    }
    if (length > 0) {
      appendToTail(bytes, offset, length);
    }
  }

  public void append(byte[] bytes) {
    append(bytes, 0, bytes.length);
  }

  /** Every byte the stream carried, kept or not. */
  public synchronized long totalBytes() {
    return total;
  }

  /** True when some bytes were dropped between head and tail. */
  public synchronized boolean truncated() {
    return total > headLength + tailLength;
  }

  /**
   * The kept output as text: UTF-8 with replacement characters for invalid bytes (never an
   * exception). When bytes were dropped, a marker line between head and tail says how many; a
   * character cut in half at either edge is left out rather than shown as garbage.
   */
  public synchronized String text() {
    if (!truncated()) {
      return new String(keptBytes(), StandardCharsets.UTF_8);
    }
    int headEnd = Utf8.completePrefixLength(head, headLength);
    byte[] tailBytes = tailBytes();
    int tailSkip = Utf8.leadingContinuationBytes(tailBytes);
    long dropped = total - headEnd - (tailBytes.length - tailSkip);
    return new String(head, 0, headEnd, StandardCharsets.UTF_8)
        + "\n[... "
        + dropped
        + " bytes dropped: output exceeded the "
        + (headCapacity + tailCapacity)
        + "-byte cap, first and last bytes kept ...]\n"
        + new String(tailBytes, tailSkip, tailBytes.length - tailSkip, StandardCharsets.UTF_8);
  }

  /**
   * The kept bytes from stream offset {@code from} on, at most {@code maxBytes} of them. Offsets
   * count every byte the stream carried, so a reader that passes back {@link Slice#nextOffset()}
   * sees each kept byte once. A slice never spans the dropped middle: the read that reaches it
   * starts at the tail and counts the bytes it jumped in {@link Slice#skipped()}.
   */
  public synchronized Slice read(long from, int maxBytes) {
    if (from < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("offset and length must not be negative: " + from + ", " + maxBytes);
    }
    long position = Math.min(from, total);
    if (position < headLength) {
      int length = (int) Math.min(maxBytes, headLength - position);
      return new Slice(Arrays.copyOfRange(head, (int) position, (int) position + length), 0, position + length);
    }
    long tailOffset = total - tailLength;
    long skipped = 0;
    if (position < tailOffset) {
      skipped = tailOffset - position;
      position = tailOffset;
    }
    int length = (int) Math.min(maxBytes, total - position);
    byte[] out = new byte[length];
    int ringStart = (int) ((tailStart + (position - tailOffset)) % tailCapacity);
    for (int copied = 0; copied < length; ) {
      int at = (ringStart + copied) % tailCapacity;
      int run = Math.min(length - copied, tailCapacity - at);
      System.arraycopy(tail, at, out, copied, run);
      copied += run;
    }
    return new Slice(out, skipped, position + length);
  }

  /**
   * Like {@link #read}, decoded as UTF-8. A character cut by the end of the slice is left for the
   * next read, so no character is split, unless nothing can follow it: the stream has ended ({@code
   * complete}) or the dropped middle comes next.
   */
  public synchronized TextSlice readText(long from, int maxBytes, boolean complete) {
    Slice slice = read(from, maxBytes);
    byte[] bytes = slice.bytes();
    boolean gapFollows = slice.nextOffset() == headLength && truncated();
    boolean endFollows = complete && slice.nextOffset() == total;
    int usable = gapFollows || endFollows ? bytes.length : Utf8.completePrefixLength(bytes, bytes.length);
    return new TextSlice(
        new String(bytes, 0, usable, StandardCharsets.UTF_8),
        slice.skipped(),
        slice.nextOffset() - (bytes.length - usable));
  }

  /** Text of a piece of the stream, with the same offsets as {@link Slice}. */
  public record TextSlice(String text, long skipped, long nextOffset) {}

  /** A piece of the stream: the bytes, how many bytes before them were dropped, where to go on. */
  public record Slice(byte[] bytes, long skipped, long nextOffset) {}

  private byte[] keptBytes() {
    byte[] all = Arrays.copyOf(head, headLength + tailLength);
    byte[] tailBytes = tailBytes();
    System.arraycopy(tailBytes, 0, all, headLength, tailBytes.length);
    return all;
  }

  private byte[] tailBytes() {
    byte[] out = new byte[tailLength];
    for (int copied = 0; copied < tailLength; ) {
      int from = (tailStart + copied) % tailCapacity;
      int run = Math.min(tailLength - copied, tailCapacity - from);
      System.arraycopy(tail, from, out, copied, run);
      copied += run;
    }
    return out;
  }

  private void appendToTail(byte[] bytes, int offset, int length) {
    if (tail == null) {
      tail = new byte[tailCapacity];
    }
    if (length >= tailCapacity) {
      // Only the newest tailCapacity bytes can survive; copy just those.
      System.arraycopy(bytes, offset + length - tailCapacity, tail, 0, tailCapacity);
      tailStart = 0;
      tailLength = tailCapacity;
      return;
    }
    int writeAt = (tailStart + tailLength) % tailCapacity;
    int firstRun = Math.min(length, tailCapacity - writeAt);
    System.arraycopy(bytes, offset, tail, writeAt, firstRun);
    System.arraycopy(bytes, offset + firstRun, tail, 0, length - firstRun);
    int overflow = tailLength + length - tailCapacity;
    if (overflow > 0) {
      tailStart = (tailStart + overflow) % tailCapacity;
      tailLength = tailCapacity;
    } else {
      tailLength += length;
    }
  }

  private void ensureHead(int needed) {
    if (needed > head.length) {
      // Grow geometrically so a chatty command costs O(n) copying, capped at the head's budget.
      head = Arrays.copyOf(head, Math.min(headCapacity, Math.max(needed, head.length * 2 + 4096)));
    }
  }

  /** Just enough UTF-8 to avoid showing half a character where the cap cut the stream. */
  static final class Utf8 {
    private Utf8() {}

    /** Length of {@code bytes[0..length)} without a trailing incomplete multi-byte sequence. */
    static int completePrefixLength(byte[] bytes, int length) {
      for (int back = 1; back <= Math.min(4, length); back++) {
        int b = bytes[length - back] & 0xFF;
        if ((b & 0xC0) == 0x80) {
          continue; // continuation byte: keep looking for the lead byte
        }
        int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return needed > back ? length - back : length;
      }
      return length;
    }

    /** Continuation bytes at the start (at most 3): the rest of a character whose start was dropped. */
    static int leadingContinuationBytes(byte[] bytes) {
      int n = 0;
      while (n < Math.min(3, bytes.length) && (bytes[n] & 0xC0) == 0x80) {
        n++;
      }
      return n;
    }
  }
}
