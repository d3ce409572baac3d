package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.logging.Logger;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.discovery.DiscoveryHttpHandler;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.listener.TextResponses;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.trust.PeerRefusedException;
import io.fedgate.core.trust.RefusalReason;
import io.fedgate.core.trust.X509Svids;

/**
 * The discovery listener's route, as the reference's ingress gateway applies it before its discovery server: the
 * client's SPIFFE ID (verified during the handshake) must be the {@code clientID} of a served peer, else every
 * request gets 403; exactly {@code /v1/services/} becomes {@code /v1/services/<peer>} and exactly
 * {@code /v1/watch} becomes {@code /v1/watch/<peer>}; any other path gets 404. Rewritten requests go on to the
 * discovery server handler.
 */
final class DiscoveryAccessHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "discovery-access";
    static final String SERVICES_PATH = "/v1/services/";
    static final String WATCH_PATH = "/v1/watch";

    private static final Logger LOG = Logger.getLogger("io.fedgate.core.listener.Listener");

    private final Map<SpiffeId, PeerConfig> peersByClientId;
    private final GatewayMetrics metrics;
    private final RefusalLog refusals;
    private Optional<PeerConfig> peer;
    private String refusal;
    /** The body of an answered request is dropped, not passed on without its head. */
    private boolean discardingBody;

    /** @param peersByClientId the served peers by their {@code clientID} */
    DiscoveryAccessHandler(Map<SpiffeId, PeerConfig> peersByClientId, GatewayMetrics metrics, RefusalLog refusals) {
        this.peersByClientId = Map.copyOf(requireNonNull(peersByClientId, "peersByClientId"));
        this.metrics = requireNonNull(metrics, "metrics");
        this.refusals = requireNonNull(refusals, "refusals");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
            respond(ctx, request, HttpResponseStatus.FORBIDDEN, "RBAC: access denied\n");
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
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n");
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
        metrics.downstreamRefused("discovery", reason, owner);
        refusals.refused(owner, "discovery", reason, detail + " (HTTP 403)");
        LOG.info(() -> "refused listener=discovery downstream=" + source(ctx) + " reason=" + reason + ": " + detail + " (HTTP 403)");
    }

    private static String source(ChannelHandlerContext ctx) {
        return DiscoveryHttpHandler.source(ctx.channel());
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String body) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
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
