package io.raftmq.raft.transport;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Goal: Netty and protobuf stay inside the transport adapter (style principles 2 and 13): the driver, the
 * Transport port and the state store see only the port, so the simulator can swap the network. Method: ArchUnit
 * rules over the production classes of the raft module.
 */
@AnalyzeClasses(packages = "io.raftmq.raft", importOptions = ImportOption.DoNotIncludeTests.class)
class TransportLayeringArchTest {
    @ArchTest
    static final ArchRule driverUsesOnlyThePort = noClasses().that().resideInAnyPackage("..raft.driver..",
        "..raft.state..").should().dependOnClassesThat().resideInAnyPackage("io.netty..", "com.google.protobuf..",
        "..raft.transport.netty..");

    @ArchTest
    static final ArchRule portKnowsNoAdapter = noClasses().that().resideInAPackage("io.raftmq.raft.transport")
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "com.google.protobuf..",
            "..raft.transport.netty..", "..raft.driver..");

    @ArchTest
    static final ArchRule adapterDoesNotDriveTheNode = noClasses().that().resideInAPackage("..raft.transport.netty..")
        .should().dependOnClassesThat().resideInAnyPackage("..raft.core..", "..raft.driver..");
}
