package io.raftmq.broker.longpoll;

/**
 * One held pull request as {@link HeldPullRequests} sees it: the queue position it waits beyond, its deadline, and
 * how to resume it. Implemented by the pull processor.
 */
public interface HeldPull {
    String topic();

    int queueId();

    /** The requested queue offset: the request is woken once the queue's max offset exceeds it. */
    long offset();

    /** Absolute deadline (clock of {@link HeldPullRequests}, ms) at which it is answered anyway. */
    long deadlineMs();

    /** Whether nobody waits any more (its channel closed); such requests are dropped without waking. */
    boolean isAbandoned();

    /**
     * Resumes the request: re-run the pull and answer (or hold again). Runs on the executor given to
     * {@link HeldPullRequests}, never on the thread that dispatched; called at most once per {@link
     * HeldPullRequests#hold}. Must not throw.
     *
     * @param timedOut true when the deadline passed (answer 19 if still nothing), false on new data
     */
    void wake(boolean timedOut);
}
