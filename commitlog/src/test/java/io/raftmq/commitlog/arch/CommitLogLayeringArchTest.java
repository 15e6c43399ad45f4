package io.raftmq.commitlog.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Goal: the commitlog module keeps its two layers apart (docs/storage.md): the generic segmented log (the root
 * package, segment, record, index, flush, recovery, io, retention, time) knows nothing of the RocketMQ layer built on
 * it (message, queue, indexfile, dispatch, store); the module depends on no other module of ours; no package cycles.
 * Method: ArchUnit rules over the production classes.
 */
@AnalyzeClasses(packages = "io.raftmq.commitlog", importOptions = ImportOption.DoNotIncludeTests.class)
class CommitLogLayeringArchTest {
    private static final String[] GENERIC = {
        "io.raftmq.commitlog", "io.raftmq.commitlog.segment..", "io.raftmq.commitlog.record..",
        "io.raftmq.commitlog.index..", "io.raftmq.commitlog.flush..", "io.raftmq.commitlog.recovery..",
        "io.raftmq.commitlog.io..", "io.raftmq.commitlog.retention..", "io.raftmq.commitlog.time..",
    };
    private static final String[] ROCKETMQ_LAYER = {
        "io.raftmq.commitlog.message..", "io.raftmq.commitlog.queue..", "io.raftmq.commitlog.indexfile..",
        "io.raftmq.commitlog.dispatch..", "io.raftmq.commitlog.store..",
    };

    @ArchTest
    static final ArchRule genericLogIgnoresRocketMqLayer = noClasses().that().resideInAnyPackage(GENERIC)
        .should().dependOnClassesThat().resideInAnyPackage(ROCKETMQ_LAYER)
        .because("the segmented log is a generic log; the RocketMQ layer is built on it, never the reverse");

    @ArchTest
    static final ArchRule noOtherModuleOfOurs = noClasses().that().resideInAPackage("io.raftmq.commitlog..")
        .should().dependOnClassesThat(resideInAPackage("io.raftmq..")
            .and(resideOutsideOfPackage("io.raftmq.commitlog..")))
        .because("commitlog depends on no other module of ours (root pom.xml)");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.raftmq.(**)").should().beFreeOfCycles()
        .because("one slice per package, the root package io.raftmq.commitlog included (only this module is imported)");
}
