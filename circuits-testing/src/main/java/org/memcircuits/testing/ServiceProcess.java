package org.memcircuits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged service ({@code <module>/target/quarkus-app/quarkus-run.jar}) as a separate JVM, the way it runs in
 * production: environment from {@link LocalStack#env()} plus {@code S3_BUCKET}, {@code CIRCUITS_WORK_DIR} and
 * {@code MALLOC_ARENA_MAX=1}, HTTP on a free loopback port, output appended to a log file. {@link #kill()} sends SIGKILL
 * (no shutdown hooks, no commit, no flush), {@link #start()} starts it again with the same settings (a fresh port).
 *
 * <pre>{@code
 * ServiceProcess scorer = ServiceProcess.builder("scorer-service", stack).bucket(b).logDir(target).build();
 * scorer.start(); scorer.awaitReady(Duration.ofMinutes(2));
 * scorer.kill(); scorer.start(); ...
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {
    private final String name;
    private final Path jar;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int port;
    private int starts;

    /** Every JVM started here, SIGKILLed when the test JVM exits so none outlives an aborted run. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "service-processes-kill"));
    }

    private ServiceProcess(Builder b) {
        this.name = b.module;
        this.jar = b.repoRoot.resolve(b.module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the service first (./mvnw -pl " + b.module
                    + " -am package -DskipTests)");
        }
        this.env = new LinkedHashMap<>(b.stack.env());
        env.put("S3_BUCKET", b.bucket);
        env.put("OPT_OUT_TRACKING", "true");
        env.put("MALLOC_ARENA_MAX", "1");
        env.put("CIRCUITS_WORK_DIR", b.workDir.toAbsolutePath().toString());
        env.putAll(b.extraEnv);
        this.jvmArgs = List.copyOf(b.jvmArgs);
        this.log = b.logDir.resolve(b.logName != null ? b.logName : b.module + ".log").toAbsolutePath();
        try {
            Files.createDirectories(b.logDir);
            Files.createDirectories(b.workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Builder builder(String module, LocalStack stack) {
        return new Builder(module, stack);
    }

    public static final class Builder {
        private final String module;
        private final LocalStack stack;
        private Path repoRoot;
        private String bucket;
        private Path workDir;
        private Path logDir;
        private String logName;
        private final Map<String, String> extraEnv = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx1g", "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true"));

        private Builder(String module, LocalStack stack) {
            this.module = module;
            this.stack = stack;
            this.repoRoot = stack.repoRoot();
            this.logDir = stack.repoRoot().resolve("target/services");
        }

        public Builder bucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** Where the log goes ({@code <module>.log} unless {@link #logName}); appended to across restarts. */
        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        public Builder logName(String fileName) {
            this.logName = fileName;
            return this;
        }

        public Builder env(String key, String value) {
            extraEnv.put(key, value);
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        public ServiceProcess build() {
            if (bucket == null) {
                throw new IllegalStateException("bucket is required");
            }
            if (workDir == null) {
                workDir = logDir.resolve(module + "-work");
            }
            return new ServiceProcess(this);
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public int port() {
        return port;
    }

    public String bucket() {
        return env.get("S3_BUCKET");
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Launches the JVM (does not wait for it); a running one is an error. */
    public synchronized ServiceProcess start() {
        if (alive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        port = freePort();
        starts++;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(jar.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        try {
            Files.writeString(log, "\n===== start #" + starts + " of " + name + " on port " + port + " at " + java.time.Instant.now()
                    + " (bucket " + bucket() + ") =====\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = pb.start();
            LIVE.add(process);
            process.onExit().thenAccept(LIVE::remove);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        return this;
    }

    /** Waits until {@code /q/health/ready} answers 200; fails fast if the JVM exits. */
    public ServiceProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new AssertionError(name + " exited (code " + (process == null ? "?" : process.exitValue())
                        + ") before it was ready; log " + log + ":\n" + tail(60));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(500);
        }
        throw new AssertionError(name + " not ready within " + timeout.toSeconds() + " s (last answer: " + last + "); log " + log
                + ":\n" + tail(60));
    }

    /** {@code /q/health/ready} answers 200 right now. */
    public boolean ready() {
        if (!alive()) {
            return false;
        }
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The body of {@code GET /q/<path>} (e.g. {@code metrics}, {@code health/ready}). */
    public String get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/" + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL (on Linux {@link Process#destroyForcibly()}), then waits until the process is gone. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM (a graceful Quarkus shutdown), SIGKILL if it is still there after {@code grace}. */
    public synchronized void stop(Duration grace) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        awaitExit(Duration.ofSeconds(30));
    }

    /** {@link #kill()}, {@link #start()}, {@link #awaitReady}. */
    public ServiceProcess restart(Duration readyTimeout) {
        kill();
        start();
        return awaitReady(readyTimeout);
    }

    private void awaitExit(Duration d) {
        try {
            if (!process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") still alive " + d.toSeconds() + " s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last {@code lines} lines of the log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The whole log, for grepping. */
    public String logText() {
        try {
            return Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the JVM (SIGTERM, then SIGKILL after 20 s). */
    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + ", port " + port + ", bucket " + bucket() + "]";
    }
}
