package io.raftmq.testsupport;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that starts processes (brokers and NameServers in their own JVMs, shell scripts). Tagged
 * {@value #TAG}: Surefire leaves it out and Failsafe runs it in the {@code integration-test} phase.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(ProcessTest.TAG)
public @interface ProcessTest {
    /** The JUnit tag this annotation carries. */
    String TAG = "process";
}
