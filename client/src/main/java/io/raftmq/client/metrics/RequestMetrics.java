package io.raftmq.client.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmq.client.remoting.ResponseObserver;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Requests a remoting server answered, per request and response code, and how long each took from dispatch to
 * answer (docs/metrics.md): {@code <prefix>_requests_total} and {@code <prefix>_request_duration_seconds} (a classic
 * histogram). Registered on the server as its {@link ResponseObserver}.
 *
 * <p>Cost per answered request (any thread): two array loads to find the request/response pair's data points (made
 * once per pair, on first use), one counter increment and one histogram observation (both adders inside the
 * Prometheus client: no lock, no allocation). Codes outside [0, 1024) × [0, 1024) take the client's label lookup.
 */
public final class RequestMetrics implements ResponseObserver {
    /** Latency buckets in seconds: 0.1 ms to 10 s (a send waits for a quorum fsync, a held pull up to 30 s). */
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1, 2.5, 5, 10};
    private static final int CODES = 1024;
    private static final double NANOS_PER_SECOND = 1e9;

    private final Counter requests;
    private final Histogram duration;
    /** Per request code: per response code, the pair's data points (null until first seen). */
    private final AtomicReferenceArray<AtomicReferenceArray<Points>> table = new AtomicReferenceArray<>(CODES);

    private record Points(CounterDataPoint count, DistributionDataPoint latency) {
    }

    /** Registers both metrics, named {@code <prefix>_requests_total} and {@code <prefix>_request_duration_seconds}. */
    public RequestMetrics(PrometheusRegistry registry, String prefix) {
        requests = Counter.builder().name(prefix + "_requests_total")
            .help("Requests answered, by request code and response code (docs/protocol.md)")
            .labelNames("request_code", "response_code").register(registry);
        duration = Histogram.builder().name(prefix + "_request_duration_seconds")
            .help("Time from a request's dispatch to its answer, by request code and response code")
            .labelNames("request_code", "response_code").classicOnly().classicUpperBounds(BUCKETS)
            .register(registry);
    }

    @Override
    public void onResponse(int requestCode, int responseCode, long nanos) {
        Points p = points(requestCode, responseCode);
        p.count().inc();
        p.latency().observe(nanos / NANOS_PER_SECOND);
    }

    private Points points(int requestCode, int responseCode) {
        if (requestCode < 0 || requestCode >= CODES || responseCode < 0 || responseCode >= CODES) {
            return create(requestCode, responseCode);
        }
        AtomicReferenceArray<Points> row = table.get(requestCode);
        if (row == null) {
            table.compareAndSet(requestCode, null, new AtomicReferenceArray<>(CODES));
            row = table.get(requestCode);
        }
        Points p = row.get(responseCode);
        if (p == null) {
            row.compareAndSet(responseCode, null, create(requestCode, responseCode));
            p = row.get(responseCode);
        }
        return p;
    }

    private Points create(int requestCode, int responseCode) {
        String req = Integer.toString(requestCode);
        String resp = Integer.toString(responseCode);
        return new Points(requests.labelValues(req, resp), duration.labelValues(req, resp));
    }
}
