package org.memcircuits.corpus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads one top-level string column of a Parquet file, a row group at a time, decoding only that
 * column. Row groups wholly outside the requested range are never read: their row counts come from
 * the footer. Memory is bounded by one row group of the text column.
 */
final class ParquetCorpusReader extends StreamingReader {

  private final Path file;
  private final CorpusOptions options;
  private final ParquetFileReader reader;
  private final MessageType projection;
  private final ColumnDescriptor column;
  private final int maxDefinition;
  private final String createdBy;
  private final List<BlockMetaData> groups;

  private int nextGroup;
  private long nextGroupStart;
  private ColumnReader values;
  private long groupEnd;
  private long index;

  ParquetCorpusReader(Path file, CorpusOptions options) {
    this.file = file;
    this.options = options;
    this.reader = openFile(file);
    try {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      Type type = textColumn(file, schema, options.textField());
      this.projection = new MessageType(schema.getName(), type);
      this.column = projection.getColumns().get(0);
      this.maxDefinition = column.getMaxDefinitionLevel();
      this.createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      this.groups = reader.getRowGroups();
      checkCodecs(file, groups, column);
      reader.setRequestedSchema(projection);
    } catch (RuntimeException e) {
      closeQuietly(reader);
      throw e;
    }
  }

  /** Number of rows, from the footer alone; also checks that the text column exists. */
  static long countRows(Path file, String textField) {
    ParquetFileReader reader = openFile(file);
    try {
      textColumn(file, reader.getFooter().getFileMetaData().getSchema(), textField);
      return reader.getRecordCount();
    } finally {
      closeQuietly(reader);
    }
  }

  @Override
  public CorpusFormat format() {
    return CorpusFormat.PARQUET;
  }

  @Override
  protected void release() {
    values = null;
    closeQuietly(reader);
  }

  @Override
  protected CorpusException describe(Exception e) {
    return new CorpusException(file + " row " + index + ": cannot decode column '" + options.textField()
        + "' (expected a readable Parquet file): " + e.getMessage(), e);
  }

  @Override
  protected Document advance() throws IOException {
    while (true) {
      if (index >= options.to()) {
        return null;
      }
      if (values == null || index >= groupEnd) {
        if (!openNextGroup()) {
          return null;
        }
        continue;
      }
      String problem = null;
      String text = null;
      if (values.getCurrentDefinitionLevel() == maxDefinition) {
        Binary value = values.getBinary();
        text = value.toStringUsingUTF8();
        if (text.indexOf('\uFFFD') >= 0 && !isUtf8(value)) {
          text = null;
          problem = "is not valid UTF-8";
        }
      } else {
        problem = "is null";
      }
      long i = index++;
      values.consume(); // reads the next row's levels, hence after the index moved on
      if (text != null) {
        return new Document(i, text);
      }
      if (!options.skipInvalid()) {
        throw new CorpusException(
            file + " row " + i + ": column '" + options.textField() + "' " + problem + " (expected a string)");
      }
      skip();
    }
  }

