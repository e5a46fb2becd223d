package org.memcircuits.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CorpusFormatTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "corpus.jsonl, JSONL",
    "corpus.json, JSONL",
    "corpus.ndjson, JSONL",
    "CORPUS.JSONL, JSONL",
    "corpus.jsonl.gz, JSONL_GZIP",
    "corpus.json.gz, JSONL_GZIP",
    "00.jsonl.zst, JSONL_ZSTD",
    "val.json.zst, JSONL_ZSTD",
    "val.JSONL.ZSTD, JSONL_ZSTD",
    "train-00000-of-00042.parquet, PARQUET",
    "part.pq, PARQUET"
  })
  void byExtensionWithoutReadingTheFile(String name, CorpusFormat format) {
    assertThat(Corpus.detect(dir.resolve(name))).isEqualTo(format); // the file does not exist
  }

  @Test
  void byMagicBytesWhenTheExtensionSaysNothing() throws IOException {
    Path plain = Fixtures.lines(dir.resolve("a.jsonl"), "{\"text\": \"x\"}");
    Path zst = Fixtures.zstd(plain, dir.resolve("a.zst"));
    Path gz = Fixtures.gzip(plain, dir.resolve("a.gz"));
    Path pq = Fixtures.parquet(dir.resolve("a.parquet"), CompressionCodecName.SNAPPY, 10, List.of("x"));

    assertThat(Corpus.detect(Files.copy(plain, dir.resolve("shard-0")))).isEqualTo(CorpusFormat.JSONL);
    assertThat(Corpus.detect(Files.copy(zst, dir.resolve("shard-1")))).isEqualTo(CorpusFormat.JSONL_ZSTD);
    assertThat(Corpus.detect(Files.copy(gz, dir.resolve("shard-2.bin")))).isEqualTo(CorpusFormat.JSONL_GZIP);
    assertThat(Corpus.detect(Files.copy(pq, dir.resolve("shard-3.data")))).isEqualTo(CorpusFormat.PARQUET);
    assertThat(Corpus.detect(Fixtures.write(dir.resolve("indented"), "\n  {\"text\": 1}")))
        .isEqualTo(CorpusFormat.JSONL);

    try (CorpusReader r = Corpus.open(dir.resolve("shard-1"), "text")) {
      assertThat(r.format()).isEqualTo(CorpusFormat.JSONL_ZSTD);
      assertThat(r.next()).isEqualTo(new Document(0, "x"));
    }
    try (CorpusReader r = Corpus.open(dir.resolve("shard-3.data"), "text")) {
      assertThat(r.format()).isEqualTo(CorpusFormat.PARQUET);
      assertThat(r.next()).isEqualTo(new Document(0, "x"));
    }
  }

  @Test
  void unknownFormatIsAnError() throws IOException {
    Path csv = Fixtures.write(dir.resolve("corpus.csv"), "text,id\nhello,1\n");

    assertThatThrownBy(() -> Corpus.detect(csv))
        .isInstanceOf(CorpusException.class)
        .hasMessageStartingWith(csv + ": unknown corpus format (expected a .jsonl")
        .hasMessageContaining("it starts with 74 65 78 74");
    assertThatThrownBy(() -> Corpus.open(csv, "text"))
        .isInstanceOf(CorpusException.class)
        .hasMessageContaining("unknown corpus format");
    Path empty = Fixtures.write(dir.resolve("empty.dat"), "");
    assertThatThrownBy(() -> Corpus.detect(empty)).hasMessageContaining("the file is empty");
  }

  @Test
  void missingFileWithoutExtensionIsAnError() {
    Path missing = dir.resolve("nothing-here");

    assertThatThrownBy(() -> Corpus.detect(missing))
        .isInstanceOf(CorpusException.class)
        .hasMessage(missing + ": no such file");
  }
}
