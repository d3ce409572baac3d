package io.fedgate.egress;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.function.Function;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.listener.TextResponses;

/**
 * The egress's local discovery listener, for the reference's topology where an external control plane (istiod) runs
 * the discovery client: its plain-HTTP requests name the peer in the {@code discovery-service} header
 * ({@code discovery.<ns>.svc.<peer>.local}); the first request binds the connection to that peer, and a proxy after
 * this handler forwards its requests over mTLS to the peer's discovery port. A missing header is answered 400, a name
 * no served peer has 404, and a request for another peer on a bound connection 421 (Misdirected Request).
 */
final class LocalDiscoveryRouter extends ChannelInboundHandlerAdapter {
    static final String NAME = "discovery-router";
    static final String HTTP = "http";
    static final String PROXY = "discovery-proxy";
    static final String DISCOVERY_SERVICE = "discovery-service";

    private final Function<String, Optional<ChannelHandler>> proxyFor;
    /** The discovery service host this connection is bound to, once a request was forwarded. */
    private String bound;
    /** Whether the body parts that follow belong to a forwarded request (else they are dropped). */
    private boolean forwarding;

    /** @param proxyFor a proxy to the peer whose discovery service host is given, if this egress serves one */
    LocalDiscoveryRouter(Function<String, Optional<ChannelHandler>> proxyFor) {
        this.proxyFor = requireNonNull(proxyFor, "proxyFor");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest)) {
            if (forwarding) {
                ctx.fireChannelRead(msg);
            } else {
                ReferenceCountUtil.release(msg); // the body of a refused request
            }
            return;
        }
        HttpRequest request = (HttpRequest) msg;
        String service = request.headers().get(DISCOVERY_SERVICE);
        if (service == null) {
            refuse(ctx, request, HttpResponseStatus.BAD_REQUEST, "missing header " + DISCOVERY_SERVICE);
            return;
        }
        if (bound != null && bound.equalsIgnoreCase(service.trim())) {
            forward(ctx, request);
            return;
        }
        Optional<ChannelHandler> proxy = proxyFor.apply(service);
        if (proxy.isEmpty()) {
            refuse(ctx, request, HttpResponseStatus.NOT_FOUND,
                    "this egress serves no peer whose discovery service is " + service);
        } else if (bound != null) {
            refuse(ctx, request, HttpResponseStatus.MISDIRECTED_REQUEST,
                    "this connection is bound to " + bound + "; open another one for " + service);
        } else {
            bound = service.trim();
            ctx.pipeline().addAfter(ctx.name(), PROXY, proxy.get());
            forward(ctx, request);
        }
    }

    private void forward(ChannelHandlerContext ctx, HttpRequest request) {
        forwarding = !(request instanceof LastHttpContent);
        ctx.fireChannelRead(request);
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        forwarding = false;
        ReferenceCountUtil.release(request);
        TextResponses.send(ctx, status, text + "\n", keepAlive);
    }
}
