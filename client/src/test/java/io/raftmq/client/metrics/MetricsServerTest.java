package io.raftmq.client.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmq.testsupport.Awaits;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metrics endpoint serves its registry and the JVM's metrics, and once closed keeps nothing of its registry
 * reachable (the JVM instrumentation holds every registry it is given for good, so it gets one of its own).
 */
class MetricsServerTest {
    @Test
    void servesItsRegistryAndTheJvmsMetrics() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("raftmq_test_things_total").help("things").register(registry).inc(3);
        try (MetricsServer s = MetricsServer.start("127.0.0.1", 0, registry)) {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + s.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("raftmq_test_things_total 3.0", "jvm_memory_used_bytes");
        }
    }

    @Test
    void aClosedServerDoesNotKeepItsRegistry() throws Exception {
        WeakReference<PrometheusRegistry> ref = startAndClose();
        Awaits.await("the registry collected").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
                System.gc();
                return ref.get() == null;
            });
    }

    private static WeakReference<PrometheusRegistry> startAndClose() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        try (MetricsServer s = MetricsServer.start("127.0.0.1", 0, registry)) {
            assertThat(s.port()).isPositive();
        }
        return new WeakReference<>(registry);
    }
}
