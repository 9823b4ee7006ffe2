package dev.execpool;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random ids: task ids nobody can guess (128 bits), and markers that tag a task's processes. */
final class TaskIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private TaskIds() {}

  static String newTaskId() {
    return random(16);
  }

  static String newMarker() {
    return random(12);
  }

  private static String random(int bytes) {
    byte[] raw = new byte[bytes];
    RANDOM.nextBytes(raw);
    return HEX.formatHex(raw);
  }
}
