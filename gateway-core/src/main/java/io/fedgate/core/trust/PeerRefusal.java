package io.fedgate.core.trust;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslHandshakeTimeoutException;

/**
 * Why a TLS handshake with a peer failed, as a value for logs, metrics and status: a {@link RefusalReason} and a
 * detail naming what was presented and what was expected.
 *
 * <p>{@link #of(Throwable)} classifies the cause of a failed handshake as Netty reports it
 * ({@code SslHandshakeCompletionEvent.cause()} or the handshake future's cause). Our own trust manager's
 * {@link PeerRefusedException} is found anywhere in the cause chain, whichever TLS provider wrapped it. Failures
 * raised natively before the trust manager runs are recognised by their provider's message (for example BoringSSL's
 * {@code PEER_DID_NOT_RETURN_A_CERTIFICATE} and the JDK's {@code Empty client certificate chain}); everything
 * else is {@link RefusalReason#REFUSED_BY_PEER} when the peer's alert is about our certificate, and
 * {@link RefusalReason#HANDSHAKE_FAILED} otherwise.
 */
public final class PeerRefusal {
    private static final String NO_CERTIFICATE_DETAIL = "peer presented no certificate, expected an X509-SVID";
    /**
     * Alerts a peer sends when it rejects our certificate: BoringSSL's name, the alert's (as the JDK reports it),
     * and what it usually means in a federation.
     */
    private static final String[][] ALERTS_ABOUT_OUR_CERTIFICATE = {
            {"ALERT_UNKNOWN_CA", "unknown_ca", "it does not trust our root (its certificateChain for this mesh, or the "
                    + "trust domain it expects of us, differs)"},
            {"ALERT_BAD_CERTIFICATE", "bad_certificate", "it does not accept our certificate (often: our SPIFFE ID is "
                    + "not the one it expects)"},
            {"ALERT_CERTIFICATE_UNKNOWN", "certificate_unknown", "it does not accept our certificate (often: our "
                    + "SPIFFE ID is not the one it expects)"},
            {"ALERT_CERTIFICATE_EXPIRED", "certificate_expired", "it considers our certificate expired"},
            {"ALERT_CERTIFICATE_REQUIRED", "certificate_required", "it requires a client certificate"},
            {"ALERT_ACCESS_DENIED", "access_denied", "it denies our identity access"},
            {"ALERT_UNSUPPORTED_CERTIFICATE", "unsupported_certificate", "it does not accept our certificate's type or "
                    + "key usage"},
    };
    /** Guards against cause chains that never end. */
    private static final int MAX_CAUSES = 32;

    private final RefusalReason reason;
    private final String detail;

    private PeerRefusal(RefusalReason reason, String detail) {
        this.reason = reason;
        this.detail = detail;
    }

    /** A refusal with the given reason and detail. */
    public static PeerRefusal of(RefusalReason reason, String detail) {
        return new PeerRefusal(requireNonNull(reason, "reason"), requireNonNull(detail, "detail"));
    }

    /** Classifies the cause of a failed handshake. */
    public static PeerRefusal of(Throwable handshakeFailureCause) {
        requireNonNull(handshakeFailureCause, "handshakeFailureCause");
        PeerRefusedException refused = find(handshakeFailureCause, PeerRefusedException.class);
        if (refused != null) {
            return refused.toRefusal();
        }
        String text = messages(handshakeFailureCause);
        // Native checks that run before any trust manager is asked; the strings are the providers' own.
        if (text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || text.contains("Empty client certificate chain")
                || text.contains("Empty server certificate chain")) {
            return of(RefusalReason.NO_PEER_CERTIFICATE, NO_CERTIFICATE_DETAIL);
        }
        if (text.contains("KEY_USAGE_BIT_INCORRECT")) {
            return of(RefusalReason.BAD_KEY_USAGE,
                    "peer's certificate key usage does not allow the handshake signature, expected digitalSignature ("
                            + describe(handshakeFailureCause) + ")");
        }
        for (String[] alert : ALERTS_ABOUT_OUR_CERTIFICATE) {
            if (text.contains(alert[0]) || text.contains("fatal alert: " + alert[1])) {
                return of(RefusalReason.REFUSED_BY_PEER, "the peer refused our certificate with TLS alert " + alert[1]
                        + ": " + alert[2] + " (" + describe(handshakeFailureCause) + ")");
            }
        }
        SslHandshakeTimeoutException timeout = find(handshakeFailureCause, SslHandshakeTimeoutException.class);
        if (timeout != null) {
            return of(RefusalReason.HANDSHAKE_FAILED, "timed out: " + timeout.getMessage());
        }
        return of(RefusalReason.HANDSHAKE_FAILED, describe(handshakeFailureCause));
    }

    /** Why the handshake failed. */
    public RefusalReason reason() {
        return reason;
    }

    /** What was presented and what was expected, without the reason code. */
    public String detail() {
        return detail;
    }

    /** {@code <code>: <detail>}, the line logs show. */
    public String message() {
        return reason.code() + ": " + detail;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerRefusal && reason == ((PeerRefusal) o).reason && detail.equals(((PeerRefusal) o).detail);
    }

    @Override
    public int hashCode() {
        return 31 * reason.hashCode() + detail.hashCode();
    }

    @Override
    public String toString() {
        return message();
    }

    private static <T extends Throwable> T find(Throwable root, Class<T> type) {
        for (Throwable t : causes(root)) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String messages(Throwable root) {
        StringBuilder text = new StringBuilder();
        for (Throwable t : causes(root)) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }

    /** The most telling line: the first TLS exception in the chain, else the innermost cause. */
    private static String describe(Throwable root) {
        Throwable chosen = root;
        for (Throwable t : causes(root)) {
            chosen = t;
            if (t instanceof SSLException && t.getMessage() != null) {
                break;
            }
        }
        String message = chosen.getMessage();
        return chosen.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** The throwable, its causes and suppressed exceptions, breadth first, each once. */
    private static Iterable<Throwable> causes(Throwable root) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> queue = new ArrayDeque<>();
        queue.add(root);
        Deque<Throwable> ordered = new ArrayDeque<>();
        while (!queue.isEmpty() && ordered.size() < MAX_CAUSES) {
            Throwable t = queue.poll();
            if (!seen.add(t)) {
                continue;
            }
            ordered.add(t);
            if (t.getCause() != null) {
                queue.add(t.getCause());
            }
            Collections.addAll(queue, t.getSuppressed());
        }
        return ordered;
    }
}
