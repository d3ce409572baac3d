package io.fedgate.core.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

class AfterHandshakeHandlerTest {
    private final List<Channel> actions = new ArrayList<>();
    /** Events seen after the handler, and whether it was still in the pipeline then. */
    private final List<String> passedOn = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    AfterHandshakeHandlerTest() {
        channel.pipeline().addLast(AfterHandshakeHandler.NAME, new AfterHandshakeHandler(actions::add))
                .addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        boolean present = ctx.pipeline().get(AfterHandshakeHandler.NAME) != null;
                        passedOn.add(evt.getClass().getSimpleName() + (present ? " before removal" : ""));
                    }
                });
    }

    @Test
    void aSuccessfulHandshakeIsPassedOnThenTheActionRunsOnceWithoutTheHandler() {
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

        assertThat(passedOn).as("the reporter sees the handshake first").containsExactly(
                "SslHandshakeCompletionEvent before removal");
        assertThat(channel.pipeline().get(AfterHandshakeHandler.NAME)).isNull();
        assertThat(actions).containsExactly(channel);
        assertFalse(channel.finish());
    }

    @Test
    void aFailedHandshakeIsOnlyPassedOn() {
        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(new SSLHandshakeException("bad")));
        channel.pipeline().fireUserEventTriggered("other");

        assertThat(passedOn).containsExactly("SslHandshakeCompletionEvent before removal", "String before removal");
        assertThat(actions).isEmpty();
        assertFalse(channel.finish());
    }
}
