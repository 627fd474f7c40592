package dev.gatehouse.web;



/**
 * {@code WWW-Authenticate} values for the {@code Bearer} scheme (RFC 6750 §3), written in one place
 * for every adapter. The realm is validated by {@link WebSettings} (no quote or backslash),
 * and descriptions are fixed texts, so nothing a client sent ever reaches the header.
 */
public final class Challenge {
    /** The header name. */
    public static final String HEADER = "WWW-Authenticate";

    private Challenge() {
    }

    /** No credentials were sent: a bare challenge without an error code (RFC 6750 §3.1). */
    public static String bare(String realm) {
        return "Bearer realm=\"" + realm + "\"";
    }

    /** The token was expired, revoked, malformed or invalid for another reason: {@code 401}. */
    public static String invalidToken(String realm) {
        return "Bearer realm=\"" + realm + "\", error=\"invalid_token\"";
    }

    /** The request was malformed (bad header, two tokens): {@code 400}. */
    public static String invalidRequest(String realm) {
        return "Bearer realm=\"" + realm + "\", error=\"invalid_request\"";
    }
}
