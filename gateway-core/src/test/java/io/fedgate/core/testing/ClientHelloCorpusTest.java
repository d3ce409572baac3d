package io.fedgate.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;

/** The checked-in ClientHello corpus says what its names say, as Netty's SNI parsing reads it. */
class ClientHelloCorpusTest {
    private static final int MAX_CLIENT_HELLO = 16384;

    /** Records the server name Netty found, or the failure. */
    private static final class NameRecorder extends AbstractSniHandler<String> {
        boolean looked;
        String hostname;
        Throwable failure;

        NameRecorder() {
            super(MAX_CLIENT_HELLO, 0L);
        }

        @Override
        protected Future<String> lookup(ChannelHandlerContext ctx, String hostname) {
            looked = true;
            this.hostname = hostname;
            return ctx.executor().newSucceededFuture(hostname);
        }

        @Override
        protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<String> future) {
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure = cause;
        }
    }

    private static NameRecorder read(String name) {
        NameRecorder recorder = new NameRecorder();
        EmbeddedChannel channel = new EmbeddedChannel(recorder);
        channel.writeInbound(Unpooled.wrappedBuffer(ClientHelloCorpus.read(name)));
        channel.finishAndReleaseAll();
        return recorder;
    }

    @Test
    void everyNameIsAsDescribed() {
        assertThat(read("valid_sni").hostname).isEqualTo(ClientHelloCorpus.HOST);
        assertThat(read("fragmented").hostname).isEqualTo(ClientHelloCorpus.HOST);
        assertThat(read("outbound_form").hostname).isEqualTo("outbound_.9080_._." + ClientHelloCorpus.HOST);
        assertThat(read("underscore_name").hostname).isEqualTo(ClientHelloCorpus.UNDERSCORE_HOST);
        NameRecorder noSni = read("no_sni");
        assertThat(noSni.looked).isTrue();
        assertThat(noSni.hostname).isNull();
        assertThat(read("too_large").failure).isInstanceOf(TooLongFrameException.class);
        assertThat(ClientHelloCorpus.read("not_tls")[0]).isEqualTo((byte) 'G');
        assertThat(ClientHelloCorpus.read("fragmented").length).isGreaterThan(ClientHelloCorpus.read("valid_sni").length);
    }

    /** {@code -Dfedgate.clienthello.write=DIR} makes a new corpus in DIR (fresh randoms and key shares). */
    @Test
    @EnabledIfSystemProperty(named = "fedgate.clienthello.write", matches = ".+")
    void writeCorpus() throws IOException {
        ClientHelloCorpus.main(new String[] {System.getProperty("fedgate.clienthello.write")});
    }
}
