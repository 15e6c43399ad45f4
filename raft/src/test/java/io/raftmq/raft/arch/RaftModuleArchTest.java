package io.raftmq.raft.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Goal: the raft module depends on no other module of ours and its packages have no cycles (the core's own purity
 * is {@link CoreIsolationArchTest}). Method: ArchUnit rules over the production classes.
 */
@AnalyzeClasses(packages = "io.raftmq.raft", importOptions = ImportOption.DoNotIncludeTests.class)
class RaftModuleArchTest {
    @ArchTest
    static final ArchRule noOtherModuleOfOurs = noClasses().that().resideInAPackage("io.raftmq.raft..")
        .should().dependOnClassesThat(resideInAPackage("io.raftmq..")
            .and(resideOutsideOfPackage("io.raftmq.raft..")))
        .because("raft depends on no other module of ours (root pom.xml)");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.raftmq.(**)").should().beFreeOfCycles()
        .because("one slice per package, the root package io.raftmq.raft included (only this module is imported)");
}
