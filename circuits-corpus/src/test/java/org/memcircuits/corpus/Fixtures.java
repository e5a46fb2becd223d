package org.memcircuits.corpus;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Writes corpus fixture files with the same libraries the reader uses. */
final class Fixtures {

  /** Like a Hugging Face export of the Pile: text, a nested meta struct, and a non-string column. */
  static final MessageType PILE_SCHEMA =
      MessageTypeParser.parseMessageType(
          "message pile {\n"
              + "  optional binary text (STRING);\n"
              + "  optional group meta {\n"
              + "    optional binary pile_set_name (STRING);\n"
              + "  }\n"
              + "  required int64 id;\n"
              + "  repeated binary tags (STRING);\n"
              + "}");

  private Fixtures() {}

  static Path write(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  static Path lines(Path file, String... lines) throws IOException {
    return write(file, String.join("\n", lines) + "\n");
  }

  static Path lines(Path file, List<String> lines) throws IOException {
    return lines(file, lines.toArray(String[]::new));
  }

  /** A Pile-style record: {"text": ..., "meta": {"pile_set_name": ...}}. */
  static String record(String text) {
    return "{\"text\": " + quote(text) + ", \"meta\": {\"pile_set_name\": \"Pile-CC\"}}";
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"').toString();
  }

  static Path gzip(Path source, Path target) throws IOException {
    try (InputStream in = Files.newInputStream(source);
        OutputStream out = new GZIPOutputStream(Files.newOutputStream(target))) {
      in.transferTo(out);
    }
    return target;
  }

  static Path zstd(Path source, Path target) throws IOException {
    try (InputStream in = Files.newInputStream(source);
        OutputStream out = new ZstdOutputStream(Files.newOutputStream(target), 3)) {
      in.transferTo(out);
    }
    return target;
  }

  /** Keeps the first {@code keep} bytes of {@code source}: a download cut short. */
  static Path truncate(Path source, Path target, long keep) throws IOException {
    byte[] all = Files.readAllBytes(source);
    Files.write(target, Arrays.copyOf(all, (int) keep));
    return target;
  }

  /**
   * Writes {@code texts} (a String, null for a null text, or byte[] for raw bytes) to Parquet with {@link #PILE_SCHEMA}, {@code rowsPerGroup}
   * rows per row group and pages of at most 3 rows.
   */
  static Path parquet(Path file, CompressionCodecName codec, int rowsPerGroup, List<?> texts)
      throws IOException {
    SimpleGroupFactory groups = new SimpleGroupFactory(PILE_SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withType(PILE_SCHEMA)
            .withCompressionCodec(codec)
            .withRowGroupRowCountLimit(rowsPerGroup)
            .withPageRowCountLimit(3)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      for (int i = 0; i < texts.size(); i++) {
        Group g = groups.newGroup();
        Object text = texts.get(i);
        if (text instanceof String) {
          g.append("text", (String) text);
        } else if (text instanceof byte[]) {
          g.append("text", Binary.fromConstantByteArray((byte[]) text));
        }
        g.addGroup("meta").append("pile_set_name", i % 2 == 0 ? "Pile-CC" : "Github");
        g.append("id", (long) i);
        g.append("tags", "a").append("tags", "b");
        writer.write(g);
      }
    }
    return file;
  }
}
