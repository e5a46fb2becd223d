package org.memcircuits.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonlErrorsTest {

  @TempDir Path dir;

  /** Reads everything, keeping what came before the error in {@code got}. */
  static void drain(CorpusReader r, List<Document> got) {
    try (r) {
      while (r.hasNext()) {
        got.add(r.next());
      }
    }
  }

  private Path withBadLine(String bad) throws IOException {
    return Fixtures.lines(
        dir.resolve("corpus.jsonl"), "{\"text\": \"a\"}", "", "{\"text\": \"b\"}", bad, "{\"text\": \"c\"}");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"meta\": {\"text\": \"nested does not count\"}} | field 'text' missing (expected a string)",
        "{\"text\": null}                               | field 'text' is null (expected a string)",
        "{\"text\": 42}                                 | field 'text' is a number (expected a string)",
        "{\"text\": true}                               | field 'text' is a boolean (expected a string)",
        "{\"text\": {\"body\": \"x\"}}                  | field 'text' is an object (expected a string)",
        "{\"text\": [\"x\"]}                            | field 'text' is an array (expected a string)",
        "[\"text\", \"x\"]                              | expected a JSON object, found an array",
        "\"just a string\"                              | expected a JSON object, found a string",
        "{\"text\": \"unterminated}                     | invalid JSON (expected one JSON object per line) at column",
        "{text: \"unquoted key\"}                       | invalid JSON (expected one JSON object per line) at column 2: Unexpected character ('t'",
        "{\"text\": \"a\"} {\"text\": \"b\"}            | invalid JSON (expected one JSON object per line): more content after the object at column 15",
        "{\"text\": \"a\",                              | invalid JSON (expected one JSON object per line)",
      })
  void aBadRecordIsAnErrorNamingFileAndLine(String bad, String problem) throws IOException {
    Path file = withBadLine(bad);
    List<Document> got = new ArrayList<>();

    assertThatThrownBy(() -> drain(Corpus.open(file, "text"), got))
        .isInstanceOf(CorpusException.class)
        .hasMessageStartingWith(file + " line 4: " + problem);
    // nothing before the error is lost
    assertThat(got).containsExactly(new Document(0, "a"), new Document(1, "b"));
  }

  @Test
  void theMessageIsExactlyAsDocumented() throws IOException {
    Path file = withBadLine("{\"title\": \"no text\"}");

    assertThatThrownBy(() -> drain(Corpus.open(file, "text"), new ArrayList<>()))
        .hasMessage(file + " line 4: field 'text' missing (expected a string)")
        .hasNoCause();
  }

  @Test
  void invalidUtf8IsAnError() throws IOException {
    Path file = dir.resolve("latin1.jsonl");
    Files.write(file, new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', 'c', 'a', 'f', (byte) 0xE9, '"', '}', '\n'});

    assertThatThrownBy(() -> drain(Corpus.open(file, "text"), new ArrayList<>()))
        .isInstanceOf(CorpusException.class)
        .hasMessageStartingWith(file + " line 1: invalid JSON")
        .hasMessageContaining("UTF-8");
  }

  @Test
  void theFailureSticks() throws IOException {
    Path file = withBadLine("{\"text\": 1}");
    CorpusReader r = Corpus.open(file, "text");
    r.next();
    r.next();

    assertThatThrownBy(r::hasNext).hasMessageContaining("line 4");
    assertThatThrownBy(r::hasNext).hasMessageContaining("line 4"); // not a silent end of file
    assertThatThrownBy(r::next).hasMessageContaining("line 4");
    r.close();
  }

  @Test
  void skipInvalidSkipsAndCountsButKeepsIndices() throws IOException {
    Path file =
        Fixtures.lines(
            dir.resolve("mixed.jsonl"),
            "{\"text\": \"a\"}",
            "{\"text\": null}",
            "{\"title\": \"no text\"}",
            "not json",
            "{\"text\": \"e\"}",
            "[1]",
            "{\"text\": 7}",
            "{\"text\": \"h\"}");

    try (CorpusReader r = Corpus.open(file, CorpusOptions.of("text").skippingInvalid())) {
      List<Document> docs = new ArrayList<>();
      r.forEachRemaining(docs::add);
      assertThat(docs).containsExactly(new Document(0, "a"), new Document(4, "e"), new Document(7, "h"));
      assertThat(r.skipped()).isEqualTo(5);
    }
    try (CorpusReader r = Corpus.open(file, CorpusOptions.of("text").skippingInvalid().range(2, 5))) {
      List<Document> docs = new ArrayList<>();
      r.forEachRemaining(docs::add);
      assertThat(docs).containsExactly(new Document(4, "e"));
      assertThat(r.skipped()).as("only skips inside the range count").isEqualTo(2);
    }
    assertThat(Corpus.count(file, "text")).as("count is of records, valid or not").isEqualTo(8);
  }

  @Test
  void recordsBeforeTheRangeAreNotParsed() throws IOException {
    Path file = withBadLine("garbage");

    List<Document> docs = new ArrayList<>();
    drain(Corpus.open(file, CorpusOptions.of("text").range(3, 4)), docs);

    assertThat(docs).containsExactly(new Document(3, "c"));
  }

  @Test
  void truncatedZstdIsAnError() throws IOException {
    Path plain = dir.resolve("big.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      lines.add(Fixtures.record("document number " + i + " " + Integer.toHexString(i * 7919)));
    }
    Fixtures.lines(plain, lines);
    Path zst = Fixtures.zstd(plain, dir.resolve("big.jsonl.zst"));
    Path cut = Fixtures.truncate(zst, dir.resolve("cut.jsonl.zst"), Files.size(zst) / 2);
    List<Document> got = new ArrayList<>();

    assertThatThrownBy(() -> drain(Corpus.open(cut, "text"), got))
        .isInstanceOf(CorpusException.class)
        .hasMessageMatching(
            "\\Q" + cut + "\\E line \\d+: truncated or corrupt zstd stream \\(expected a complete"
                + " zstd-compressed file\\): .*")
        .hasCauseInstanceOf(IOException.class);
    assertThat(got).isNotEmpty().hasSizeLessThan(20_000);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i).index()).isEqualTo(i);
    }
    assertThatThrownBy(() -> Corpus.count(cut, "text")).hasMessageContaining("truncated or corrupt zstd");
  }

  @Test
  void truncatedGzipIsAnError() throws IOException {
    Path plain = dir.resolve("big.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      lines.add(Fixtures.record("document number " + i + " " + Integer.toHexString(i * 7919)));
    }
    Fixtures.lines(plain, lines);
    Path gz = Fixtures.gzip(plain, dir.resolve("big.jsonl.gz"));
    Path cut = Fixtures.truncate(gz, dir.resolve("cut.jsonl.gz"), Files.size(gz) / 2);

    assertThatThrownBy(() -> drain(Corpus.open(cut, "text"), new ArrayList<>()))
        .isInstanceOf(CorpusException.class)
        .hasMessageMatching(
            "\\Q" + cut + "\\E line \\d+: truncated or corrupt gzip stream \\(expected a complete"
                + " gzip-compressed file\\): .*");
    // cut inside the 8-byte trailer: every line decodes, the stream end is still checked
    Path trailer = Fixtures.truncate(gz, dir.resolve("trailer.jsonl.gz"), Files.size(gz) - 3);
    assertThatThrownBy(() -> Corpus.count(trailer, "text")).hasMessageContaining("truncated or corrupt gzip");
  }

  @Test
  void aCompressionExtensionOnOtherContentIsAnError() throws IOException {
    Path notZstd = Fixtures.lines(dir.resolve("plain.jsonl.zst"), "{\"text\": \"a\"}");
    Path notGzip = Fixtures.lines(dir.resolve("plain.jsonl.gz"), "{\"text\": \"a\"}");

    assertThatThrownBy(() -> Corpus.open(notZstd, "text"))
        .isInstanceOf(CorpusException.class)
        .hasMessage(notZstd + ": not a zstd stream (expected zstd magic bytes 28 B5 2F FD, found 7B 22 74 65)");
    assertThatThrownBy(() -> Corpus.open(notGzip, "text"))
        .isInstanceOf(CorpusException.class)
        .hasMessage(notGzip + ": not a gzip stream (expected gzip magic bytes 1F 8B, found 7B 22 74 65)");
  }

  @Test
  void aMissingFileIsAnError() {
    Path missing = dir.resolve("missing.jsonl.zst");

    assertThatThrownBy(() -> Corpus.open(missing, "text"))
        .isInstanceOf(CorpusException.class)
        .hasMessage(missing + ": no such file");
  }
}
