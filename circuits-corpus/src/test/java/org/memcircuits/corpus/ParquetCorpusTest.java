package org.memcircuits.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ParquetCorpusTest {

  @TempDir Path dir;

  static List<String> texts(int n) {
    return IntStream.range(0, n).mapToObj(i -> "doc " + i + " ünïcødé ✓").collect(Collectors.toList());
  }

  static List<Document> readAll(CorpusReader r) {
    List<Document> out = new ArrayList<>();
    try (r) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionCodecName.class,
      names = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "LZ4_RAW"})
  void readsTheTextColumnWhateverTheCodec(CompressionCodecName codec) throws IOException {
    Path file = Fixtures.parquet(dir.resolve("pile.parquet"), codec, 10, texts(25));

    List<Document> docs = readAll(Corpus.open(file, "text"));

    assertThat(docs).hasSize(25);
    assertThat(docs.get(0)).isEqualTo(new Document(0, "doc 0 ünïcødé ✓"));
    assertThat(docs.get(24)).isEqualTo(new Document(24, "doc 24 ünïcødé ✓"));
    assertThat(docs).extracting(Document::index).containsExactlyElementsOf(
        LongStreamHelper.range(0, 25));
  }

  @Test
  void countsRowsFromTheFooter() throws IOException {
    Path file = Fixtures.parquet(dir.resolve("pile.parquet"), CompressionCodecName.SNAPPY, 10, texts(25));

    assertThat(Corpus.count(file, "text")).isEqualTo(25);
    assertThat(Corpus.detect(file)).isEqualTo(CorpusFormat.PARQUET);
  }

  @Test
  void readsRangesAcrossRowGroupBoundaries() throws IOException {
    Path file = Fixtures.parquet(dir.resolve("pile.parquet"), CompressionCodecName.SNAPPY, 10, texts(25));

    for (long[] r : new long[][] {{0, 25}, {0, 10}, {10, 20}, {7, 13}, {9, 11}, {20, 25}, {24, 100},
        {12, 12}, {25, 30}, {3, 4}}) {
      List<Document> docs = readAll(Corpus.open(file, CorpusOptions.of("text").range(r[0], r[1])));
      assertThat(docs).as("range [%d, %d)", r[0], r[1])
          .extracting(Document::index)
          .containsExactlyElementsOf(LongStreamHelper.range(r[0], Math.min(r[1], 25)));
      docs.forEach(d -> assertThat(d.text()).isEqualTo("doc " + d.index() + " ünïcødé ✓"));
    }
  }
}
