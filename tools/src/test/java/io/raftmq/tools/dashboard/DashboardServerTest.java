package io.raftmq.tools.dashboard;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dashboard's HTTP side on an ephemeral loopback port: page, assets from the webjar, API, errors. */
class DashboardServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(DashboardServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(s.url() + path.substring(1))).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** /api/state answers a fixed document; /api/echo its decoded query, 404 for x=missing, 400 for x=bad, 502 else. */
    private static Map<String, DashboardServer.Api> apis() {
        return Map.of("/api/state", q -> "{\"time\":42}", "/api/echo", q -> {
            String x = q.getOrDefault("x", "");
            switch (x) {
                case "missing" -> throw new DashboardServer.NotFoundException("no such thing");
                case "bad" -> throw new IllegalArgumentException("bad x");
                case "down" -> throw new java.io.IOException("broker 127.0.0.1:1 unreachable");
                default -> {
                    return "{\"x\":\"" + x + "\"}";
                }
            }
        });
    }

    @Test
    void apiAnswersAndErrorsAreJsonWithTheirCodes() throws Exception {
        try (DashboardServer s = new DashboardServer("127.0.0.1", 0, apis())) {
            assertThat(get(s, "/api/echo?x=a%20b").body()).isEqualTo("{\"x\":\"a b\"}");
            HttpResponse<String> missing = get(s, "/api/echo?x=missing");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).isEqualTo("{\"error\":\"no such thing\"}");
            assertThat(get(s, "/api/echo?x=bad").statusCode()).isEqualTo(400);
            HttpResponse<String> down = get(s, "/api/echo?x=down");
            assertThat(down.statusCode()).isEqualTo(502);
            assertThat(down.body()).contains("unreachable");
        }
    }

    @Test
    void servesThePageItsAssetsAndTheState() throws Exception {
        try (DashboardServer s = new DashboardServer("127.0.0.1", 0, apis())) {
            assertThat(get(s, "/").body()).contains("<title>RaftMQ dashboard</title>", "/lib/uPlot.iife.min.js");
            assertThat(get(s, "/app.js").body()).contains("/api/state");
            assertThat(get(s, "/style.css").statusCode()).isEqualTo(200);
            HttpResponse<String> lib = get(s, "/lib/uPlot.iife.min.js");
            assertThat(lib.statusCode()).as("uPlot " + DashboardServer.UPLOT_VERSION + " from its webjar")
                .isEqualTo(200);
            assertThat(lib.body()).contains("uPlot");
            assertThat(get(s, "/lib/uPlot.min.css").statusCode()).isEqualTo(200);
            HttpResponse<String> state = get(s, "/api/state");
            assertThat(state.body()).isEqualTo("{\"time\":42}");
            assertThat(state.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        }
    }

    @Test
    void unknownPathsAndOtherMethodsAreRefused() throws Exception {
        try (DashboardServer s = new DashboardServer("127.0.0.1", 0, apis())) {
            assertThat(get(s, "/../etc/passwd").statusCode()).isEqualTo(404);
            assertThat(get(s, "/nope").statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(s.url() + "api/state"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        try (DashboardServer first = new DashboardServer("127.0.0.1", 0, apis())) {
            int port = URI.create(first.url()).getPort();
            assertThatThrownBy(() -> new DashboardServer("127.0.0.1", port, apis()))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot listen on 127.0.0.1:" + port);
        }
    }
}
