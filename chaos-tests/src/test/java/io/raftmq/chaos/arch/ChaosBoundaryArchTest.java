package io.raftmq.chaos.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Goal: the chaos harness drives brokers and NameServers as processes and through the client only, so what it checks
 * is what a real deployment does; its packages have no cycles. Method: ArchUnit rules over the production classes.
 */
@AnalyzeClasses(packages = "io.raftmq.chaos", importOptions = ImportOption.DoNotIncludeTests.class)
class ChaosBoundaryArchTest {
    @ArchTest
    static final ArchRule onlyTheClient = noClasses().that().resideInAPackage("io.raftmq.chaos..")
        .and().resideOutsideOfPackage("io.raftmq.chaos.check..")
        .should().dependOnClassesThat(resideInAPackage("io.raftmq..")
            .and(not(resideInAnyPackage("io.raftmq.chaos..", "io.raftmq.client.."))))
        .because("chaos-tests' main code depends on the client only (root pom.xml)");

    @ArchTest
    static final ArchRule checkersReadFilesOnly = noClasses().that().resideInAPackage("io.raftmq.chaos.check..")
        .should().dependOnClassesThat(resideInAPackage("io.raftmq..")
            .and(not(resideInAnyPackage("io.raftmq.chaos..", "io.raftmq.client..", "io.raftmq.commitlog.."))))
        .because("the checkers read stopped members' files with the commitlog module's format classes only");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.raftmq.(**)").should().beFreeOfCycles()
        .because("one slice per package, the root package io.raftmq.chaos included (only this module is imported)");
}
