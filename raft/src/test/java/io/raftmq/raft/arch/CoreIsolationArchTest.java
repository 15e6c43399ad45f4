package io.raftmq.raft.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Goal: the Raft core stays deterministic and free of I/O, as the issue requires. Method: ArchUnit rules over the
 * production classes of {@code ..raft.core..}: no I/O, Netty, threads, concurrency utilities, wall clocks or
 * random generators; and the ports (log, state, statemachine, message) do not depend on the core's internals.
 */
@AnalyzeClasses(packages = "io.raftmq.raft", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreIsolationArchTest {
    private static final String CORE = "..raft.core..";

    @ArchTest
    static final ArchRule noIo = noClasses().that().resideInAPackage(CORE).should().dependOnClassesThat()
        .resideInAnyPackage("java.io..", "java.nio.channels..", "java.nio.file..", "java.net..", "io.netty..")
        .because("the core does no I/O: the driver persists and sends what a Ready hands out");

    @ArchTest
    static final ArchRule noThreads = noClasses().that().resideInAPackage(CORE).should().dependOnClassesThat()
        .resideInAnyPackage("java.util.concurrent..")
        .orShould().dependOnClassesThat().belongToAnyOf(Thread.class, ThreadLocal.class)
        .because("the core runs on its caller's thread: no threads, locks, executors or CompletableFuture");

    @ArchTest
    static final ArchRule noClocks = noClasses().that().resideInAPackage(CORE).should()
        .callMethod(System.class, "currentTimeMillis").orShould().callMethod(System.class, "nanoTime")
        .orShould().dependOnClassesThat().resideInAnyPackage("java.time..")
        .because("time reaches the core only as ticks");

    @ArchTest
    static final ArchRule noRandom = noClasses().that().resideInAPackage(CORE).should().dependOnClassesThat()
        .belongToAnyOf(java.util.Random.class, java.util.SplittableRandom.class, java.security.SecureRandom.class)
        .orShould().callMethod(Math.class, "random")
        .because("randomness comes from the RandomSource passed in, so runs replay from a seed");

    @ArchTest
    static final ArchRule portsDoNotKnowTheCore = noClasses().that()
        .resideInAnyPackage("..raft.log..", "..raft.message..", "..raft.state..", "..raft.statemachine..")
        .should().dependOnClassesThat().resideInAnyPackage(CORE)
        .because("ports are the stable surface; the core depends on them, never the reverse");
}
