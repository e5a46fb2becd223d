package org.memcircuits.cli;

import java.util.Arrays;
import org.memcircuits.InvalidInputException;
import org.memcircuits.model.Checkpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Exactly one of {@code --text} or {@code --ids}. */
final class InputOptions {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    static final class Choice {
        @Option(names = "--text", paramLabel = "T", description = "Text to tokenize with the model's tokenizer.")
        String text;

        @Option(names = "--ids", paramLabel = "1,2,3", split = ",", description = "Token ids, comma-separated.")
        String[] ids;
    }

    long[] ids(Checkpoint ckpt) {
        if (choice.text != null) {
            return ckpt.tokenizer().encode(choice.text);
        }
        if (choice.ids.length == 0) {
            throw new InvalidInputException("--ids: at least one token id is needed");
        }
        return Arrays.stream(choice.ids).mapToLong(s -> {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--ids: '" + s + "' is not an integer token id");
            }
        }).toArray();
    }
}
