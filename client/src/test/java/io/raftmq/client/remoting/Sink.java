package io.raftmq.client.remoting;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.raftmq.client.protocol.RemotingCommand;

import java.util.ArrayList;
import java.util.List;

/**
 * Test terminal handler standing in for the dispatcher: collects decoded commands (the test releases them) and
 * pipeline errors, and closes the channel on an error like the real dispatcher does.
 */
final class Sink extends ChannelInboundHandlerAdapter {
    final List<RemotingCommand> commands = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        commands.add((RemotingCommand) msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.add(cause);
        ctx.close();
    }

    void releaseAll() {
        for (RemotingCommand c : commands) {
            c.release();
        }
        commands.clear();
    }
}
