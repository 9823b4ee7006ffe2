package dev.execpool.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void keepsEverythingUnderTheCap() {
    OutputCapture capture = new OutputCapture(16);
    capture.append(ascii("hello "));
    capture.append(ascii("world"));

    assertEquals("hello world", capture.text());
    assertFalse(capture.truncated());
    assertEquals(11, capture.totalBytes());
  }

  @Test
  void keepsHeadAndTailAndCountsWhatItDropped() {
    OutputCapture capture = new OutputCapture(8);
    for (char c = 'a'; c <= 'z'; c++) {
      capture.append(new byte[] {(byte) c});
    }

    assertTrue(capture.truncated());
    assertEquals(26, capture.totalBytes());
    String text = capture.text();
    assertTrue(text.startsWith("abcd\n[... 18 bytes dropped"), text);
    assertTrue(text.endsWith("...]\nwxyz"), text);
  }

  @Test
  void aSingleHugeAppendKeepsItsLastBytes() {
    OutputCapture capture = new OutputCapture(10);
    capture.append(ascii("0123456789abcdefghij"));

    String text = capture.text();
    assertTrue(text.startsWith("01234\n"), text);
    assertTrue(text.endsWith("fghij"), text);
    assertEquals(20, capture.totalBytes());
  }

  @Test
  void neverShowsHalfACharacterAtTheCut() {
    OutputCapture capture = new OutputCapture(6);
    byte[] euros = "€€€€€€".getBytes(StandardCharsets.UTF_8); // 3 bytes each
    capture.append(euros);

    String text = capture.text();
    assertFalse(text.contains("\uFFFD"), text);
    assertTrue(text.startsWith("€\n"), text);
    assertTrue(text.endsWith("]\n€"), text);
  }

  @Test
  void replacesInvalidUtf8InsteadOfFailing() {
    OutputCapture capture = new OutputCapture(64);
    capture.append(new byte[] {'o', 'k', (byte) 0xFF, (byte) 0xFE});

    assertEquals("ok\uFFFD\uFFFD", capture.text());
  }

  @Test
  void readsByOffsetSeeingEachKeptByteOnceAndCountingTheGap() {
    OutputCapture capture = new OutputCapture(8);
    capture.append(ascii("abcdefghij")); // keeps abcd + ghij, drops ef

    OutputCapture.Slice first = capture.read(0, 3);
    assertArrayEquals(ascii("abc"), first.bytes());
    assertEquals(0, first.skipped());
    OutputCapture.Slice second = capture.read(first.nextOffset(), 100);
    assertArrayEquals(ascii("d"), second.bytes(), "a slice stops where the dropped bytes begin");
    assertEquals(0, second.skipped());
    OutputCapture.Slice third = capture.read(second.nextOffset(), 100);
    assertArrayEquals(ascii("ghij"), third.bytes());
    assertEquals(2, third.skipped());
    assertEquals(10, third.nextOffset());
    assertEquals(0, capture.read(10, 100).bytes().length);
  }

  @Test
  void readsAcrossTheRingBoundaryOfTheTail() {
    OutputCapture capture = new OutputCapture(8);
    capture.append(ascii("abcd"));
    capture.append(ascii("efg"));
    capture.append(ascii("hij")); // tail ring wrapped: keeps ghij

    OutputCapture.Slice slice = capture.read(4, 100);
    assertArrayEquals(ascii("ghij"), slice.bytes());
    assertEquals(2, slice.skipped());
    assertTrue(capture.text().endsWith("ghij"));
  }
}
