package io.fedgate.core.listener;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.testing.LeakCheckingAllocator;

/**
 * With {@code --proxy-protocol}, whatever a connection starts with reaches Netty's {@code HAProxyMessageDecoder} and
 * {@link ProxyProtocolHandler}: any bytes must end in a parsed header (both handlers gone, the bytes after the
 * header passed on unchanged) or a clean refusal (an {@link HAProxyProtocolException}, which the listener reports
 * as {@code bad-proxy-protocol}), with no other exception out of the pipeline and no buffer leaked. Each
 * input is fed whole and again in three pieces; both must end alike, so the decoder's incremental parsing is
 * checked against itself.
 */
class ProxyProtocolHandlerFuzzTest {
    static {
        LeakCheckingAllocator.failOnNettyLeakReports();
    }

    @FuzzTest(maxDuration = "10s")
    void anyBytesGiveAHeaderOrARefusal(byte[] input) {
        Outcome whole = feed(input, input.length, input.length);
        Outcome pieces = feed(input, input.length / 3, 2 * input.length / 3);
        if (!whole.equals(pieces)) {
            throw new AssertionError("fed whole: " + whole + ", fed in pieces: " + pieces);
        }
        if (whole.passedOn != null && !endsWith(input, whole.passedOn)) {
            throw new AssertionError("the bytes passed on are not the input's tail: " + whole);
        }
    }

    /** Feeds {@code input} cut at {@code cut1} and {@code cut2}, then closes the channel. */
    private static Outcome feed(byte[] input, int cut1, int cut2) {
        LeakCheckingAllocator alloc = new LeakCheckingAllocator();
        Sink sink = new Sink();
        EmbeddedChannel channel = alloc.newChannel(ch -> {
            ch.attr(ConnectionRecord.KEY).set(new ConnectionRecord("service", new InetSocketAddress("10.9.9.9", 1)));
            ch.pipeline().addLast(sink);
            ProxyProtocolHandler.addFirst(ch.pipeline());
        });
        write(channel, alloc, input, 0, cut1);
        write(channel, alloc, input, cut1, cut2);
        write(channel, alloc, input, cut2, input.length);
        boolean headerTaken = channel.pipeline().get(ProxyProtocolHandler.NAME) == null;
        if (headerTaken && channel.pipeline().get(ProxyProtocolHandler.DECODER) != null) {
            throw new AssertionError("the header was taken but the decoder stayed");
        }
        channel.finishAndReleaseAll(); // a cut-short header is refused on close (decodeLast)
        if (sink.unexpected != null) {
            throw new AssertionError("not a clean refusal or header: " + sink.unexpected, sink.unexpected);
        }
        alloc.assertAllReleased();
        return new Outcome(ConnectionRecord.of(channel).downstreamAddress(), headerTaken,
                headerTaken ? sink.passedOn() : null, sink.refused);
    }

    private static void write(EmbeddedChannel channel, LeakCheckingAllocator alloc, byte[] input, int from, int to) {
        if (from < to && channel.isOpen()) {
            channel.writeInbound(alloc.heapBuffer(to - from).writeBytes(input, from, to - from));
        }
    }

    private static boolean endsWith(byte[] input, byte[] tail) {
        return tail.length <= input.length
                && Arrays.equals(input, input.length - tail.length, input.length, tail, 0, tail.length);
    }

    /** How a connection ended: its downstream address, whether a header was taken and what followed it. */
    private record Outcome(String downstream, boolean headerTaken, byte[] passedOn, boolean refused) {
        /**
         * Alike: both refused, or both accepted with the same address and bytes. Which address a refused connection
         * recorded may depend on how its bytes arrived (seed refused_address_depends_on_fragmentation: Netty 4.2.18
         * takes a header from the whole input but not from its pieces, and refuses both).
         */
        @Override
        public boolean equals(Object other) {
            return other instanceof Outcome that && refused == that.refused && (refused
                    || downstream.equals(that.downstream) && headerTaken == that.headerTaken
                    && Arrays.equals(passedOn, that.passedOn));
        }

        @Override
        public int hashCode() {
            return downstream.hashCode();
        }

        @Override
        public String toString() {
            return "downstream=" + downstream + " headerTaken=" + headerTaken + " refused=" + refused
                    + " passedOn=" + (passedOn == null ? "-" : passedOn.length + " bytes");
        }
    }

    /** Stands for the rest of the listener: keeps a copy of what is passed on and refuses as the reporter does. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream passedOn = new ByteArrayOutputStream();
        boolean refused;
        /** Thrown from a handler method, Netty would only log it; the fuzz target throws it instead. */
        Throwable unexpected;

        byte[] passedOn() {
            return passedOn.toByteArray();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf)) {
                unexpected = new AssertionError("passed on a " + msg.getClass().getName() + ", not bytes");
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf bytes = (ByteBuf) msg;
            try {
                passedOn.writeBytes(ByteBufUtil.getBytes(bytes));
            } finally {
                bytes.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (cause instanceof HAProxyProtocolException || root instanceof HAProxyProtocolException) {
                refused = true;
            } else if (unexpected == null) {
                unexpected = cause;
            }
            ctx.close();
        }
    }
}
