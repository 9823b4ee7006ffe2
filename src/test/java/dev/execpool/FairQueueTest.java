package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FairQueueTest {

  @Test
  void servesSessionsInTurnsAndEachSessionInOrder() {
    FairQueue<String> queue = new FairQueue<>();
    queue.add("a", "a1");
    queue.add("a", "a2");
    queue.add("a", "a3");
    queue.add("b", "b1");
    queue.add("c", "c1");
    queue.add("b", "b2");

    List<String> order = new ArrayList<>();
    for (Optional<String> next = queue.poll(); next.isPresent(); next = queue.poll()) {
      order.add(next.get());
    }

    assertEquals(List.of("a1", "b1", "c1", "a2", "b2", "a3"), order);
    assertTrue(queue.isEmpty());
  }

  @Test
  void removesOneTaskOfOneSession() {
    FairQueue<String> queue = new FairQueue<>();
    queue.add("a", "a1");
    queue.add("a", "a2");
    queue.add("b", "a2");

    assertEquals(Optional.of("a2"), queue.remove("a", "a2"::equals));
    assertEquals(Optional.empty(), queue.remove("a", "a2"::equals));
    assertEquals(2, queue.size());
    assertEquals(Optional.of("a1"), queue.poll());
    assertEquals(Optional.of("a2"), queue.poll(), "b's task of the same name is untouched");
  }
}
