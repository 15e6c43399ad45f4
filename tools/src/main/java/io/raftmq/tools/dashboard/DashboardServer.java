package io.raftmq.tools.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The dashboard's HTTP side (JDK {@code HttpServer}, loopback by default): the page and its script and style from
 * this package's resources, the uPlot charting library from its webjar on the class path (nothing from the network:
 * users run it offline), and {@code GET /api/state}, the poller's view as JSON ({@link DashboardJson}). GET only;
 * anything else 405, unknown paths 404. Two handler threads; each answer is computed from one consistent view.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    /** The uPlot webjar's version: the same as org.webjars.npm:uplot in tools/pom.xml (a test fetches its files). */
    static final String UPLOT_VERSION = "1.6.30";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    private static final Map<String, String[]> STATIC = Map.of(
        "/", new String[] {"io/raftmq/tools/dashboard/index.html", "text/html; charset=utf-8"},
        "/app.js", new String[] {"io/raftmq/tools/dashboard/app.js", "text/javascript; charset=utf-8"},
        "/style.css", new String[] {"io/raftmq/tools/dashboard/style.css", "text/css; charset=utf-8"},
        "/lib/uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
        "/lib/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final HttpServer http;
    private final ExecutorService handlers;

    /**
     * Binds {@code host:port} (port 0: any free port) and serves {@code state}'s JSON at /api/state.
     *
     * @throws IOException when the address cannot be bound (the message names it)
     */
    public DashboardServer(String host, int port, Supplier<String> state) throws IOException {
        try {
            http = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new IOException("dashboard: cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        handlers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "dashboard-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(handlers);
        http.createContext("/", ex -> serve(ex, state));
        http.start();
        LOG.info("dashboard listening on {}", url());
    }

    /** The page's address, e.g. http://127.0.0.1:8080/. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        return "http://" + a.getHostString() + ":" + a.getPort() + "/";
    }

    private static void serve(HttpExchange ex, Supplier<String> state) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                answer(ex, 405, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getPath();
            if ("/api/state".equals(path)) {
                answer(ex, 200, "application/json; charset=utf-8", state.get().getBytes(StandardCharsets.UTF_8));
                return;
            }
            String[] file = STATIC.get(path);
            byte[] body = file == null ? null : resource(file[0]);
            if (body == null) {
                answer(ex, 404, "text/plain", ("not found: " + path + "\n").getBytes(StandardCharsets.UTF_8));
            } else {
                answer(ex, 200, file[1], body);
            }
        } catch (RuntimeException e) {
            LOG.warn("dashboard request failed", e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    private static void answer(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        handlers.shutdownNow();
    }
}