  /** Whether the bytes are well-formed UTF-8 (a decoded U+FFFD may be genuine or a replacement). */
  private static boolean isUtf8(Binary value) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(value.toByteBuffer());
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Positions {@link #values} at row {@code max(from, group start)} of the next group in range. */
  private boolean openNextGroup() throws IOException {
    values = null;
    while (nextGroup < groups.size()) {
      int g = nextGroup++;
      long start = nextGroupStart;
      long end = start + groups.get(g).getRowCount();
      nextGroupStart = end;
      if (end <= options.from() || start == end) {
        continue; // wholly before the range: not read at all
      }
      if (start >= options.to()) {
        return false;
      }
      index = start; // for error messages
      PageReadStore pages = reader.readRowGroup(g);
      ColumnReader r = new ColumnReadStoreImpl(pages, new TextConverter(), projection, createdBy)
          .getColumnReader(column);
      for (; index < options.from(); index++) {
        if (r.getCurrentDefinitionLevel() == maxDefinition) {
          r.skip();
        }
        r.consume();
      }
      values = r;
      groupEnd = end;
      return true;
    }
    return false;
  }

  private static ParquetFileReader openFile(Path file) {
    checkMagic(file);
    try {
      ParquetReadOptions readOptions = ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
      return ParquetFileReader.open(new LocalInputFile(file), readOptions);
    } catch (IOException | RuntimeException e) {
      throw new CorpusException(
          file + ": unreadable Parquet footer (expected valid Parquet metadata): "
              + e.getMessage(), e);
    }
  }

  /**
   * Page codecs that decode with the pure-Java/bundled-native libraries on our classpath. LZ4 (Hadoop's
   * framing), LZO and BROTLI need libraries this module does not ship; say so before reading anything.
   */
  private static final Set<CompressionCodecName> CODECS =
      EnumSet.of(
          CompressionCodecName.UNCOMPRESSED,
          CompressionCodecName.SNAPPY,
          CompressionCodecName.GZIP,
          CompressionCodecName.ZSTD,
          CompressionCodecName.LZ4_RAW);

  private static void checkCodecs(Path file, List<BlockMetaData> groups, ColumnDescriptor column) {
    ColumnPath path = ColumnPath.get(column.getPath());
    long row = 0;
    for (BlockMetaData group : groups) {
      for (ColumnChunkMetaData chunk : group.getColumns()) {
        if (chunk.getPath().equals(path) && !CODECS.contains(chunk.getCodec())) {
          throw new CorpusException(file + " row " + row + ": column '" + path.toDotString()
              + "' is compressed with " + chunk.getCodec() + " (expected one of " + CODECS + ")");
        }
      }
      row += group.getRowCount();
    }
  }

  /** Parquet files start and end with "PAR1"; a cut-short download loses the end (and the footer). */
  private static void checkMagic(Path file) {
    byte[] head = new byte[4];
    byte[] tail = new byte[4];
    long size;
    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      size = ch.size();
      if (size >= 8) {
        ch.read(ByteBuffer.wrap(head));
        ch.position(size - 4);
        ch.read(ByteBuffer.wrap(tail));
      }
    } catch (NoSuchFileException e) {
      throw new CorpusException(file + ": no such file", e);
    } catch (IOException e) {
      throw new CorpusException(file + ": cannot read (" + e + ")", e);
    }
    if (size < 12 || !CorpusFormat.isParquet(head) || !CorpusFormat.isParquet(tail)) {
      throw new CorpusException(
          file
              + ": not a Parquet file, or a truncated one (expected 'PAR1' magic bytes at start and end; found "
              + (size < 12 ? size + " bytes in all" : CorpusFormat.hex(head, 4) + " at start and "
                  + CorpusFormat.hex(tail, 4) + " at end")
              + ")");
    }
  }

  /** The top-level column {@code field}, which must hold strings (BINARY, optionally annotated). */
  private static Type textColumn(Path file, MessageType schema, String field) {
    String expected = " (expected a top-level string column)";
    if (!schema.containsField(field)) {
      String columns = schema.getFields().stream().map(Type::getName).collect(Collectors.joining(", "));
      throw new CorpusException(file + ": no column '" + field
          + "' (expected a top-level string column; columns: " + columns + ")");
    }
    Type type = schema.getType(field);
    if (!type.isPrimitive()) {
      throw new CorpusException(file + ": column '" + field + "' is a group (struct, list or map)" + expected);
    }
    if (type.isRepetition(Type.Repetition.REPEATED)) {
      throw new CorpusException(file + ": column '" + field + "' is repeated" + expected);
    }
    PrimitiveType primitive = type.asPrimitiveType();
    LogicalTypeAnnotation logical = primitive.getLogicalTypeAnnotation();
    boolean textual =
        logical == null
            || logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
    if (primitive.getPrimitiveTypeName() != PrimitiveTypeName.BINARY || !textual) {
      throw new CorpusException(file + ": column '" + field + "' is " + primitive.getPrimitiveTypeName()
          + (logical == null ? "" : " (" + logical + ")") + expected);
    }
    return type;
  }

  private static void closeQuietly(ParquetFileReader reader) {
    try {
      reader.close();
    } catch (IOException ignored) {
      // we only read
    }
  }

  /** Required by the column store's API; values are pulled from the column reader directly. */
  private static final class TextConverter extends GroupConverter {
    private final PrimitiveConverter text = new PrimitiveConverter() {};

    @Override
    public Converter getConverter(int fieldIndex) {
      return text;
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }
}
