package org.memcircuits.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.InvalidInputException;

class Gpt2TokenizerTest {
    private static final String TEXT = "Hello world! The quick brown fox jumps over the lazy dog.<|endoftext|>";
    private static final long[] IDS = {15496, 995, 0, 383, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13, 50256};

    @Test
    void bundledVocabularyGivesGpt2Ids() {
        try (Gpt2Tokenizer t = Gpt2Tokenizer.bundled()) {
            assertThat(t.encode(TEXT)).containsExactly(IDS);
            assertThat(t.decode(IDS, false)).isEqualTo(TEXT);
            assertThat(t.decode(IDS, true)).isEqualTo("Hello world! The quick brown fox jumps over the lazy dog.");
        }
    }

    @Test
    void longTextIsNotTruncated() {
        String text = "word" + " word".repeat(2999);
        try (Gpt2Tokenizer t = Gpt2Tokenizer.bundled()) {
            assertThat(t.encode(text)).hasSize(3000);
        }
    }

    @Test
    void loadsFromVocabAndMergesFiles(@TempDir Path dir) throws Exception {
        String base = "/org/memcircuits/tokenizer/gpt2/";
        Files.write(dir.resolve("vocab.json"), getClass().getResourceAsStream(base + "encoder.json").readAllBytes());
        Files.write(dir.resolve("merges.txt"), getClass().getResourceAsStream(base + "vocab.bpe").readAllBytes());
        try (Gpt2Tokenizer t = Gpt2Tokenizer.load(dir)) {
            assertThat(t.encode(TEXT)).containsExactly(IDS);
        }
    }

    @Test
    void emptyTextAndMissingFilesAreClearErrors(@TempDir Path dir) {
        try (Gpt2Tokenizer t = Gpt2Tokenizer.bundled()) {
            assertThatThrownBy(() -> t.encode("")).isInstanceOf(InvalidInputException.class).hasMessageContaining("empty text");
        }
        assertThatThrownBy(() -> Gpt2Tokenizer.load(dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tokenizer.json");
    }
}
