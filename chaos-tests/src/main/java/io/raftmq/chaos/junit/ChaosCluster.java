package io.raftmq.chaos.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives each test method of the annotated class (or the annotated method) a started
 * {@link io.raftmq.chaos.cluster.ProcessCluster}: a NameServer and a broker group of {@link #members} JVMs on
 * their own loopback addresses, resolved as a test method parameter; it is closed (every process killed, its
 * directory deleted) after the test. See {@link ChaosClusterExtension}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ChaosClusterExtension.class)
public @interface ChaosCluster {
    /** Voting members of the broker group. */
    int members() default 3;

    /** Further broker settings, {@code key=value} each, written into every member's config. */
    String[] brokerProperties() default {};

    /** Keep the cluster's directory (logs, stores) after a failed test, for the report. */
    boolean keepOnFailure() default true;
}
