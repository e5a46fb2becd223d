package org.memcircuits.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** A TCP proxy to a real server that drops its first {@code dropFirst} connections (accept, then close at once). */
final class FlakyProxy implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();

    FlakyProxy(int targetPort, int dropFirst) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    if (accepted.incrementAndGet() <= dropFirst) {
                        dropped.incrementAndGet();
                        client.setSoLinger(true, 0);   // RST: "connection reset" / "unexpected end of stream"
                        client.close();
                        continue;
                    }
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    // closed
                }
            }
        }, "flaky-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "flaky-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int dropped() {
        return dropped.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
