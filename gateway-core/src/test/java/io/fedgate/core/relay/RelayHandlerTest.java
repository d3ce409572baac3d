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
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;

import io.fedgate.core.testing.LeakCheckingAllocator;

/**
 * {@link Relay} and its two {@link RelayHandler}s between two embedded channels sharing one event loop, each with a
 * {@link Socket} at the head of its pipeline counting the reads the relay asks for. A channel can be stalled, as a
 * slow peer's socket would be.
 */
class RelayHandlerTest {
    static {
        LeakCheckingAllocator.failOnNettyLeakReports();
    }

    private final LeakCheckingAllocator alloc = new LeakCheckingAllocator();
    private final List<Relay> ended = new ArrayList<>();
    private final Socket downstreamSocket = new Socket();
    private final Socket upstreamSocket = new Socket();
    private DuplexEmbeddedChannel downstream;
    private DuplexEmbeddedChannel upstream;
    private Relay relay;

    private void start() throws Exception {
        downstream = newChannel(downstreamSocket);
        downstream.register();
        upstream = newChannel(upstreamSocket);
        downstream.eventLoop().register(upstream).sync(); // a relay's two channels share an event loop
        relay = Relay.start(downstream, upstream, ended::add);
    }

    private DuplexEmbeddedChannel newChannel(Socket socket) {
        DuplexEmbeddedChannel channel = new DuplexEmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.config().setAutoRead(false);
        channel.pipeline().addFirst(socket);
        return channel;
    }

    private ByteBuf bytes(String text) {
        return alloc.buffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Both channels are finished with nothing left over, and every buffer was released. */
    @AfterEach
    void nothingLeftOver() {
        if (downstream == null) {
            return;
        }
        downstream.readOutboundText();
        upstream.readOutboundText();
        assertFalse(upstream.finish());
        assertFalse(downstream.finish());
        alloc.assertAllReleased();
    }

    @Test
    void bytesGoBothWaysAndEachSideReadsAgainAfterItsBurstIsWritten() throws Exception {
        start();
        assertThat(downstreamSocket.reads).as("both sides read from the start").isEqualTo(1);
        assertThat(upstreamSocket.reads).isEqualTo(1);

        downstream.writeInbound(bytes("GET / HTTP/1.1\r\n"), bytes("\r\n"));
        upstream.writeInbound(bytes("HTTP/1.1 200 OK\r\n"));

        assertThat(upstream.readOutboundText()).isEqualTo("GET / HTTP/1.1\r\n\r\n");
        assertThat(downstream.readOutboundText()).isEqualTo("HTTP/1.1 200 OK\r\n");
        assertThat(downstreamSocket.reads).as("one more read per burst").isEqualTo(2);
        assertThat(upstreamSocket.reads).isEqualTo(2);
        assertThat(downstream.isOpen()).isTrue();
        assertThat(upstream.isOpen()).isTrue();
        downstream.close();
    }

    @Test
    void aSideStopsReadingWhileTheOtherIsUnwritableAndResumesWhenItDrains() throws Exception {
        start();
        upstream.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        upstream.stall(); // the upstream takes nothing off the channel's outbound buffer

        downstream.writeInbound(bytes("more than sixteen bytes"));
        assertThat(upstream.isWritable()).isFalse();
        assertThat(downstreamSocket.reads).as("no read while the upstream is above its high-water mark").isEqualTo(1);
        upstream.writeInbound(bytes("the other way is not held"));
        assertThat(upstreamSocket.reads).isEqualTo(2);

        upstream.drain();
        assertThat(upstream.isWritable()).isTrue();
        assertThat(downstreamSocket.reads).as("reading resumes once the upstream drained").isEqualTo(2);
        assertThat(upstream.readOutboundText()).isEqualTo("more than sixteen bytes");
        assertThat(downstream.readOutboundText()).isEqualTo("the other way is not held");
        downstream.close();
    }

    @Test
    void aHalfCloseReachesTheOtherSideAfterWhatWasWrittenBeforeIt() throws Exception {
        start();
        downstream.writeInbound(bytes("request"));
        downstream.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        assertThat(upstream.isOutputShutdown()).isTrue();
        assertThat(upstream.bytesBeforeShutdown()).as("the FIN follows the bytes").isEqualTo("request".length());
        assertThat(downstream.isOutputShutdown()).isFalse();
        assertThat(upstream.isOpen()).as("the upstream may still answer").isTrue();

        upstream.writeInbound(bytes("response"));
        assertThat(downstream.readOutboundText()).isEqualTo("response");
        assertThat(ended).isEmpty();

        upstream.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        downstream.runPendingTasks();
        assertThat(downstream.isOpen()).as("neither side has more to send: both close").isFalse();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(ended).containsExactly(relay);
        assertThat(relay.failure()).isNull();
    }

    @Test
    void aCloseOfEitherSideClosesTheOtherAfterWhatItWasGiven() throws Exception {
        start();
        upstream.writeInbound(bytes("last words"));
        upstream.close();
        downstream.runPendingTasks();

        assertThat(downstream.readOutboundText()).isEqualTo("last words");
        assertThat(downstream.isOpen()).isFalse();
        assertThat(ended).containsExactly(relay);
    }

    @Test
    void theByteCountsOfBothDirectionsAreReportedOnceAtTheEnd() throws Exception {
        start();
        downstream.writeInbound(bytes("12345"));
        upstream.writeInbound(bytes("abc"), bytes("de"), bytes("f"));
        downstream.close();
        downstream.runPendingTasks();

        assertThat(ended).containsExactly(relay);
        assertThat(relay.bytesFromDownstream()).isEqualTo(5);
        assertThat(relay.bytesFromUpstream()).isEqualTo(6);
    }

    @Test
    void aFailureOfOneSideClosesBothAndIsTheRelaysFailure() throws Exception {
        start();
        IllegalStateException reset = new IllegalStateException("connection reset");
        upstream.pipeline().fireExceptionCaught(reset);
        downstream.runPendingTasks();

        assertThat(downstream.isOpen()).isFalse();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(ended).containsExactly(relay);
        assertThat(relay.failure()).isSameAs(reset);
    }

    @Test
    void bytesReadForAClosedPeerAreReleased() throws Exception {
        start();
        downstream.stall(); // the downstream stays open while what it was given before the close is pending
        upstream.close();
        downstream.runPendingTasks();
        assertThat(downstream.isOpen()).isTrue();

        ByteBuf late = bytes("too late");
        downstream.writeInbound(late);
        assertThat(late.refCnt()).isZero();
        assertThat(relay.bytesFromDownstream()).isZero();

        downstream.drain();
        downstream.runPendingTasks();
        assertThat(downstream.isOpen()).isFalse();
        assertThat(ended).containsExactly(relay);
    }

    @Test
    void whatTheHolderKeptGoesUpstreamFirst() throws Exception {
        downstream = newChannel(downstreamSocket);
        downstream.pipeline().addLast(HoldReadsHandler.NAME, new HoldReadsHandler());
        downstream.register();
        downstream.writeInbound(bytes("early "));
        upstream = newChannel(upstreamSocket);
        downstream.eventLoop().register(upstream).sync();
        relay = Relay.start(downstream, upstream, ended::add);
        downstream.writeInbound(bytes("later"));

        assertThat(downstream.pipeline().get(HoldReadsHandler.class)).isNull();
        assertThat(upstream.readOutboundText()).isEqualTo("early later");
        assertThat(relay.bytesFromDownstream()).isEqualTo("early later".length());
        downstream.close();
    }

    /** The socket end of a pipeline: counts the {@code read()}s asked for. */
    private static final class Socket extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }
}
