package org.memcircuits.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParquetErrorsTest {

  @TempDir Path dir;

  private Path pile() throws IOException {
    return Fixtures.parquet(dir.resolve("pile.parquet"), CompressionCodecName.SNAPPY, 10, ParquetCorpusTest.texts(25));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "content | no column 'content' (expected a top-level string column; columns: text, meta, id, tags)",
        "meta    | column 'meta' is a group (struct, list or map) (expected a top-level string column)",
        "id      | column 'id' is INT64 (expected a top-level string column)",
        "tags    | column 'tags' is repeated (expected a top-level string column)",
      })
  void theColumnMustBeATopLevelString(String column, String problem) throws IOException {
    Path file = pile();

    assertThatThrownBy(() -> Corpus.open(file, column))
        .isInstanceOf(CorpusException.class)
        .hasMessage(file + ": " + problem);
    assertThatThrownBy(() -> Corpus.count(file, column))
        .isInstanceOf(CorpusException.class)
        .hasMessage(file + ": " + problem);
  }

  @Test
  void aNullTextIsAnErrorNamingTheRow() throws IOException {
    List<String> texts = new ArrayList<>(ParquetCorpusTest.texts(25));
    texts.set(13, null);
    Path file = Fixtures.parquet(dir.resolve("nulls.parquet"), CompressionCodecName.ZSTD, 10, texts);
    List<Document> got = new ArrayList<>();

    assertThatThrownBy(() -> JsonlErrorsTest.drain(Corpus.open(file, "text"), got))
        .isInstanceOf(CorpusException.class)
        .hasMessage(file + " row 13: column 'text' is null (expected a string)");
    assertThat(got).hasSize(13);
    assertThat(Corpus.count(file, "text")).isEqualTo(25);
  }

  @Test
  void invalidUtf8IsAnErrorButAGenuineReplacementCharacterIsNot() throws IOException {
    List<Object> texts = new ArrayList<>(ParquetCorpusTest.texts(5));
    texts.set(1, "a real \uFFFD replacement character");
    texts.set(3, new byte[] {'c', 'a', 'f', (byte) 0xE9});
    Path file = Fixtures.parquet(dir.resolve("latin1.parquet"), CompressionCodecName.SNAPPY, 10, texts);
    List<Document> got = new ArrayList<>();

    assertThatThrownBy(() -> JsonlErrorsTest.drain(Corpus.open(file, "text"), got))
        .isInstanceOf(CorpusException.class)
        .hasMessage(file + " row 3: column 'text' is not valid UTF-8 (expected a string)");
    assertThat(got).extracting(Document::text).contains("a real \uFFFD replacement character");
    try (CorpusReader r = Corpus.open(file, CorpusOptions.of("text").skippingInvalid())) {
      assertThat(ParquetCorpusTest.readAll(r)).extracting(Document::index).containsExactly(0L, 1L, 2L, 4L);
      assertThat(r.skipped()).isEqualTo(1);
    }
  }

  @Test
  void skipInvalidSkipsAndCountsNulls() throws IOException {
    List<String> texts = new ArrayList<>(ParquetCorpusTest.texts(25));
    for (int i : new int[] {0, 9, 10, 13, 24}) {
      texts.set(i, null);
    }
    Path file = Fixtures.parquet(dir.resolve("nulls.parquet"), CompressionCodecName.GZIP, 10, texts);

    try (CorpusReader r = Corpus.open(file, CorpusOptions.of("text").skippingInvalid())) {
      List<Document> docs = ParquetCorpusTest.readAll(r);
      assertThat(docs).hasSize(20).extracting(Document::index).doesNotContain(0L, 9L, 10L, 13L, 24L);
      docs.forEach(d -> assertThat(d.text()).isEqualTo("doc " + d.index() + " ünïcødé ✓"));
      assertThat(r.skipped()).isEqualTo(5);
    }
    try (CorpusReader r = Corpus.open(file, CorpusOptions.of("text").skippingInvalid().range(8, 14))) {
      assertThat(ParquetCorpusTest.readAll(r)).extracting(Document::index).containsExactly(8L, 11L, 12L);
      assertThat(r.skipped()).isEqualTo(3);
    }
  }

  @Test
  void otherContentUnderAParquetNameIsAnError() throws IOException {
    Path file = Fixtures.lines(dir.resolve("fake.parquet"), "{\"text\": \"a\"}");

    assertThatThrownBy(() -> Corpus.open(file, "text"))
        .isInstanceOf(CorpusException.class)
        .hasMessage(file + ": not a Parquet file, or a truncated one (expected 'PAR1' magic bytes at start"
            + " and end; found 7B 22 74 65 at start and 61 22 7D 0A at end)");
  }

  @Test
  void aTruncatedParquetFileIsAnError() throws IOException {
    Path whole = pile();
    Path cut = Fixtures.truncate(whole, dir.resolve("cut.parquet"), Files.size(whole) / 2);

    assertThatThrownBy(() -> Corpus.open(cut, "text"))
        .isInstanceOf(CorpusException.class)
        .hasMessageStartingWith(cut + ": not a Parquet file, or a truncated one (expected 'PAR1' magic bytes"
            + " at start and end; found 50 41 52 31 at start and ");
    assertThatThrownBy(() -> Corpus.count(cut, "text")).isInstanceOf(CorpusException.class);
  }

  @Test
  void aCorruptFooterIsAnError() throws IOException {
    Path file = pile();
    byte[] bytes = Files.readAllBytes(file);
    int footerLength = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    Arrays.fill(bytes, bytes.length - 8 - footerLength, bytes.length - 8, (byte) 0xFF);
    Path bad = Files.write(dir.resolve("badfooter.parquet"), bytes);

    assertThatThrownBy(() -> Corpus.open(bad, "text"))
        .isInstanceOf(CorpusException.class)
        .hasMessageStartingWith(bad + ": unreadable Parquet footer (expected valid Parquet metadata): ");
  }

  @Test
  void aCorruptPageIsAnErrorNamingTheRow() throws IOException {
    Path file = pile();
    long secondGroupText;
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      ColumnChunkMetaData text = r.getRowGroups().get(1).getColumns().get(0);
      assertThat(text.getPath().toDotString()).isEqualTo("text");
      secondGroupText = text.getStartingPos();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      byte[] junk = new byte[16];
      Arrays.fill(junk, (byte) 0xFF);
      ch.write(ByteBuffer.wrap(junk), secondGroupText);
    }
    List<Document> got = new ArrayList<>();

    assertThatThrownBy(() -> JsonlErrorsTest.drain(Corpus.open(file, "text"), got))
        .isInstanceOf(CorpusException.class)
        .hasMessageStartingWith(file + " row 10: cannot decode column 'text' (expected a readable Parquet file): ");
    assertThat(got).hasSize(10);
    // the first row group is intact, and ranges that avoid the second one never read it
    assertThat(ParquetCorpusTest.readAll(Corpus.open(file, CorpusOptions.of("text").range(20, 25))))
        .hasSize(5);
  }

  @Test
  void anUnsupportedCodecIsAnErrorBeforeAnythingIsRead() throws IOException {
    Path file = Fixtures.parquet(dir.resolve("plain.parquet"), CompressionCodecName.UNCOMPRESSED, 10,
        ParquetCorpusTest.texts(25));
    // Relabel every column chunk as Hadoop-framed LZ4, whose codec (lz4-java) this module does not ship.
    byte[] bytes = Files.readAllBytes(file);
    int footerLength = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int footerStart = bytes.length - 8 - footerLength;
    FileMetaData footer = Util.readFileMetaData(new ByteArrayInputStream(bytes, footerStart, footerLength));
    footer.getRow_groups().forEach(g -> g.getColumns().forEach(c -> c.getMeta_data().setCodec(CompressionCodec.LZ4)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, footerStart);
    Util.writeFileMetaData(footer, out);
    int newLength = out.size() - footerStart;
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(newLength).array());
    out.write(new byte[] {'P', 'A', 'R', '1'});
    Path lz4 = Files.write(dir.resolve("lz4.parquet"), out.toByteArray());

    assertThatThrownBy(() -> Corpus.open(lz4, "text"))
        .isInstanceOf(CorpusException.class)
        .hasMessage(lz4 + " row 0: column 'text' is compressed with LZ4"
            + " (expected one of [UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW])");
    assertThat(Corpus.count(lz4, "text")).as("the footer alone is fine").isEqualTo(25);
  }

  @Test
  void aMissingFileIsAnError() {
    Path missing = dir.resolve("missing.parquet");

    assertThatThrownBy(() -> Corpus.open(missing, "text")).hasMessage(missing + ": no such file");
    assertThatThrownBy(() -> Corpus.count(missing, "text")).hasMessage(missing + ": no such file");
  }
}
