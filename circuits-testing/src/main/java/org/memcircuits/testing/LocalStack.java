package org.memcircuits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The project's real servers (an Apache Kafka broker and an s3proxy S3 server) for integration tests,
 * started once per JVM through {@code stack/local-stack.sh start} in a state dir and on ports of their own,
 * so they never collide with a developer's stack ({@code .stack}, ports 19092/19093/19000).
 *
 * <pre>{@code
 * LocalStack stack = LocalStack.get();          // starts on first use, then cached for the JVM
 * String bucket = stack.uniqueBucket("artifacts");
 * MinioClient c = MinioClient.builder().endpoint(stack.s3Endpoint())
 *         .credentials(stack.s3AccessKey(), stack.s3SecretKey()).region(stack.s3Region()).build();
 * }</pre>
 * or {@code @ExtendWith(LocalStackExtension.class)} with a {@code LocalStack} test/constructor parameter.
 *
 * <h2>Settings</h2> Each one is read from a system property, else an environment variable, else a default:
 * <table>
 * <tr><th>property</th><th>env</th><th>default</th></tr>
 * <tr><td>memcircuits.test.stack.home</td><td>TEST_STACK_HOME</td><td>{@code <repo>/.stack-test}</td></tr>
 * <tr><td>memcircuits.test.stack.kafkaPort</td><td>TEST_KAFKA_PORT</td><td>29092</td></tr>
 * <tr><td>memcircuits.test.stack.kafkaControllerPort</td><td>TEST_KAFKA_CONTROLLER_PORT</td><td>29093</td></tr>
 * <tr><td>memcircuits.test.stack.s3Port</td><td>TEST_S3_PORT</td><td>29000</td></tr>
 * <tr><td>memcircuits.test.stack.s3AccessKey / s3SecretKey / s3Region</td>
 *     <td>TEST_S3_ACCESS_KEY / TEST_S3_SECRET_KEY / TEST_S3_REGION</td>
 *     <td>circuits-test / circuits-test-secret / us-east-1</td></tr>
 * <tr><td>memcircuits.test.stack.keep</td><td>TEST_STACK_KEEP</td><td>false: true leaves the stack running
 *     after the tests (faster reruns; stop it with the same STACK_HOME/ports)</td></tr>
 * <tr><td>memcircuits.test.stack.startTimeoutSeconds</td><td>TEST_STACK_START_TIMEOUT</td><td>600 (the first start
 *     resolves ~200 jars with Maven)</td></tr>
 * <tr><td>memcircuits.test.stack.repo</td><td>TEST_STACK_REPO</td><td>walk up from {@code user.dir} to the
 *     directory holding {@code stack/local-stack.sh}</td></tr>
 * </table>
 *
 * <h2>Lifetime</h2> Several test JVMs (parallel Maven modules, surefire forks, an IDE) may share one test
 * stack. Each JVM takes a lease ({@code <home>/test-leases/<pid>}) under a file lock around {@code start}; at
 * JVM exit a shutdown hook drops the lease and, if no live lease is left and the stack was started by a test
 * JVM (marker {@code <home>/.started-by-tests}), runs {@code stop}. A stack that was already running when the
 * tests found it, and was not started by tests, is left running. The script's own {@code flock} and its
 * idempotent {@code start} make concurrent starts safe on top of that.
 */
public final class LocalStack {

    private static final String PROP = "memcircuits.test.stack.";
    private static final String SCRIPT = "stack/local-stack.sh";
    private static final String MARKER = ".started-by-tests";
    private static final String LEASES = "test-leases";
    private static final String LOCK = ".test-leases.lock";
    private static final AtomicLong COUNTER = new AtomicLong();

    private static LocalStack instance;
    private static RuntimeException failure;

    private final Path repoRoot;
    private final Path home;
    private final int kafkaPort;
    private final int kafkaControllerPort;
    private final int s3Port;
    private final String s3AccessKey;
    private final String s3SecretKey;
    private final String s3Region;
    private final boolean keep;
    private final Duration startTimeout;
    private final boolean launchedHere;
    private final String startOutput;

