package org.memcircuits.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder to a real server, for outages on demand: it drops its first {@code dropFirst} connections
 * (accept, then reset), and can be switched {@link #off} (its port refuses connections and every open connection is
 * reset, as if the server died) and {@link #on} again on the same port, at once or after a number of bytes has
 * passed ({@link #offAfter}).
 */
final class FlakyProxy implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final int dropFirst;
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong forwarded = new AtomicLong();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile long offAt = Long.MAX_VALUE;
    private volatile CompletableFuture<Void> switchedOff = new CompletableFuture<>();
    private ServerSocket server;
    /** Holds the port while off, so that no other process's listener takes it meanwhile. */
    private Socket placeholder;

    FlakyProxy(int targetPort, int dropFirst) throws IOException {
        this.targetPort = targetPort;
        this.dropFirst = dropFirst;
        this.server = listen(0);
        this.port = server.getLocalPort();
    }

    private ServerSocket listen(int onPort) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);   // rebinding the port while reset connections to it linger in TIME_WAIT
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
        Thread acceptor = new Thread(() -> acceptLoop(s), "flaky-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
        return s;
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                if (s.isClosed()) {   // accepted while being switched off
                    reset(client);
                    continue;
                }
                if (accepted.incrementAndGet() <= dropFirst) {
                    dropped.incrementAndGet();
                    reset(client);   // "connection reset" / "unexpected end of stream"
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) != -1) {
                    out.write(buf, 0, n);
                    if (forwarded.addAndGet(n) >= offAt) {
                        off();
                    }
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                close(from);
                close(to);
            }
        }, "flaky-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Refuses new connections and resets the open ones, until {@link #on}. */
    synchronized void off() {
        offAt = Long.MAX_VALUE;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : open) {
            reset(s);
        }
        if (placeholder == null) {
            try {
                placeholder = reserve(port);
            } catch (IOException e) {
                // the port stays closed all the same; only a stranger's listener could take it meanwhile
                System.err.println("flaky-proxy: could not hold port " + port + " while off: " + e);
            }
        }
        switchedOff.complete(null);
    }

    /** Accepts connections on the same port again. */
    synchronized void on() throws IOException {
        if (placeholder != null) {
            placeholder.close();
            placeholder = null;
        }
        if (server.isClosed()) {
            server = listen(port);
        }
        switchedOff = new CompletableFuture<>();
    }

    /** Switches {@link #off} once {@code bytes} more bytes (both directions together) have been forwarded. */
    CompletableFuture<Void> offAfter(long bytes) {
        CompletableFuture<Void> f = switchedOff;
        offAt = forwarded.get() + bytes;
        return f;
    }

    /**
     * A socket bound to {@code port} on the loopback address but not listening: connections to the port are
     * refused, and the kernel gives the port to no other socket that asks for any free one.
     */
    static Socket reserve(int port) throws IOException {
        Socket s = new Socket();
        s.setReuseAddress(true);   // the port may still have connections in TIME_WAIT
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);   // RST instead of FIN
        } catch (IOException ignored) {
            // already closed
        }
        close(s);
    }

    private void close(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    int port() {
        return port;
    }

    int dropped() {
        return dropped.get();
    }

    long forwarded() {
        return forwarded.get();
    }

    @Override
    public synchronized void close() throws IOException {
        server.close();
        if (placeholder != null) {
            placeholder.close();
        }
        for (Socket s : open) {
            close(s);
        }
    }
}
