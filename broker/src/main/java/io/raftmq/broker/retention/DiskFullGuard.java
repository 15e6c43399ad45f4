package io.raftmq.broker.retention;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;

import java.util.function.BooleanSupplier;

/**
 * Refuses producers' writes while the store's disk is above diskSpaceWarningLevelRatio (RocketMQ's "disk full"
 * flag, docs/snapshots.md "Retention"): answers 14 SERVICE_NOT_AVAILABLE with a remark naming the disk, so the
 * client retries elsewhere, instead of letting the append reach a device without space (which stops the member's
 * raft agent). Otherwise hands the request to the guarded processor unchanged. The flag is set by
 * {@link RetentionService} once per run, so the check costs one volatile read per request.
 *
 * <p>Threads: any (the guarded processor's). Ownership: the request stays the endpoint's either way.
 */
public final class DiskFullGuard implements RequestProcessor {
    /** Remark of the refusal. */
    public static final String REMARK = "[DISK_FULL] the broker's store disk is above diskSpaceWarningLevelRatio: "
        + "writes are refused until retention frees space";

    private final RequestProcessor guarded;
    private final BooleanSupplier diskFull;

    public DiskFullGuard(RequestProcessor guarded, BooleanSupplier diskFull) {
        this.guarded = guarded;
        this.diskFull = diskFull;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        if (diskFull.getAsBoolean()) {
            return RemotingCommand.createResponse(ResponseCode.SERVICE_NOT_AVAILABLE, REMARK);
        }
        return guarded.process(ctx, request);
    }
}
