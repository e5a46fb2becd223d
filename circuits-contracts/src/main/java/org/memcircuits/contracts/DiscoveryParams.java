package org.memcircuits.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parameters of circuit discovery (EAP-IG, then the minimal-circuit search), shared by the
 * command line and the discovery service. Null fields take the defaults of {@link #normalized()}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiscoveryParams(
        Integer igSteps,
        String gradFunction,
        String loss,
        String ablation,
        String patch,
        String direction,
        String metric,
        Double target,
        Double trainFraction,
        Long seed,
        Integer batchSize,
        Boolean prependBos,
        Boolean signed,
        Boolean mergeQkv,
        Boolean search) {

    public static final Set<String> GRAD_FUNCTIONS = Set.of("logit", "prob", "logprob", "logit_exp");
    public static final Set<String> LOSSES = Set.of("avg_diff", "neg_avg_diff", "avg_val", "avg_val_wrong");
    public static final Set<String> ABLATIONS = Set.of("resample", "zero", "batch_tokenwise_mean", "batch_all_tok_mean",
            "tokenwise_mean_clean", "tokenwise_mean_corrupt", "tokenwise_mean_clean_and_corrupt");
    public static final Set<String> PATCHES = Set.of("edge", "tree");
    public static final Set<String> DIRECTIONS = Set.of("denoising", "noising");
    public static final Set<String> METRICS = Set.of("logit_diff", "neg_logit_diff", "answer_logit", "wrong_answer_logit",
            "answer_nll", "correct_ans_percent", "neg_correct_ans_percent", "incorrect_ans_percent",
            "neg_incorrect_ans_percent");

    public static DiscoveryParams defaults() {
        return new DiscoveryParams(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
                .normalized();
    }

    public DiscoveryParams normalized() {
        return new DiscoveryParams(
                igSteps == null ? 5 : igSteps,
                lower(gradFunction, "logit"),
                lower(loss, "avg_diff"),
                lower(ablation, "resample"),
                lower(patch, "edge"),
                lower(direction, "denoising"),
                lower(metric, "logit_diff"),
                target == null ? 0.85 : target,
                trainFraction == null ? 0.9 : trainFraction,
                seed == null ? 42L : seed,
                batchSize == null ? 80 : batchSize,
                prependBos != null && prependBos,
                signed != null && signed,
                mergeQkv != null && mergeQkv,
                search == null || search);
    }

    private static String lower(String v, String fallback) {
        return v == null ? fallback : v.trim().toLowerCase().replace('-', '_').replaceFirst("_patch$", "");
    }

    /** Problems of a normalized parameter set, each naming its field. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (igSteps < 0 || igSteps > 1000) {
            p.add("igSteps: expected 0..1000, got " + igSteps);
        }
        oneOf(p, "gradFunction", gradFunction, GRAD_FUNCTIONS);
        oneOf(p, "loss", loss, LOSSES);
        oneOf(p, "ablation", ablation, ABLATIONS);
        oneOf(p, "patch", patch, PATCHES);
        oneOf(p, "direction", direction, DIRECTIONS);
        oneOf(p, "metric", metric, METRICS);
        if (!(target > 0 && target <= 1.5)) {
            p.add("target: expected a faithfulness in (0, 1.5], got " + target);
        }
        if (!(trainFraction > 0 && trainFraction <= 1)) {
            p.add("trainFraction: expected (0, 1], got " + trainFraction);
        }
        if (batchSize < 1 || batchSize > 4096) {
            p.add("batchSize: expected 1..4096, got " + batchSize);
        }
        return p;
    }

    private static void oneOf(List<String> p, String field, String v, Set<String> allowed) {
        if (!allowed.contains(v)) {
            p.add(field + ": expected one of " + new java.util.TreeSet<>(allowed) + ", got '" + v + "'");
        }
    }
}
