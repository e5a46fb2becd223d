package org.memcircuits.corpus;

/**
 * Bad or unreadable corpus input.
 *
 * <p>The message always names the file, and where it applies the place in it ({@code line N} for
 * JSONL, 1-based physical line of the decompressed text; {@code row N} for Parquet, 0-based, equal to
 * {@link Document#index()}), then what was found and what was expected, e.g. {@code corpus.jsonl line
 * 17: field 'text' missing (expected a string)}. Any underlying exception is kept as the cause.
 */
public class CorpusException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CorpusException(String message) {
    super(message);
  }

  public CorpusException(String message, Throwable cause) {
    super(message, cause);
  }
}
