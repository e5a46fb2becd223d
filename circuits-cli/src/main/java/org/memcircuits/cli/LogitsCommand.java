package org.memcircuits.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "logits", description = "Logits at every position: {\"ids\":[...], \"logits\":[[vocab floats] per position]}.")
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Override
    public Integer call() throws IOException {
        try (Checkpoint ckpt = model.load(); NDManager m = ckpt.model().newManager()) {
            long[] ids = input.ids(ckpt);
            float[] logits = ckpt.model().logits(m, Batch.of(ids)).toFloatArray();
            int v = ckpt.config().vocabSize();
            try (JsonGenerator g = Json.stdout()) {
                g.writeStartObject();
                Json.array(g, "ids", ids);
                g.writeArrayFieldStart("logits");
                for (int t = 0; t < ids.length; t++) {
                    g.writeStartArray();
                    for (int k = 0; k < v; k++) {
                        g.writeNumber(logits[t * v + k]);
                    }
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            System.out.println();
        }
        return 0;
    }
}
