package org.memcircuits.corpus;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines on {@code \n} (a trailing {@code \r} is dropped), without decoding:
 * JSON text cannot contain a raw newline, so byte-level splitting is exact for UTF-8 JSONL. Holds one
 * read buffer and one line; the line buffer grows to the longest line seen.
 */
final class LineReader implements Closeable {

  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private boolean eof;
  private byte[] line = new byte[1 << 12];
  private int length;
  private long lineNumber;

  LineReader(InputStream in) {
    this.in = in;
  }

  /**
   * Reads the next line.
   *
   * @return false at the end of the stream (a last line without a newline is still returned)
   */
  boolean next() throws IOException {
    length = 0;
    boolean any = false;
    while (true) {
      if (pos == limit) {
        if (eof || !fill()) {
          if (!any) {
            return false;
          }
          break;
        }
      }
      any = true;
      int start = pos;
      int nl = -1;
      for (int i = pos; i < limit; i++) {
        if (buf[i] == '\n') {
          nl = i;
          break;
        }
      }
      int end = nl < 0 ? limit : nl;
      append(start, end - start);
      pos = nl < 0 ? limit : nl + 1;
      if (nl >= 0) {
        break;
      }
    }
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    lineNumber++;
    return true;
  }

  private boolean fill() throws IOException {
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0);
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  private void append(int from, int n) {
    if (length + n > line.length) {
      long wanted = Math.max((long) line.length * 2, (long) length + n);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("line longer than 2 GiB");
      }
      line = Arrays.copyOf(line, (int) wanted);
    }
    System.arraycopy(buf, from, line, length, n);
    length += n;
  }

  /** The current line's bytes, valid up to {@link #length()} until the next call of {@link #next()}. */
  byte[] bytes() {
    return line;
  }

  int length() {
    return length;
  }

  /** 1-based number of the current line. */
  long lineNumber() {
    return lineNumber;
  }

  /** Whether the current line is empty or only spaces, tabs and carriage returns. */
  boolean isBlank() {
    for (int i = 0; i < length; i++) {
      byte b = line[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
