package io.raftmq.chaos.junit;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The JUnit 5 side of {@link ChaosCluster}, in the spirit of Testcontainers (which needs a Docker engine): before
 * each test it starts a {@link ProcessCluster} in a new temporary directory (this JVM's class path for the child
 * processes, so it works from any module whose test class path holds the broker and the NameServer) and waits for a
 * routed leader; a test method parameter of type {@link ProcessCluster} receives it (its addresses, members, and
 * the kill, pause, resume, wipe and restart handles). After the test every process is killed and the directory
 * deleted, unless the test failed and {@link ChaosCluster#keepOnFailure} is set (the path is logged).
 */
public final class ChaosClusterExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosClusterExtension.class);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ChaosClusterExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        ChaosCluster spec = spec(context);
        Path dir = Files.createTempDirectory("chaos-cluster-");
        Map<String, String> props = new TreeMap<>();
        for (String kv : spec.brokerProperties()) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("brokerProperties entry '" + kv + "' is not key=value");
            }
            props.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        ClusterOptions base = ClusterOptions.threeMembers(dir);
        ProcessCluster cluster = new ProcessCluster(new ClusterOptions(dir, spec.members(), base.brokerName(),
            base.classpath(), base.jvmArgs(), base.startTimeoutMs(), base.raftElectionTimeoutMs(), props));
        context.getStore(NS).put(Path.class, dir);
        context.getStore(NS).put(ProcessCluster.class, cluster);
        LOG.info("starting a {}-member chaos cluster in {}", spec.members(), dir);
        cluster.start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        ProcessCluster cluster = context.getStore(NS).remove(ProcessCluster.class, ProcessCluster.class);
        Path dir = context.getStore(NS).remove(Path.class, Path.class);
        if (cluster != null) {
            cluster.close();
        }
        if (dir == null) {
            return;
        }
        if (context.getExecutionException().isPresent() && spec(context).keepOnFailure()) {
            LOG.warn("test failed: the chaos cluster's logs and stores are kept in {}", dir);
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ProcessCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ProcessCluster cluster = context.getStore(NS).get(ProcessCluster.class, ProcessCluster.class);
        if (cluster == null) {
            throw new ParameterResolutionException("no chaos cluster: annotate the test or its class @ChaosCluster");
        }
        return cluster;
    }

    private static ChaosCluster spec(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getElement(), ChaosCluster.class)
            .or(() -> context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, ChaosCluster.class)))
            .orElseThrow(() -> new IllegalStateException("@ChaosCluster missing on " + context.getDisplayName()));
    }
}
