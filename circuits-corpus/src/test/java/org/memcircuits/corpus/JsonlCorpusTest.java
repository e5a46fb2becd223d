package org.memcircuits.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonlCorpusTest {

  @TempDir Path dir;

  static final List<String> TEXTS =
      List.of(
          "The quick brown fox",
          "line one\nline two\ttabbed \"quoted\" back\\slash",
          "ünïcødé — 日本語 — emoji 🦊",
          "",
          "last");

  /** The same five documents, as plain, gzip and zstd JSONL, under the given name. */
  private Path corpus(String name) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String t : TEXTS) {
      lines.add(Fixtures.record(t));
    }
    Path plain = Fixtures.lines(dir.resolve("plain.jsonl"), lines);
    if (name.endsWith(".gz")) {
      return Fixtures.gzip(plain, dir.resolve(name));
    }
    if (name.endsWith(".zst")) {
      return Fixtures.zstd(plain, dir.resolve(name));
    }
    return Files.move(plain, dir.resolve(name));
  }

  static List<Document> readAll(CorpusReader r) {
    List<Document> out = new ArrayList<>();
    try (r) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  static List<Document> expected(long from, long to) {
    List<Document> out = new ArrayList<>();
    for (int i = (int) from; i < Math.min(to, TEXTS.size()); i++) {
      out.add(new Document(i, TEXTS.get(i)));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"corpus.jsonl", "corpus.json", "corpus.jsonl.gz", "00.jsonl.zst", "val.json.zst"})
  void readsPlainGzipAndZstdAlike(String name) throws IOException {
    Path file = corpus(name);

    try (CorpusReader r = Corpus.open(file, "text")) {
      List<Document> docs = new ArrayList<>();
      r.forEachRemaining(docs::add);
      assertThat(docs).containsExactlyElementsOf(expected(0, 5));
      assertThat(r.skipped()).isZero();
      assertThat(r.hasNext()).isFalse();
      assertThatThrownBy(r::next).isInstanceOf(NoSuchElementException.class);
    }
    assertThat(Corpus.count(file, "text")).isEqualTo(5);
  }

  @ParameterizedTest
  @ValueSource(strings = {"corpus.jsonl", "corpus.jsonl.gz", "corpus.jsonl.zst"})
  void readsIndexRanges(String name) throws IOException {
    Path file = corpus(name);

    for (long[] r : new long[][] {{0, 5}, {0, 2}, {2, 4}, {4, 5}, {3, 100}, {2, 2}, {5, 9}, {7, 9}}) {
      assertThat(readAll(Corpus.open(file, CorpusOptions.of("text").range(r[0], r[1]))))
          .as("range [%d, %d)", r[0], r[1])
          .containsExactlyElementsOf(expected(r[0], r[1]));
    }
  }

  @Test
  void blankLinesAreNotRecordsButCountAsLines() throws IOException {
    Path file =
        Fixtures.write(
            dir.resolve("gaps.jsonl"),
            "\n{\"text\":\"a\"}\r\n   \n\t\n{\"text\":\"b\"}\n\n{\"text\":\"c\"}"); // CRLF, no final newline

    assertThat(readAll(Corpus.open(file, "text")))
        .containsExactly(new Document(0, "a"), new Document(1, "b"), new Document(2, "c"));
    assertThat(readAll(Corpus.open(file, CorpusOptions.of("text").range(1, 2))))
        .containsExactly(new Document(1, "b"));
    assertThat(Corpus.count(file, "text")).isEqualTo(3);
  }

  @Test
  void readsAnyFieldAndIgnoresTheRest() throws IOException {
    Path file =
        Fixtures.lines(
            dir.resolve("custom.jsonl"),
            "{\"id\": 1, \"meta\": {\"text\": 5, \"x\": [1, {\"y\": null}]}, \"content\": \"hello\", \"text\": null}",
            "{\"content\": \"world\"}");

    assertThat(readAll(Corpus.open(file, "content")))
        .containsExactly(new Document(0, "hello"), new Document(1, "world"));
  }

  @Test
  void acceptsAUtf8ByteOrderMark() throws IOException {
    Path file = dir.resolve("bom.jsonl");
    byte[] body = "{\"text\": \"é\"}\n".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[body.length + 3];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(body, 0, bytes, 3, body.length);
    Files.write(file, bytes);

    assertThat(readAll(Corpus.open(file, "text"))).containsExactly(new Document(0, "é"));
  }

  @Test
  void anEmptyFileHasNoDocuments() throws IOException {
    Path file = Fixtures.write(dir.resolve("empty.jsonl"), "");

    assertThat(readAll(Corpus.open(file, "text"))).isEmpty();
    assertThat(Corpus.count(file, "text")).isZero();
  }

  @Test
  void closingEndsIteration() throws IOException {
    Path file = corpus("corpus.jsonl.zst");
    CorpusReader r = Corpus.open(file, "text");
    assertThat(r.next()).isEqualTo(new Document(0, TEXTS.get(0)));

    r.close();
    r.close(); // idempotent

    assertThat(r.hasNext()).isFalse();
  }

  @Test
  void defaultOptions() {
    assertThat(CorpusOptions.defaults())
        .isEqualTo(new CorpusOptions("text", false, 0, Long.MAX_VALUE));
    assertThat(CorpusOptions.of("content").skippingInvalid().range(5, 10))
        .isEqualTo(new CorpusOptions("content", true, 5, 10));
    assertThatThrownBy(() -> CorpusOptions.defaults().range(5, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[5, 4)");
    assertThatThrownBy(() -> CorpusOptions.defaults().range(-1, 4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CorpusOptions.of("")).isInstanceOf(IllegalArgumentException.class);
  }
}
