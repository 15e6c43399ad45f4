package io.raftmq.broker;

import io.raftmq.broker.acl.AclFile;
import io.raftmq.broker.acl.AclFileException;
import io.raftmq.broker.acl.AclFileWatcher;
import io.raftmq.broker.acl.AclGuard;
import io.raftmq.broker.acl.MemberSigner;
import io.raftmq.broker.config.AclConfig;
import io.raftmq.client.remoting.RemotingClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Puts ACL in front of a broker's client port at start (docs/security.md "ACL"): the ACL file's guard on the
 * {@link ServingGate}, the member's own account signing its calls to other members, the file watched for changes on
 * the broker's scheduler. Part of {@link BrokerController}'s start.
 */
final class AclInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(AclInstaller.class);

    private AclInstaller() {
    }

    /**
     * ACL on the client port (docs/security.md): the file is loaded now, so a missing or invalid one fails the start
     * before anything is served, then polled for changes on the scheduler.
     */
    static void install(AclConfig acl, ServingGate gate, RemotingClient client, ScheduledExecutorService scheduler) {
        if (!acl.aclEnable()) {
            return;
        }
        Path file = Path.of(acl.aclFile());
        AclGuard guard;
        try {
            guard = new AclGuard(AclFile.load(file));
        } catch (AclFileException e) {
            throw new IllegalStateException("ACL is enabled but the ACL file is not usable: " + e.getMessage(), e);
        }
        gate.guard(guard);
        if (!acl.aclBrokerAccount().isEmpty()) {
            if (guard.rules().account(acl.aclBrokerAccount()) == null) {
                throw new IllegalStateException("aclBrokerAccount '" + acl.aclBrokerAccount()
                    + "' is not an account of the ACL file " + file);
            }
            client.setRequestSigner(new MemberSigner(guard, acl.aclBrokerAccount()));
        }
        AclFileWatcher watcher = new AclFileWatcher(file, guard);
        scheduler.scheduleWithFixedDelay(watcher::poll, acl.aclReloadIntervalMs(), acl.aclReloadIntervalMs(),
            TimeUnit.MILLISECONDS);
        LOG.info("ACL enabled on the client port: {} ({} account(s))", file, guard.rules().accounts().size());
    }

}
