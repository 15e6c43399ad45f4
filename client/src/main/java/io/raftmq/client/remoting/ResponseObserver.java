package io.raftmq.client.remoting;

/**
 * Told of every response a server sends (metrics: requests and their latency per request and response code). It
 * runs on the thread that answers (a Netty I/O thread, a processor's executor, or whoever answers a held request
 * later), once per answered request, so it must be cheap and must not block: counter increments and histogram
 * observations only. Oneway requests and answers to closed connections are not reported. Registered with
 * {@link NettyRemotingEndpoint#setResponseObserver} before the endpoint starts; without one no time is read.
 */
@FunctionalInterface
public interface ResponseObserver {
    /**
     * @param requestCode  the request's code
     * @param responseCode the response's code
     * @param nanos        from the request's dispatch (decoded, before its executor) to its answer being written
     */
    void onResponse(int requestCode, int responseCode, long nanos);
}
