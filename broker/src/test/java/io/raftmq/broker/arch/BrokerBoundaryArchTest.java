package io.raftmq.broker.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Goal: the broker builds on raft, commitlog and client and never on the NameServer's code (it talks to NameServers
 * over the protocol only); its packages have no cycles. Method: ArchUnit rules over the production classes.
 */
@AnalyzeClasses(packages = "io.raftmq.broker", importOptions = ImportOption.DoNotIncludeTests.class)
class BrokerBoundaryArchTest {
    @ArchTest
    static final ArchRule notTheNameServer = noClasses().that().resideInAPackage("io.raftmq.broker..")
        .should().dependOnClassesThat().resideInAnyPackage("io.raftmq.naming..", "io.raftmq.chaos..")
        .because("brokers reach NameServers through the remoting protocol (root pom.xml)");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.raftmq.(**)").should().beFreeOfCycles()
        .because("one slice per package, the root package io.raftmq.broker included (only this module is imported)");
}
