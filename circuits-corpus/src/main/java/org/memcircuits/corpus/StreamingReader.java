package org.memcircuits.corpus;

import java.util.NoSuchElementException;

/**
 * The iteration contract of {@link CorpusReader}, once for every format: one document read ahead, a
 * failure kept and thrown again on every later call, closing idempotent. A format supplies the next
 * document of its range ({@link #advance()}), what a read error means in its terms
 * ({@link #describe(Exception)}) and how to release its file ({@link #release()}).
 */
abstract class StreamingReader implements CorpusReader {

  private long skipped;
  private Document next;
  private boolean done;
  private boolean closed;
  private CorpusException failure;

  /** The next document within the range, or null at its end; counts skipped records meanwhile. */
  protected abstract Document advance() throws Exception;

  /** Releases the file and streams; called once, never throws. */
  protected abstract void release();

  /** A read error that is not already a {@link CorpusException}, named in the format's terms. */
  protected abstract CorpusException describe(Exception e);

  /** One more invalid record passed over ({@link CorpusOptions#skipInvalid()}). */
  protected final void skip() {
    skipped++;
  }

  @Override
  public final boolean hasNext() {
    if (failure != null) {
      throw failure;
    }
    if (next != null) {
      return true;
    }
    if (done || closed) {
      return false;
    }
    try {
      next = advance();
    } catch (CorpusException e) {
      fail(e);
    } catch (Exception e) {
      fail(describe(e));
    }
    done = next == null;
    return !done;
  }

  private void fail(CorpusException e) {
    failure = e;
    close();
    throw e;
  }

  @Override
  public final Document next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Document d = next;
    next = null;
    return d;
  }

  @Override
  public final long skipped() {
    return skipped;
  }

  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    next = null;
    release();
  }
}
