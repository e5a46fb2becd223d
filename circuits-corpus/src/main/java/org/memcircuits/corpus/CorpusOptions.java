package org.memcircuits.corpus;

import java.util.Objects;

/**
 * How to read a corpus: which field holds the text, what to do with invalid records, and which index
 * range to read.
 *
 * <p><b>Invalid records.</b> A record whose text field is missing, null, not a string or not valid
 * UTF-8 (or, for JSONL, a line that is not valid JSON or not a JSON object) is by default an error:
 * reading throws
 * {@link CorpusException}. With {@code skipInvalid} it is passed over and counted instead ({@link
 * CorpusReader#skipped()}), so a caller can still report what it dropped; its index is not reused.
 * Damage to the file itself (truncated or corrupt compression, a broken Parquet footer, I/O errors) is
 * always an error.
 *
 * @param textField the JSONL field, or top-level Parquet column, holding the text
 * @param skipInvalid skip and count invalid records instead of failing
 * @param from first {@link Document#index()} to return, inclusive
 * @param to index to stop before, exclusive; reading also stops at the end of the file, so {@code
 *     Long.MAX_VALUE} means "to the end"
 */
public record CorpusOptions(String textField, boolean skipInvalid, long from, long to) {

  /** The field the Pile and most Hugging Face text datasets use. */
  public static final String DEFAULT_TEXT_FIELD = "text";

  public CorpusOptions {
    Objects.requireNonNull(textField, "textField");
    if (textField.isEmpty()) {
      throw new IllegalArgumentException("textField must not be empty");
    }
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("need 0 <= from <= to, got [" + from + ", " + to + ")");
    }
  }

  /** Field {@value #DEFAULT_TEXT_FIELD}, invalid records are errors, the whole file. */
  public static CorpusOptions defaults() {
    return of(DEFAULT_TEXT_FIELD);
  }

  /** The given field, invalid records are errors, the whole file. */
  public static CorpusOptions of(String textField) {
    return new CorpusOptions(textField, false, 0, Long.MAX_VALUE);
  }

  public CorpusOptions withTextField(String field) {
    return new CorpusOptions(field, skipInvalid, from, to);
  }

  /** Skip and count invalid records instead of failing on the first one. */
  public CorpusOptions skippingInvalid() {
    return new CorpusOptions(textField, true, from, to);
  }

  /** Only the records with {@code from <= index < to} (a shard). */
  public CorpusOptions range(long from, long to) {
    return new CorpusOptions(textField, skipInvalid, from, to);
  }
}
