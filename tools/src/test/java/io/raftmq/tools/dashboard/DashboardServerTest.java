package io.raftmq.tools.dashboard;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dashboard's HTTP side on an ephemeral loopback port: page, assets from the webjar, API, errors. */
class DashboardServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(DashboardServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(s.url() + path.substring(1))).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageItsAssetsAndTheState() throws Exception {
        try (DashboardServer s = new DashboardServer("127.0.0.1", 0, () -> "{\"time\":42}")) {
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
        try (DashboardServer s = new DashboardServer("127.0.0.1", 0, () -> "{}")) {
            assertThat(get(s, "/../etc/passwd").statusCode()).isEqualTo(404);
            assertThat(get(s, "/nope").statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(s.url() + "api/state"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        try (DashboardServer first = new DashboardServer("127.0.0.1", 0, () -> "{}")) {
            int port = URI.create(first.url()).getPort();
            assertThatThrownBy(() -> new DashboardServer("127.0.0.1", port, () -> "{}"))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot listen on 127.0.0.1:" + port);
        }
    }
}
