package org.memcircuits.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The corpus file formats understood, and how a file's format is recognised (see {@link
 * Corpus#detect(Path)}).
 */
public enum CorpusFormat {
  /** One JSON object per line, UTF-8 ({@code .jsonl}, {@code .json}, {@code .ndjson}). */
  JSONL,
  /** JSONL compressed with gzip ({@code .gz}, e.g. {@code .jsonl.gz}). */
  JSONL_GZIP,
  /** JSONL compressed with zstd, the Pile's own format ({@code .zst}/{@code .zstd}, e.g. {@code .jsonl.zst}). */
  JSONL_ZSTD,
  /** Apache Parquet ({@code .parquet}, {@code .pq}), e.g. Hugging Face datasets. */
  PARQUET;

  static final String EXPECTED =
      "expected a .jsonl/.json/.ndjson file, optionally compressed as .gz or .zst, or a .parquet file,"
          + " or content starting with zstd, gzip or Parquet magic bytes or with '{'";

  private static final int SNIFF_BYTES = 4096;

  /** By extension first (case-insensitive); if it says nothing, by the first bytes of the file. */
  static CorpusFormat detect(Path file) {
    CorpusFormat byName = byExtension(file);
    if (byName != null) {
      return byName;
    }
    byte[] head = head(file, SNIFF_BYTES);
    CorpusFormat byContent = byMagic(head);
    if (byContent == null) {
      throw new CorpusException(
          file
              + ": unknown corpus format ("
              + EXPECTED
              + (head.length == 0 ? "; the file is empty" : "; it starts with " + hex(head, 4))
              + ")");
    }
    return byContent;
  }

  static CorpusFormat byExtension(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return null;
    }
    String n = name.toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".zst") || n.endsWith(".zstd")) {
      return JSONL_ZSTD;
    }
    if (n.endsWith(".gz") || n.endsWith(".gzip")) {
      return JSONL_GZIP;
    }
    if (n.endsWith(".parquet") || n.endsWith(".pq")) {
      return PARQUET;
    }
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
      return JSONL;
    }
    return null;
  }

  static CorpusFormat byMagic(byte[] head) {
    if (isZstd(head)) {
      return JSONL_ZSTD;
    }
    if (isGzip(head)) {
      return JSONL_GZIP;
    }
    if (isParquet(head)) {
      return PARQUET;
    }
    int i = 0;
    if (head.length >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
      i = 3; // UTF-8 byte order mark
    }
    for (; i < head.length; i++) {
      byte b = head[i];
      if (b == '{') {
        return JSONL;
      }
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return null;
      }
    }
    return null;
  }

  /** A zstd frame (28 B5 2F FD) or a skippable frame (5x 2A 4D 18) as the first frame. */
  static boolean isZstd(byte[] h) {
    if (h.length < 4) {
      return false;
    }
    int magic = (h[0] & 0xff) | (h[1] & 0xff) << 8 | (h[2] & 0xff) << 16 | (h[3] & 0xff) << 24;
    return magic == 0xFD2FB528 || (magic & 0xFFFFFFF0) == 0x184D2A50;
  }

  static boolean isGzip(byte[] h) {
    return h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b;
  }

  static boolean isParquet(byte[] h) {
    return h.length >= 4 && h[0] == 'P' && h[1] == 'A' && h[2] == 'R' && h[3] == '1';
  }

  static byte[] head(Path file, int max) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(max);
    } catch (NoSuchFileException e) {
      throw new CorpusException(file + ": no such file", e);
    } catch (IOException e) {
      throw new CorpusException(file + ": cannot read (" + e + ")", e);
    }
  }

  static String hex(byte[] bytes, int max) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(max, bytes.length); i++) {
      if (i > 0) {
        s.append(' ');
      }
      s.append(String.format("%02X", bytes[i] & 0xff));
    }
    return s.length() == 0 ? "nothing (empty file)" : s.toString();
  }
}
