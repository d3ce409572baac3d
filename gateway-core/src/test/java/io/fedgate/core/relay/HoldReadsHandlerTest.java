package io.fedgate.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.testing.LeakCheckingAllocator;

class HoldReadsHandlerTest {
    static {
        LeakCheckingAllocator.failOnNettyLeakReports();
    }

    private final LeakCheckingAllocator alloc = new LeakCheckingAllocator();
    /** What reached the handler after the holder, in order: the text of reads, "|" per read burst, events. */
    private final List<String> seen = new ArrayList<>();
    private final EmbeddedChannel channel = alloc.newChannel(ch -> ch.pipeline()
            .addLast(HoldReadsHandler.NAME, new HoldReadsHandler())
            .addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    seen.add(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                    ReferenceCountUtil.release(msg);
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) {
                    seen.add("|");
                }

                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    seen.add(evt.getClass().getSimpleName());
                }
            }));

    private ByteBuf bytes(String text) {
        return alloc.buffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    @AfterEach
    void nothingLeftOver() {
        assertFalse(channel.finish());
        alloc.assertAllReleased();
    }

    @Test
    void readsAreHeldUntilTheHolderIsRemovedThenHandedOnInOrder() {
        channel.writeInbound(bytes("one "));
        channel.writeInbound(bytes("two "), bytes("three"));
        assertThat(seen).as("nothing passes while held, not even read-complete").isEmpty();

        channel.pipeline().remove(HoldReadsHandler.NAME);
        assertThat(seen).containsExactly("one ", "two ", "three", "|");

        channel.writeInbound(bytes("after"));
        assertThat(seen).endsWith("after", "|");
    }

    @Test
    void anEndOfStreamIsHeldBehindTheReadsItFollowed() {
        channel.writeInbound(bytes("last"));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(seen).isEmpty();

        channel.pipeline().remove(HoldReadsHandler.NAME);
        assertThat(seen).containsExactly("last", "|", "ChannelInputShutdownEvent");
    }

    @Test
    void otherEventsPassAtOnce() {
        channel.pipeline().fireUserEventTriggered("some event");
        assertThat(seen).containsExactly("String");
    }

    @Test
    void heldReadsAreReleasedIfTheChannelClosesFirst() {
        ByteBuf held = bytes("never relayed");
        channel.writeInbound(held);
        channel.close();
        channel.runPendingTasks();

        assertThat(held.refCnt()).isZero();
        assertThat(seen).doesNotContain("never relayed");
    }
}