    /**
     * The JVM-wide stack: started (or found running) on the first call, the same instance afterwards. A failed
     * start is remembered and rethrown, so a broken environment fails every test fast with the same message.
     */
    public static synchronized LocalStack get() {
        if (instance != null) {
            return instance;
        }
        if (failure != null) {
            throw new IllegalStateException("local test stack failed to start earlier in this JVM: " + failure.getMessage(), failure);
        }
        try {
            instance = new LocalStack();
            return instance;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    private LocalStack() {
        this(null, null, intSetting("kafkaPort", "TEST_KAFKA_PORT", 29092),
                intSetting("kafkaControllerPort", "TEST_KAFKA_CONTROLLER_PORT", 29093), intSetting("s3Port", "TEST_S3_PORT", 29000),
                setting("keep", "TEST_STACK_KEEP").map(Boolean::parseBoolean).orElse(false));
    }

    /**
     * A second, separate stack (not the JVM-wide one) in its own state dir and on its own ports, e.g. one whose broker a
     * test reformats. Same credentials and repository as {@link #get()}; stopped at JVM exit (or by {@link #stop()}).
     */
    public static LocalStack startSeparate(Path home, int kafkaPort, int kafkaControllerPort, int s3Port) {
        return new LocalStack(null, home.toAbsolutePath(), kafkaPort, kafkaControllerPort, s3Port, false);
    }

    private LocalStack(Path repo, Path stackHome, int kafkaPort, int kafkaControllerPort, int s3Port, boolean keep) {
        this.repoRoot = repo != null ? repo
                : setting("repo", "TEST_STACK_REPO").map(Path::of).map(Path::toAbsolutePath).orElseGet(LocalStack::findRepoRoot);
        if (!Files.isRegularFile(repoRoot.resolve(SCRIPT))) {
            throw new IllegalStateException("no " + SCRIPT + " under " + repoRoot);
        }
        this.home = stackHome != null ? stackHome
                : setting("home", "TEST_STACK_HOME").map(Path::of).map(Path::toAbsolutePath).orElse(repoRoot.resolve(".stack-test"));
        this.kafkaPort = kafkaPort;
        this.kafkaControllerPort = kafkaControllerPort;
        this.s3Port = s3Port;
        this.s3AccessKey = setting("s3AccessKey", "TEST_S3_ACCESS_KEY").orElse("circuits-test");
        this.s3SecretKey = setting("s3SecretKey", "TEST_S3_SECRET_KEY").orElse("circuits-test-secret");
        this.s3Region = setting("s3Region", "TEST_S3_REGION").orElse("us-east-1");
        this.keep = keep;
        this.startTimeout = Duration.ofSeconds(intSetting("startTimeoutSeconds", "TEST_STACK_START_TIMEOUT", 600));

        try {
            Files.createDirectories(home.resolve(LEASES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create test stack dir " + home, e);
        }
        ScriptResult started;
        try (FileChannel ch = FileChannel.open(home.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            started = runScript("start", startTimeout);
            if (started.exitCode != 0) {
                throw new IllegalStateException("stack/local-stack.sh start failed (exit " + started.exitCode + ", STACK_HOME="
                        + home + ", ports kafka " + kafkaPort + "/" + kafkaControllerPort + ", s3 " + s3Port + "); output:\n"
                        + started.output + "\n(tests choose their ports with -D" + PROP + "kafkaPort / kafkaControllerPort / s3Port"
                        + " or TEST_KAFKA_PORT / TEST_KAFKA_CONTROLLER_PORT / TEST_S3_PORT; server logs: " + home.resolve("kafka/kafka.log")
                        + ", " + home.resolve("s3/s3.log") + ")");
            }
            // the script logs "starting Kafka on ..." / "starting s3proxy on ..." only for servers it launched
            this.launchedHere = started.output.contains("] starting Kafka") || started.output.contains("] starting s3proxy");
            if (launchedHere && !keep) {
                Files.writeString(home.resolve(MARKER), "pid " + ProcessHandle.current().pid() + "\n");
            } else if (keep) {
                Files.deleteIfExists(home.resolve(MARKER));
            }
            Files.writeString(leaseFile(ProcessHandle.current().pid()), processStart(ProcessHandle.current()));
        } catch (IOException e) {
            throw new UncheckedIOException("local test stack in " + home + ": " + e.getMessage(), e);
        }
        this.startOutput = started.output;
        if (!keep) {
            Thread hook = new Thread(this::release, "local-stack-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        awaitPort(kafkaPort, "Kafka");
        awaitPort(s3Port, "s3proxy");
    }

    // ------------------------------------------------------------------------------------------------------------
    // coordinates

    /** {@code 127.0.0.1:<kafkaPort>}, for {@code bootstrap.servers}. */
    public String kafkaBootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** {@code http://127.0.0.1:<s3Port>} */
    public String s3Endpoint() {
        return "http://127.0.0.1:" + s3Port;
    }

    public String s3AccessKey() {
        return s3AccessKey;
    }

    public String s3SecretKey() {
        return s3SecretKey;
    }

    public String s3Region() {
        return s3Region;
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    public int s3Port() {
        return s3Port;
    }

    /** The stack's state dir (logs: {@code kafka/kafka.log}, {@code s3/s3.log}; objects under {@code s3/data}). */
    public Path home() {
        return home;
    }

    public Path repoRoot() {
        return repoRoot;
    }

    /** Whether this JVM's {@code start} launched at least one of the servers (false: found them running). */
    public boolean launchedHere() {
        return launchedHere;
    }

    /** What {@code local-stack.sh start} printed for this JVM. */
    public String startOutput() {
        return startOutput;
    }

    /**
     * The variables {@code local-stack.sh env} prints, for a child process or a Quarkus test profile:
     * KAFKA_BOOTSTRAP_SERVERS, S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION.
     */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap());
        env.put("S3_ENDPOINT", s3Endpoint());
        env.put("S3_ACCESS_KEY", s3AccessKey);
        env.put("S3_SECRET_KEY", s3SecretKey);
        env.put("S3_REGION", s3Region);
        return env;
    }

    // ------------------------------------------------------------------------------------------------------------
    // per-server control (fault injection): data is kept, the broker is never reformatted by these

    /** Stops the broker ({@code local-stack.sh stop kafka}: SIGTERM, SIGKILL after the stop timeout); its data stays. */
    public void stopKafka() {
        control("stop", "kafka");
    }

    /** Starts the broker again on the same port and data dir; returns once it accepts connections. */
    public void startKafka() {
        control("start", "kafka");
        awaitPort(kafkaPort, "Kafka");
    }

    public void restartKafka() {
        control("restart", "kafka");
        awaitPort(kafkaPort, "Kafka");
    }

    /** Stops s3proxy; its objects stay on disk. */
    public void stopS3() {
        control("stop", "s3");
    }

    public void startS3() {
        control("start", "s3");
        awaitPort(s3Port, "s3proxy");
    }

    public void restartS3() {
        control("restart", "s3");
        awaitPort(s3Port, "s3proxy");
    }

    /**
     * Stops the broker, deletes its data dir (topics, offsets, cluster id) and starts it again, so the next start
     * formats fresh KRaft storage: a brand-new, empty cluster on the same port.
     */
    public void reformatKafka() {
        stopKafka();
        deleteTree(home.resolve("kafka/data"));
        startKafka();
    }

    /** Stops both servers now (a separate stack; the JVM-wide one is stopped at JVM exit). */
    public void stop() {
        control("stop", null);
    }

    private void control(String command, String component) {
        ScriptResult r;
        try {
            r = component == null ? runScript(command, startTimeout) : runScript(command, startTimeout, component);
        } catch (IOException e) {
            throw new UncheckedIOException("stack/local-stack.sh " + command + " " + component + ": " + e.getMessage(), e);
        }
        if (r.exitCode != 0) {
            throw new IllegalStateException("stack/local-stack.sh " + command + (component == null ? "" : " " + component)
                    + " failed (exit " + r.exitCode + ", STACK_HOME=" + home + "); output:\n" + r.output);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // unique names

    /**
     * A fresh, valid S3 bucket name (3-63 chars of {@code [a-z0-9-]}, starting and ending with a letter or digit)
     * derived from {@code hint} (e.g. the test class's simple name) and unique per call, JVM and run. The bucket is
     * not created.
     */
    public String uniqueBucket(String hint) {
        return uniqueName(hint, 63, true);
    }

    /** A fresh Kafka topic name ({@code [a-z0-9-]}) derived from {@code hint}; the topic is not created. */
    public String uniqueTopic(String hint) {
        return uniqueName(hint, 200, false);
    }

    static String uniqueName(String hint, int maxLength, boolean bucket) {
        String base = hint == null ? "" : hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
            base = "t" + (base.isEmpty() ? "" : "-" + base);
        }
        if (bucket && base.startsWith("xn--")) {
            base = "t-" + base;
        }
        String suffix = "-" + Long.toString(System.currentTimeMillis(), 36)
                + Long.toString(ProcessHandle.current().pid() % 1296, 36)
                + "-" + COUNTER.incrementAndGet()
                + Integer.toString(ThreadLocalRandom.current().nextInt(1296), 36);
        int room = maxLength - suffix.length();
        if (base.length() > room) {
            base = base.substring(0, room).replaceAll("-+$", "");
        }
        return base + suffix;
    }

    // ------------------------------------------------------------------------------------------------------------
    // shutdown

    /** Shutdown hook: drop this JVM's lease; the last JVM out stops a stack that tests started. */
    private void release() {
        try (FileChannel ch = FileChannel.open(home.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            Files.deleteIfExists(leaseFile(ProcessHandle.current().pid()));
            List<Long> others = liveLeases();
            if (!others.isEmpty() || !Files.exists(home.resolve(MARKER))) {
                return;   // someone else still uses it, or it was running before the tests: leave it
            }
            ScriptResult stopped = runScript("stop", Duration.ofSeconds(90));
            if (stopped.exitCode != 0) {
                System.err.println("[LocalStack] stack/local-stack.sh stop failed (exit " + stopped.exitCode + "):\n" + stopped.output);
            } else {
                Files.deleteIfExists(home.resolve(MARKER));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("[LocalStack] could not release the test stack in " + home + ": " + e);
        }
    }

    private Path leaseFile(long pid) {
        return home.resolve(LEASES).resolve(Long.toString(pid));
    }

    /** Leases of live JVMs (other than this one); stale leases of dead JVMs are deleted. */
    private List<Long> liveLeases() throws IOException {
        List<Long> live = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(home.resolve(LEASES))) {
            for (Path f : files) {
                long pid;
                try {
                    pid = Long.parseLong(f.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == self) {
                    continue;
                }
                String recorded = Files.readString(f).trim();
                Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
                boolean alive = h.isPresent() && (recorded.isEmpty() || recorded.equals(processStart(h.get())));
                if (alive) {
                    live.add(pid);
                } else {
                    Files.deleteIfExists(f);
                }
            }
        }
        return live;
    }

    private static String processStart(ProcessHandle h) {
        return h.info().startInstant().map(Instant::toString).orElse("");
    }

    // ------------------------------------------------------------------------------------------------------------
    // script

    private record ScriptResult(int exitCode, String output) {}

    private ScriptResult runScript(String command, Duration timeout, String... args) throws IOException {
        Path log = Files.createTempFile(home, command + "-", ".log");
        try {
            List<String> cmd = new ArrayList<>(List.of("bash", repoRoot.resolve(SCRIPT).toString(), command));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(repoRoot.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    // a file, not a pipe: nothing the script leaves behind can keep us waiting for EOF
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            // Maven's launcher exports these; they must not leak into the script's own Maven run
            env.remove("MAVEN_CMD_LINE_ARGS");
            env.remove("MAVEN_PROJECTBASEDIR");
            env.put("STACK_HOME", home.toString());
            env.put("KAFKA_PORT", Integer.toString(kafkaPort));
            env.put("KAFKA_CONTROLLER_PORT", Integer.toString(kafkaControllerPort));
            env.put("S3_PORT", Integer.toString(s3Port));
            env.put("S3_ACCESS_KEY", s3AccessKey);
            env.put("S3_SECRET_KEY", s3SecretKey);
            env.put("S3_REGION", s3Region);
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running stack/local-stack.sh " + command);
            }
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                String out = Files.readString(log, StandardCharsets.UTF_8);
                throw new IllegalStateException("stack/local-stack.sh " + command + " did not finish within " + timeout.toSeconds()
                        + " s (STACK_HOME=" + home + "); output so far:\n" + out);
            }
            return new ScriptResult(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private void awaitPort(int port, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException(what + " on 127.0.0.1:" + port + " does not accept connections after local-stack.sh start ("
                + last + "); start output:\n" + startOutput);
    }

    // ------------------------------------------------------------------------------------------------------------
    // settings

    private static Optional<String> setting(String property, String env) {
        String v = System.getProperty(PROP + property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private static int intSetting(String property, String env, int dflt) {
        Optional<String> v = setting(property, env);
        try {
            return v.map(Integer::parseInt).orElse(dflt);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROP + property + " / " + env + " must be an integer, got '" + v.get() + "'");
        }
    }

    private static Path findRepoRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(SCRIPT))) {
                return d;
            }
        }
        throw new IllegalStateException("cannot find " + SCRIPT + " in " + start + " or any parent directory; set -D"
                + PROP + "repo=<repository root> or TEST_STACK_REPO");
    }

    @Override
    public String toString() {
        return "LocalStack[kafka " + kafkaBootstrap() + ", s3 " + s3Endpoint() + ", home " + home + "]";
    }
}
