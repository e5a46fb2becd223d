package org.memcircuits.corpus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads JSONL, plain or gzip/zstd-compressed, one line at a time. Blank lines are not records: they
 * take no index, but they do count as lines in error messages.
 */
final class JsonlCorpusReader extends StreamingReader {

  /** Pile documents can be many megabytes; Jackson's default cap on a string is 20M chars. */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
          .build();

  private static final int BUFFER = 1 << 16;

  private final Path file;
  private final CorpusFormat format;
  private final CorpusOptions options;
  private final LineReader lines;
  private long index;

  JsonlCorpusReader(Path file, CorpusFormat format, CorpusOptions options) {
    this.file = file;
    this.format = format;
    this.options = options;
    this.lines = new LineReader(open(file, format));
  }

  /** Number of records (non-blank lines), without parsing them. */
  static long countRecords(Path file, CorpusFormat format) {
    long n = 0;
    try (JsonlCorpusReader r = new JsonlCorpusReader(file, format, CorpusOptions.defaults())) {
      while (r.readLine()) {
        if (!r.lines.isBlank()) {
          n++;
        }
      }
    }
    return n;
  }

  @Override
  public CorpusFormat format() {
    return format;
  }

  @Override
  protected void release() {
    try {
      lines.close();
    } catch (IOException ignored) {
      // nothing was lost: we only read
    }
  }

  @Override
  protected CorpusException describe(Exception e) {
    return new CorpusException(where(lines.lineNumber()) + "cannot read: " + e, e);
  }

  @Override
  protected Document advance() {
    while (index < options.to()) {
      if (!readLine()) {
        return null;
      }
      if (lines.isBlank()) {
        continue;
      }
      long i = index++;
      if (i < options.from()) {
        continue; // before the range: not parsed
      }
      String text = parse();
      if (text != null) {
        return new Document(i, text);
      }
    }
    return null;
  }

  private boolean readLine() {
    try {
      return lines.next();
    } catch (IOException e) {
      throw new CorpusException(where(lines.lineNumber() + 1) + streamProblem(e) + ": " + e.getMessage(), e);
    }
  }

  private String streamProblem(IOException e) {
    if (format == CorpusFormat.JSONL_ZSTD && e instanceof ZstdIOException) {
      return "truncated or corrupt zstd stream (expected a complete zstd-compressed file)";
    }
    if (format == CorpusFormat.JSONL_GZIP && (e instanceof EOFException || e instanceof ZipException)) {
      return "truncated or corrupt gzip stream (expected a complete gzip-compressed file)";
    }
    return "read error";
  }

  /** The text of the current line, or null if it is invalid and skipped; throws if invalid. */
  private String parse() {
    String field = options.textField();
    String problem;
    JsonToken found = null;
    String text = null;
    try (JsonParser p = JSON.createParser(lines.bytes(), 0, lines.length())) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) {
        return invalid("expected a JSON object, found " + describe(t));
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        boolean ours = field.equals(p.currentName());
        JsonToken v = p.nextToken();
        if (ours) {
          found = v;
          text = v == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          p.skipChildren();
        }
      }
      JsonToken after = p.nextToken();
      if (after != null) {
        return invalid(
            "invalid JSON (expected one JSON object per line): more content after the object at column "
                + p.currentTokenLocation().getColumnNr());
      }
    } catch (JsonProcessingException e) {
      return invalid(
          "invalid JSON (expected one JSON object per line)"
              + (e.getLocation() != null ? " at column " + e.getLocation().getColumnNr() : "")
              + ": "
              + cleanJacksonMessage(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new CorpusException(where(lines.lineNumber()) + "cannot parse: " + e, e);
    }
    if (found == null) {
      problem = "field '" + field + "' missing (expected a string)";
    } else if (found == JsonToken.VALUE_STRING) {
      return text;
    } else if (found == JsonToken.VALUE_NULL) {
      problem = "field '" + field + "' is null (expected a string)";
    } else {
      problem = "field '" + field + "' is " + describe(found) + " (expected a string)";
    }
    return invalid(problem);
  }

  private String invalid(String problem) {
    if (options.skipInvalid()) {
      skip();
      return null;
    }
    throw new CorpusException(where(lines.lineNumber()) + problem);
  }

  private String where(long line) {
    return file + " line " + line + ": ";
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.asString() != null ? "'" + t.asString() + "'" : t.name();
    }
  }

  /** Jackson names its (redacted) source inside some messages; keep only the useful part. */
  private static String cleanJacksonMessage(String m) {
    if (m == null) {
      return "";
    }
    return m.replaceAll("\\[Source: [^\\]]*?; line: \\d+, column: (\\d+)\\]", "column $1")
        .replace('\n', ' ');
  }

  private static InputStream open(Path file, CorpusFormat format) {
    InputStream raw;
    try {
      raw = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new CorpusException(file + ": no such file", e);
    } catch (IOException e) {
      throw new CorpusException(file + ": cannot open (" + e + ")", e);
    }
    try {
      BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
      switch (format) {
        case JSONL:
          return in;
        case JSONL_GZIP:
          expectMagic(file, in, CorpusFormat::isGzip, "gzip", "1F 8B");
          return new GZIPInputStream(in, BUFFER);
        case JSONL_ZSTD:
          expectMagic(file, in, CorpusFormat::isZstd, "zstd", "28 B5 2F FD");
          ZstdInputStreamNoFinalizer z = new ZstdInputStreamNoFinalizer(in);
          // Accept frames written with --long (windows up to 2 GiB); memory is still bounded by the
          // window the file declares, 8 MiB or less for default-level files such as the Pile's.
          z.setLongMax(31);
          return z;
        default:
          throw new IllegalArgumentException("not JSONL: " + format);
      }
    } catch (RuntimeException e) {
      closeQuietly(raw);
      throw e;
    } catch (IOException e) {
      closeQuietly(raw);
      throw new CorpusException(file + ": cannot open " + format + " stream (" + e + ")", e);
    }
  }

  private interface Magic {
    boolean matches(byte[] head);
  }

  private static void expectMagic(Path file, BufferedInputStream in, Magic magic, String name, String bytes)
      throws IOException {
    in.mark(8);
    byte[] head = in.readNBytes(4);
    in.reset();
    if (!magic.matches(head)) {
      throw new CorpusException(
          file
              + ": not a "
              + name
              + " stream (expected "
              + name
              + " magic bytes "
              + bytes
              + ", found "
              + CorpusFormat.hex(head, 4)
              + ")");
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // already failing
    }
  }
}
