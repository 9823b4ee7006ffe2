package dev.execpool;

/** A task's identity: task ids are unique only within their session. */
record TaskKey(String sessionKey, String taskId) {
  @Override
  public String toString() {
    return sessionKey + "/" + taskId;
  }
}
