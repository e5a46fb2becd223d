package org.memcircuits.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Pile-shaped shard far larger than what the reader keeps in memory, streamed end to end. */
class LargeCorpusTest {

  static final int LINES = 200_000;

  @TempDir Path dir;

  @Test
  void streamsA200kLineZstdShard() throws IOException {
    Path file = dir.resolve("00.jsonl.zst");
    long expectedChars = 0;
    try (BufferedWriter w =
        new BufferedWriter(
            new OutputStreamWriter(new ZstdOutputStream(Files.newOutputStream(file), 3), StandardCharsets.UTF_8))) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < LINES; i++) {
        text.setLength(0);
        text.append("Document ").append(i).append(": ");
        for (int k = 0; k < i % 40; k++) {
          text.append("lorem ipsum dolor sit amet ").append(k).append('\n');
        }
        expectedChars += text.length();
        w.write(Fixtures.record(text.toString()));
        w.write('\n');
      }
    }

    assertThat(Corpus.count(file, "text")).isEqualTo(LINES);

    long n = 0;
    long chars = 0;
    try (CorpusReader r = Corpus.open(file, "text")) {
      while (r.hasNext()) {
        Document d = r.next();
        assertThat(d.index()).isEqualTo(n);
        n++;
        chars += d.text().length();
      }
      assertThat(r.skipped()).isZero();
    }
    assertThat(n).isEqualTo(LINES);
    assertThat(chars).isEqualTo(expectedChars);

    try (CorpusReader r = Corpus.open(file, CorpusOptions.of("text").range(LINES - 3, LINES + 3))) {
      assertThat(r.next().index()).isEqualTo(LINES - 3);
      assertThat(r.next().text()).startsWith("Document " + (LINES - 2) + ": ");
      assertThat(r.next().index()).isEqualTo(LINES - 1);
      assertThat(r.hasNext()).isFalse();
    }
  }
}
