package io.raftmq.testsupport;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Goal: test-support depends on nothing of ours, so every module can use it without a cycle, and it opens no
 * sockets (it is shared by the unit layer). Method: ArchUnit rules over its classes.
 */
@AnalyzeClasses(packages = "io.raftmq.testsupport", importOptions = ImportOption.DoNotIncludeTests.class)
class TestSupportArchTest {
    @ArchTest
    static final ArchRule nothingOfOurs = noClasses().that().resideInAPackage("io.raftmq.testsupport..")
        .should().dependOnClassesThat(resideInAPackage("io.raftmq..")
            .and(resideOutsideOfPackage("io.raftmq.testsupport..")));

    @ArchTest
    static final ArchRule portFree = noClasses().that().resideInAPackage("io.raftmq.testsupport..")
        .should().dependOnClassesThat().resideInAnyPackage("java.net..", "java.nio.channels..", "io.netty..");
}
