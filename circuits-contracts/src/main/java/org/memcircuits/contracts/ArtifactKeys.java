package org.memcircuits.contracts;

/**
 * Object keys of every artifact, derived only from the job id (itself derived from the request),
 * so a re-delivered or re-submitted event finds the finished artifact instead of redoing it.
 */
public final class ArtifactKeys {
    private ArtifactKeys() {}

    public static String scoreShard(String jobId, int shard) {
        return String.format("jobs/%s/score/shards/%05d.jsonl", jobId, shard);
    }

    public static String scoreShardPrefix(String jobId) {
        return "jobs/" + jobId + "/score/shards/";
    }

    public static String scores(String jobId) {
        return "jobs/" + jobId + "/score/scores.jsonl";
    }

    public static String scoreSummary(String jobId) {
        return "jobs/" + jobId + "/score/summary.json";
    }

    public static String contrastive(String jobId, String file) {
        return "jobs/" + jobId + "/contrastive/" + file;
    }

    public static String verify(String jobId, String file) {
        return "jobs/" + jobId + "/verify/" + file;
    }

    /** Discovery's files ({@code prune_scores.safetensors}, {@code graph.json}, ...). */
    public static String discovery(String jobId, String file) {
        return "jobs/" + jobId + "/discover/" + file;
    }

    /** Written after a stage's result event was acknowledged: that stage announced the job's result once. */
    public static String announced(Stage stage, String jobId) {
        return "jobs/" + jobId + "/" + stage.id() + "/result-announced";
    }

    public static String input(String name) {
        return "inputs/" + name;
    }
}
