package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.listener.TextResponses;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.trust.PeerRefusedException;
import io.fedgate.core.trust.RefusalReason;
import io.fedgate.core.trust.X509Svids;

/**
 * The discovery listener's route, as the reference's ingress gateway applies it before its discovery server: the
 * client's SPIFFE ID (verified during the handshake) must be the {@code clientID} of a served peer, else its request
 * gets 403 and the connection is closed after it (any workload of the peer mesh chains to the peer's root, and none
 * but the peer's egress may keep a discovery connection open); exactly {@code /v1/services/} becomes
 * {@code /v1/services/<peer>} and exactly {@code /v1/watch} becomes {@code /v1/watch/<peer>}; any other path gets
 * 404. Rewritten requests go on to the discovery server handler. Refusals are logged and counted by the
 * connection's {@link DownstreamReporter}, so the access log shows them as {@code refused}.
 */
final class DiscoveryAccessHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "discovery-access";
    static final String SERVICES_PATH = "/v1/services/";
    static final String WATCH_PATH = "/v1/watch";

    private final Map<SpiffeId, PeerConfig> peersByClientId;
    private final DownstreamReporter reporter;
    private Optional<PeerConfig> peer;
    private String refusal;
    /** The body of an answered request is dropped, not passed on without its head. */
    private boolean discardingBody;
    /** A 403 was sent and the connection closes after it. */
    private boolean closing;

    /**
     * @param peersByClientId the served peers by their {@code clientID}
     * @param reporter        the connection's reporter, which logs and counts a refusal
     */
    DiscoveryAccessHandler(Map<SpiffeId, PeerConfig> peersByClientId, DownstreamReporter reporter) {
        this.peersByClientId = Map.copyOf(requireNonNull(peersByClientId, "peersByClientId"));
        this.reporter = requireNonNull(reporter, "reporter");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg); // pipelined after a refusal: the connection is closing
            return;
        }
        if (!(msg instanceof HttpRequest)) {
            if (discardingBody) {
                discardingBody = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
            return;
        }
        HttpRequest request = (HttpRequest) msg;
        if (peer == null) {
            authorize(ctx);
        }
        if (peer.isEmpty()) {
            closing = true;
            respond(ctx, request, HttpResponseStatus.FORBIDDEN, "RBAC: access denied\n", false);
            return;
        }
        String path = request.uri();
        int query = path.indexOf('?');
        String rawPath = query < 0 ? path : path.substring(0, query);
        String suffix = query < 0 ? "" : path.substring(query);
        if (rawPath.equals(SERVICES_PATH)) {
            request.setUri(SERVICES_PATH + peer.get().name() + suffix);
        } else if (rawPath.equals(WATCH_PATH)) {
            request.setUri(WATCH_PATH + "/" + peer.get().name() + suffix);
        } else {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n", HttpUtil.isKeepAlive(request));
            return;
        }
        ctx.fireChannelRead(request);
    }

    /** Decides once per connection which peer it speaks for, from the verified client certificate. */
    private void authorize(ChannelHandlerContext ctx) {
        SpiffeId presented;
        try {
            Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
            presented = X509Svids.spiffeId((X509Certificate) chain[0]);
        } catch (SSLPeerUnverifiedException | PeerRefusedException | RuntimeException e) {
            peer = Optional.empty();
            refuse(ctx, RefusalLog.UNKNOWN_PEER, RefusalReason.NO_PEER_CERTIFICATE.code(), String.valueOf(e.getMessage()));
            return;
        }
        peer = Optional.ofNullable(peersByClientId.get(presented));
        if (peer.isEmpty()) {
            TreeSet<String> expected = new TreeSet<>();
            peersByClientId.keySet().forEach(id -> expected.add(id.toString()));
            // Whose connection this was, for the status: the served peer of the presented trust domain.
            String owner = peersByClientId.values().stream()
                    .filter(p -> p.security().trustDomain().equals(presented.trustDomain()))
                    .map(PeerConfig::name).findFirst().orElse(RefusalLog.UNKNOWN_PEER);
            refuse(ctx, owner, RefusalReason.SPIFFE_ID_MISMATCH.code(), "presented " + presented + ", expected "
                    + (expected.size() == 1 ? expected.first() : "one of " + expected));
        }
    }

    private void refuse(ChannelHandlerContext ctx, String owner, String reason, String detail) {
        refusal = reason;
        reporter.peer(owner);
        reporter.refuseRequest(ctx.channel(), reason, detail + " (HTTP 403)");
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String body,
                         boolean keepAlive) {
        discardingBody = !(request instanceof LastHttpContent);
        ReferenceCountUtil.release(request);
        TextResponses.send(ctx, status, body, keepAlive);
    }

    /** The reason this connection was refused, or {@code null}; for tests. */
    String refusal() {
        return refusal;
    }

    /** Served peers by {@code clientID}. */
    static Map<SpiffeId, PeerConfig> byClientId(List<PeerConfig> peers) {
        HashMap<SpiffeId, PeerConfig> map = new HashMap<>();
        peers.forEach(peer -> map.putIfAbsent(peer.security().clientId(), peer));
        return map;
    }
}
