package io.raftmq.client.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Goal: the client (protocol and remoting) is the bottom of the module graph: it imports nothing of ours, and its
 * packages have no cycles. Method: ArchUnit rules over the production classes.
 */
@AnalyzeClasses(packages = "io.raftmq.client", importOptions = ImportOption.DoNotIncludeTests.class)
class ClientBoundaryArchTest {
    @ArchTest
    static final ArchRule importsNothingOfOurs = noClasses().that().resideInAPackage("io.raftmq.client..")
        .should().dependOnClassesThat(resideInAPackage("io.raftmq..")
            .and(resideOutsideOfPackage("io.raftmq.client..")))
        .because("broker, naming and the tools build on the client, never the reverse (root pom.xml)");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.raftmq.(**)").should().beFreeOfCycles()
        .because("one slice per package, the root package io.raftmq.client included (only this module is imported)");
}
