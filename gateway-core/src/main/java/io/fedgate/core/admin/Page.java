package io.fedgate.core.admin;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * One admin response: status, content type and body.
 *
 * @param status      HTTP status
 * @param contentType e.g. {@code text/plain; charset=utf-8}
 * @param body        the text
 */
public record Page(HttpResponseStatus status, String contentType, String body) {
    public Page {
        requireNonNull(status, "status");
        requireNonNull(contentType, "contentType");
        requireNonNull(body, "body");
    }

    /** A plain-text page. */
    public static Page text(HttpResponseStatus status, String body) {
        return new Page(status, "text/plain; charset=utf-8", body);
    }
}
