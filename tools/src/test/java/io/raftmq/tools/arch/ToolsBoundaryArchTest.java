package io.raftmq.tools.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Goal: the tools stay tools. The benches of one layer do not lean on each other (each measures its own layer and
 * shares only {@code bench.LatencyRecorder}), the cluster tool does not use bench code, and no package cycles.
 * Method: ArchUnit rules over the production classes of this module.
 */
@AnalyzeClasses(packages = "io.raftmq.tools", importOptions = ImportOption.DoNotIncludeTests.class)
class ToolsBoundaryArchTest {
    @ArchTest
    static final ArchRule benchesStandAlone = slices().matching("io.raftmq.tools.bench.(*)..")
        .should().notDependOnEachOther()
        .because("a bench of one layer must not change when another layer's bench does");

    @ArchTest
    static final ArchRule clusterToolIsNoBench = noClasses().that().resideInAPackage("io.raftmq.tools.cluster..")
        .should().dependOnClassesThat().resideInAPackage("io.raftmq.tools.bench..")
        .because("bin/raftmq-cluster runs on the product's behaviour, not on bench code");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.raftmq.(**)").should().beFreeOfCycles()
        .because("one slice per package (only this module is imported)");
}
