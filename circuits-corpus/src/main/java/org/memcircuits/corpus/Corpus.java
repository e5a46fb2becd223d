package org.memcircuits.corpus;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Entry point: open corpus files as streams of {@link Document}s.
 *
 * <p>Formats: JSONL (one JSON object per line, UTF-8), the same compressed with gzip or zstd (the
 * Pile's {@code .jsonl.zst}), and Parquet (a top-level string column, e.g. a Hugging Face dataset).
 * The format comes from the file name, or from the first bytes when the name says nothing ({@link
 * #detect(Path)}).
 *
 * <p>Invalid records (text field missing, null or not a string; a JSONL line that is not a JSON
 * object) are errors unless {@link CorpusOptions#skipInvalid()} is set, in which case they are skipped
 * and counted ({@link CorpusReader#skipped()}). All errors are {@link CorpusException}s naming the file
 * and line or row.
 *
 * <pre>{@code
 * try (CorpusReader docs = Corpus.open(path, CorpusOptions.of("text").range(0, 10_000))) {
 *   while (docs.hasNext()) {
 *     Document d = docs.next();
 *     ...
 *   }
 * }
 * }</pre>
 */
public final class Corpus {

  private Corpus() {}

  /** Opens the whole file, reading {@code textField}; invalid records are errors. */
  public static CorpusReader open(Path file, String textField) {
    return open(file, CorpusOptions.of(textField));
  }

  /**
   * Opens the file with the given options (field, invalid-record policy, index range). Parquet files
   * are checked at once (footer, column present and a string column); JSONL records as they are read.
   *
   * @throws CorpusException if the file is missing, of unknown format, or not of the format its name
   *     or content announces
   */
  public static CorpusReader open(Path file, CorpusOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    CorpusFormat format = detect(file);
    if (format == CorpusFormat.PARQUET) {
      return new ParquetCorpusReader(file, options);
    }
    return new JsonlCorpusReader(file, format, options);
  }

  /**
   * Number of records in the file: the index space that {@link Document#index()} and {@link
   * CorpusOptions#range(long, long)} refer to, for splitting into shards. Records are counted, not
   * validated: for Parquet this reads only the footer (and checks the column exists and holds strings);
   * for JSONL it decompresses and counts non-blank lines without parsing them. So it can exceed the
   * number of documents read when invalid records are skipped.
   *
   * @throws CorpusException as {@link #open(Path, CorpusOptions)}, or on a truncated or corrupt stream
   */
  public static long count(Path file, String textField) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(textField, "textField");
    CorpusFormat format = detect(file);
    if (format == CorpusFormat.PARQUET) {
      return ParquetCorpusReader.countRows(file, textField);
    }
    return JsonlCorpusReader.countRecords(file, format);
  }

  /**
   * The file's format: from its name ({@code .jsonl}/{@code .json}/{@code .ndjson}; {@code .gz};
   * {@code .zst}/{@code .zstd}; {@code .parquet}/{@code .pq}; case-insensitive, so {@code
   * 00.jsonl.zst} is zstd JSONL), or if the name has none of these, from the first bytes (zstd, gzip or
   * Parquet magic; or '{' after optional whitespace and UTF-8 byte order mark for JSONL).
   *
   * @throws CorpusException if neither tells, or the file cannot be read
   */
  public static CorpusFormat detect(Path file) {
    Objects.requireNonNull(file, "file");
    return CorpusFormat.detect(file);
  }
}
