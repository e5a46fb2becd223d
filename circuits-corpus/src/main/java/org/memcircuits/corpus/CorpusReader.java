package org.memcircuits.corpus;

import java.util.Iterator;

/**
 * A streaming, forward-only reader of the {@link Document}s of one corpus file, in file order.
 *
 * <p>Memory use does not grow with the corpus: JSONL is read a line at a time, Parquet a row group of
 * the one text column at a time. {@link #hasNext()} and {@link #next()} throw {@link CorpusException}
 * on bad input; once one has been thrown the reader stays failed and throws it again, so a consumer can
 * never mistake a broken file for a short one. Not thread-safe.
 *
 * <p>Always {@link #close()} it (try-with-resources); closing releases the file and any native
 * decompression buffers, and is idempotent.
 */
public interface CorpusReader extends Iterator<Document>, AutoCloseable {

  /**
   * Number of records within the requested range passed over so far because they were invalid (text
   * field missing, null, not a string or not valid UTF-8; for JSONL also a line that is not a JSON
   * object). Always 0 unless {@link CorpusOptions#skipInvalid()} is set, since otherwise such a record
   * is an error. Skipped records keep their index, so {@code count - documents read - skipped} is 0
   * for a whole file read to the end.
   */
  long skipped();

  /** The format this reader decodes. */
  CorpusFormat format();

  /** Releases the file and streams; never throws. */
  @Override
  void close();
}
