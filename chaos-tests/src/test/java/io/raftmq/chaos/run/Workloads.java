package io.raftmq.chaos.run;

import java.util.List;

/**
 * The workloads scenarios name ({@link Scenario#workload()}): {@code queue} and {@code ordered} through the
 * official client 5.3.3, {@code queue-sdk} with our SDK's producer and the official consumer. They live in test
 * scope because the official client is a test-scope dependency of this module.
 */
final class Workloads {
    static final List<String> NAMES = List.of("queue", "ordered", "queue-sdk");

    private Workloads() {
    }

    /** A fresh workload of that name. */
    static Workload create(String name) {
        return switch (name) {
            case "queue" -> new ClientWorkload("queue", false, Senders::official);
            case "ordered" -> new ClientWorkload("ordered", true, Senders::official);
            case "queue-sdk" -> new ClientWorkload("queue-sdk", false, Senders::sdk);
            default -> throw new IllegalArgumentException("no workload '" + name + "'; known: " + NAMES);
        };
    }
}
