package io.raftmq.naming.arch;

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
 * Goal: the NameServer stands on the client alone: it never imports the broker, Raft or the commit log, and its
 * packages have no cycles. Method: ArchUnit rules over the production classes.
 */
@AnalyzeClasses(packages = "io.raftmq.naming", importOptions = ImportOption.DoNotIncludeTests.class)
class NamingBoundaryArchTest {
    @ArchTest
    static final ArchRule onlyTheClient = noClasses().that().resideInAPackage("io.raftmq.naming..")
        .should().dependOnClassesThat(resideInAPackage("io.raftmq..")
            .and(not(resideInAnyPackage("io.raftmq.naming..", "io.raftmq.client.."))))
        .because("naming depends on the client only (root pom.xml)");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.raftmq.(**)").should().beFreeOfCycles()
        .because("one slice per package, the root package io.raftmq.naming included (only this module is imported)");
}
