package org.memcircuits.corpus;

import java.util.Objects;

/**
 * One text of a corpus.
 *
 * @param index 0-based position of the record in its file, counting every record (also those skipped
 *     as invalid, and those outside a requested range), so an index names the same record whatever
 *     range or options it was read with. For JSONL it counts non-blank lines; for Parquet it is the row
 *     number.
 * @param text the text, never null
 */
public record Document(long index, String text) {

  public Document {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0: " + index);
    }
    Objects.requireNonNull(text, "text");
  }
}
