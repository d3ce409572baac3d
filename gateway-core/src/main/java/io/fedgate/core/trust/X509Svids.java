package io.fedgate.core.trust;

import static java.util.Objects.requireNonNull;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.fedgate.core.spiffe.InvalidSpiffeIdException;
import io.fedgate.core.spiffe.SpiffeId;

/** Reads the SPIFFE ID out of an X509-SVID leaf, and names certificates in refusal messages. */
public final class X509Svids {
    /** The GeneralName tag of a uniformResourceIdentifier (RFC 5280). */
    private static final int URI_SAN = 6;

    private X509Svids() {
    }

    /**
     * The SPIFFE ID of an X509-SVID: its one URI SAN, parsed strictly. This checks only the ID, not trust;
     * use {@link SvidVerifier} for that.
     *
     * @throws PeerRefusedException {@code no-uri-san}, {@code multiple-uri-sans} or {@code invalid-spiffe-id}
     */
    public static SpiffeId spiffeId(X509Certificate leaf) throws PeerRefusedException {
        requireNonNull(leaf, "leaf");
        List<String> uris = uriSans(leaf);
        if (uris.isEmpty()) {
            throw new PeerRefusedException(RefusalReason.NO_URI_SAN,
                    "presented a certificate without URI SAN (" + describe(leaf) + "), expected exactly one SPIFFE ID");
        }
        if (uris.size() > 1) {
            throw new PeerRefusedException(RefusalReason.MULTIPLE_URI_SANS, "presented " + uris.size()
                    + " URI SANs " + uris + " (" + describe(leaf) + "), expected exactly one SPIFFE ID");
        }
        try {
            return SpiffeId.parse(uris.get(0));
        } catch (InvalidSpiffeIdException e) {
            throw new PeerRefusedException(RefusalReason.INVALID_SPIFFE_ID, "presented URI SAN '" + uris.get(0)
                    + "', which is not a SPIFFE ID: " + e.reason() + " (" + describe(leaf) + ")", e);
        }
    }

    /** The URI SANs of a certificate, in order. */
    static List<String> uriSans(X509Certificate certificate) throws PeerRefusedException {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new PeerRefusedException(RefusalReason.INVALID_SPIFFE_ID, "presented a certificate whose SAN extension"
                    + " does not parse (" + describe(certificate) + "): " + e.getMessage(), e);
        }
        List<String> uris = new ArrayList<>();
        if (names != null) {
            for (List<?> name : names) {
                if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))) {
                    uris.add(String.valueOf(name.get(1)));
                }
            }
        }
        return uris;
    }

    /** {@code subject '...', issuer '...'} for messages; Istio's leaves have an empty subject. */
    static String describe(X509Certificate certificate) {
        return "subject '" + certificate.getSubjectX500Principal().getName() + "', issuer '"
                + certificate.getIssuerX500Principal().getName() + "'";
    }
}
