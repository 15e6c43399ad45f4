package io.raftmq.client.instance;

/**
 * The lifecycle every SDK client (producers, consumers, the admin client) shares: a started flag, and a
 * {@link ClientInstance} that the client either owns (started and shut down with it) or shares (started and shut
 * down by its owner). Each client calls, inside its own synchronized {@code start()} and {@code shutdown()}:
 * <pre>
 *   start:    lifecycle.beginStart(); ...its own start steps...; lifecycle.markStarted(); ...steps after...
 *   shutdown: if (lifecycle.markStopped()) { ...its own stop steps... }; lifecycle.endShutdown();
 * </pre>
 * and {@link #checkStarted()} before calls that need it. Thread-safety: the flag is volatile, so any thread may read
 * it; the transitions are made under the client's own lock.
 */
public final class ClientLifecycle {
    private final ClientInstance instance;
    private final boolean ownsInstance;
    private final String clientName;
    private volatile boolean started;

    /**
     * @param instance     the instance the client runs on
     * @param ownsInstance whether the client starts and shuts down {@code instance}
     * @param clientName   how errors name the client ("producer", "consumer", ...)
     */
    public ClientLifecycle(ClientInstance instance, boolean ownsInstance, String clientName) {
        this.instance = instance;
        this.ownsInstance = ownsInstance;
        this.clientName = clientName;
    }

    /**
     * Refuses a second start, then starts the instance if the client owns it.
     *
     * @throws IllegalStateException if the client is started already
     */
    public void beginStart() {
        if (started) {
            throw new IllegalStateException(clientName + " already started");
        }
        if (ownsInstance) {
            instance.start();
        }
    }

    /** The client is started: {@link #isStarted()} is true from now on. */
    public void markStarted() {
        started = true;
    }

    /** Marks the client stopped; returns whether it was started (its own stop steps run only then). */
    public boolean markStopped() {
        boolean was = started;
        started = false;
        return was;
    }

    /** Shuts the instance down if the client owns it (closes its connections, ends its threads). */
    public void endShutdown() {
        if (ownsInstance) {
            instance.shutdown();
        }
    }

    public boolean isStarted() {
        return started;
    }

    /**
     * @throws IllegalStateException if the client is not started (or shut down)
     */
    public void checkStarted() {
        if (!started) {
            throw new IllegalStateException(clientName + " not started (or shut down)");
        }
    }
}
