package io.raftmq.chaos.fault;

import io.raftmq.chaos.fault.proxy.LinkProxy;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fault proxy over real sockets on 127.0.0.1: an echo server behind it; bytes pass, are held while the link
 * drops and flow after it passes again, arrive no sooner than the delay, a reset closes the client's connection,
 * and a one-way fault (two proxies, one per direction of a pair) holds one direction only.
 */
@SocketTest
class LinkProxyTest {
    private static final int READ_TIMEOUT_MS = 3000;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    @Timeout(30)
    void passesHoldsWhileDroppingAndReleasesOnPass() throws IOException {
        LinkProxy proxy = proxyToEcho("a->b");
        Socket s = dial(proxy);
        assertThat(roundTrip(s, "one")).isEqualTo("one");

        proxy.drop();
        send(s, "two");
        s.setSoTimeout(300);
        assertThatThrownBy(() -> s.getInputStream().read()).as("nothing while dropping")
            .isInstanceOf(SocketTimeoutException.class);
        proxy.pass();
        s.setSoTimeout(READ_TIMEOUT_MS);
        assertThat(read(s, 3)).isEqualTo("two");
    }

    @Test
    @Timeout(30)
    void delaysEachChunk() throws IOException {
        LinkProxy proxy = proxyToEcho("a->b");
        Socket s = dial(proxy);
        roundTrip(s, "warm");
        proxy.delay(150);
        long start = System.nanoTime();
        assertThat(roundTrip(s, "late")).isEqualTo("late");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).as("round trip through two delayed directions (ms)").isGreaterThanOrEqualTo(300);
        proxy.heal();
        assertThat(proxy.delayMs()).isZero();
    }

    @Test
    @Timeout(30)
    void resetClosesTheConnection() throws IOException {
        LinkProxy proxy = proxyToEcho("a->b");
        Socket s = dial(proxy);
        roundTrip(s, "x");
        proxy.reset();
        s.setSoTimeout(READ_TIMEOUT_MS);
        int r;
        try {
            r = s.getInputStream().read();
        } catch (IOException e) {
            r = -1; // connection reset: as good as end of stream
        }
        assertThat(r).as("end of stream after reset").isEqualTo(-1);
        assertThat(roundTrip(dial(proxy), "again")).as("new connections pass").isEqualTo("again");
    }

    @Test
    @Timeout(30)
    void oneWayHoldsOneDirectionOnly() throws IOException {
        LinkProxy ab = proxyToEcho("a->b");
        LinkProxy ba = proxyToEcho("b->a");
        Socket sa = dial(ab);
        Socket sb = dial(ba);
        ab.drop();
        assertThat(roundTrip(sb, "b-talks")).isEqualTo("b-talks");
        send(sa, "held");
        sa.setSoTimeout(300);
        assertThatThrownBy(() -> sa.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        ab.pass();
        sa.setSoTimeout(READ_TIMEOUT_MS);
        assertThat(read(sa, 4)).isEqualTo("held");
    }

    private LinkProxy proxyToEcho(String name) throws IOException {
        ServerSocket echo = new ServerSocket();
        echo.bind(new InetSocketAddress("127.0.0.1", 0));
        closeables.add(echo);
        Thread t = new Thread(() -> echoLoop(echo), "echo-" + name);
        t.setDaemon(true);
        t.start();
        LinkProxy p = new LinkProxy(name, "127.0.0.1", "127.0.0.1", (InetSocketAddress) echo.getLocalSocketAddress());
        closeables.add(p);
        return p;
    }

    private static void echoLoop(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // peer gone
                    }
                }, "echo-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private Socket dial(LinkProxy p) throws IOException {
        String[] hp = p.listenAddress().split(":");
        Socket s = new Socket(hp[0], Integer.parseInt(hp[1]));
        s.setSoTimeout(READ_TIMEOUT_MS);
        closeables.add(s);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        send(s, text);
        return read(s, text.length());
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String read(Socket s, int n) throws IOException {
        return new String(s.getInputStream().readNBytes(n), StandardCharsets.US_ASCII);
    }
}
