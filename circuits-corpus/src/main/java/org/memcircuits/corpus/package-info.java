/**
 * Streaming readers for text corpora, as the memorization scorer consumes them.
 *
 * <ul>
 *   <li>{@link org.memcircuits.corpus.Corpus}: open a file, count its records, detect its format.
 *   <li>{@link org.memcircuits.corpus.CorpusReader}: an {@code Iterator<Document>} to close.
 *   <li>{@link org.memcircuits.corpus.CorpusOptions}: text field, invalid-record policy, index range.
 *   <li>{@link org.memcircuits.corpus.Document}: a text and its stable 0-based index in the file.
 *   <li>{@link org.memcircuits.corpus.CorpusFormat}: JSONL, gzip/zstd JSONL, Parquet.
 *   <li>{@link org.memcircuits.corpus.CorpusException}: every input error, naming file and line/row.
 * </ul>
 *
 * <p>Policy: a record without a usable text is an error by default, or skipped and counted with
 * {@link org.memcircuits.corpus.CorpusOptions#skippingInvalid()}; damage to the file (truncated or
 * corrupt compression, bad Parquet footer or pages) is always an error. Memory does not grow with the
 * file: JSONL is read a line at a time, Parquet a row group of the text column at a time.
 */
package org.memcircuits.corpus;
