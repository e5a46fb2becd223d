package org.memcircuits.corpus;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

final class LongStreamHelper {
  private LongStreamHelper() {}

  static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().collect(Collectors.toList());
  }
}
