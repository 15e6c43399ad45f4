package io.raftmq.tools.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.raftmq.client.protocol.json.JsonWriter;
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
import java.net.URLDecoder;
import java.util.HashMap;

/**
 * The dashboard's HTTP side (JDK {@code HttpServer}, loopback by default): the page and its script and style from
 * this package's resources, the uPlot charting library from its webjar on the class path (nothing from the network:
 * users run it offline), and the JSON APIs it is given ({@link Api}: {@code /api/state}, {@code /api/topics}, ...;
 * docs/dashboard.md). GET only; anything else 405, unknown paths 404; an API's answer is 200, or 400 (bad query), 404
 * (nothing found) or 502 (the cluster did not answer), each with {@code {"error":"..."}}. Two handler threads.
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

    /** One JSON API: the answer to {@code GET path?query} (query parameters decoded, the last of a name wins). */
    @FunctionalInterface
    public interface Api {
        String answer(Map<String, String> query) throws Exception;
    }

    /** An API's "nothing matches": 404. */
    public static final class NotFoundException extends Exception {
        private static final long serialVersionUID = 1L;

        public NotFoundException(String message) {
            super(message);
        }
    }

    private final HttpServer http;
    private final ExecutorService handlers;

    /**
     * Binds {@code host:port} (port 0: any free port) and serves the page and {@code apis} (path to API).
     *
     * @throws IOException when the address cannot be bound (the message names it)
     */
    public DashboardServer(String host, int port, Map<String, Api> apis) throws IOException {
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
        Map<String, Api> table = Map.copyOf(apis);
        http.createContext("/", ex -> serve(ex, table));
        http.start();
        LOG.info("dashboard listening on {}", url());
    }

    /** The page's address, e.g. http://127.0.0.1:8080/. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        return "http://" + a.getHostString() + ":" + a.getPort() + "/";
    }

    private static void serve(HttpExchange ex, Map<String, Api> apis) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                answer(ex, 405, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getPath();
            Api api = apis.get(path);
            if (api != null) {
                callApi(ex, api);
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

    private static void callApi(HttpExchange ex, Api api) throws IOException {
        int code = 200;
        String body;
        try {
            body = api.answer(query(ex.getRequestURI().getRawQuery()));
        } catch (NotFoundException e) {
            code = 404;
            body = error(e.getMessage());
        } catch (IllegalArgumentException e) {
            code = 400;
            body = error(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 503;
            body = error("stopping");
        } catch (Exception e) {
            code = 502;
            body = error(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        answer(ex, code, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String message) {
        return new JsonWriter().beginObject().field("error", message).endObject().toString();
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            q.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
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
