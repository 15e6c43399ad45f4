package io.raftmq.client.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@code /metrics} endpoint of a broker or NameServer (docs/metrics.md): the Prometheus client's HTTP server on
 * {@code host:port} serving one registry in the text exposition format, with the client's JVM and process
 * instrumentation added to that registry. One registry per server, so several brokers in one JVM (tests) keep their
 * figures apart. Scrapes run on the HTTP server's own threads and only read.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    /**
     * The JVM and process metrics, registered once per process and added to every server's registry as a collector:
     * the instrumentation keeps every registry it is given in a static set for good, so giving it a server's own
     * registry would keep that registry, and the broker its callbacks read, reachable after the server closed (a
     * test JVM that starts many brokers ran out of direct memory that way).
     */
    private static final PrometheusRegistry JVM = jvmRegistry();

    private final HTTPServer http;

    private static PrometheusRegistry jvmRegistry() {
        PrometheusRegistry r = new PrometheusRegistry();
        JvmMetrics.builder().register(r);
        return r;
    }

    private MetricsServer(HTTPServer http) {
        this.http = http;
    }

    /**
     * Adds the JVM metrics to {@code registry} and serves it on {@code host:port}.
     *
     * @throws IOException the port cannot be bound (the message names the address)
     */
    public static MetricsServer start(String host, int port, PrometheusRegistry registry) throws IOException {
        registry.register((MultiCollector) JVM::scrape);
        HTTPServer http;
        try {
            http = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        } catch (IOException | UncheckedIOException e) {
            throw new IOException("cannot bind the metrics port " + host + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("metrics on http://{}:{}/metrics", host, http.getPort());
        return new MetricsServer(http);
    }

    /** The bound port. */
    public int port() {
        return http.getPort();
    }

    @Override
    public void close() {
        http.close();
    }
}
