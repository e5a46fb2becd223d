package org.memcircuits.cli;

import org.memcircuits.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code circuits}: every stage of the pipeline, run locally. Output is JSON on stdout (users
 * script against it); errors go to stderr with exit status 2 for bad input, 1 otherwise.
 */
@Command(
        name = "circuits",
        mixinStandardHelpOptions = true,
        version = "memorization-circuits 0.1.0",
        description = "Find the circuits behind verbatim memorization in language models.",
        subcommands = {
            TokenizeCommand.class,
            LogitsCommand.class,
            GenerateCommand.class,
            InitModelCommand.class,
            ScoreCommand.class,
            ContrastiveCommand.class,
            MakeCorpusCommand.class,
            SubmitCommand.class,
            WatchCommand.class,
            FetchCommand.class,
            DiscoverCommand.class,
            VerifyCommand.class,
            BenchCommand.class,
        })
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof InvalidInputException) {
                line.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            line.getErr().println("error: " + ex);
            ex.printStackTrace(line.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
