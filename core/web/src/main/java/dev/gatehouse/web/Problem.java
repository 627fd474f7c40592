package dev.gatehouse.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;

/**
 * An RFC 9457 problem detail, written the same way by every adapter. Immutable.
 *
 * <p>The {@code type} is a URN naming the kind of problem ({@code urn:gatehouse:problem:<slug>}),
 * so clients can tell problems apart without parsing the title. Details are fixed texts chosen by
 * Gatehouse, never echoed client input and never a stack trace.
 */
public final class Problem {
    /** The media type of problem bodies (RFC 9457 §3). */
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:gatehouse:problem:";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One invalid field of a request body. */
    public static final class FieldError {
        private final String field;
        private final String message;

        public FieldError(String field, String message) {
            this.field = Objects.requireNonNull(field, "field");
            this.message = Objects.requireNonNull(message, "message");
        }

        public String field() {
            return field;
        }

        public String message() {
            return message;
        }
    }

    private final int status;
    private final String slug;
    private final String title;
    private final String detail;
    private final List<FieldError> errors;

    public Problem(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, List.of());
    }

    public Problem(int status, String slug, String title, String detail, List<FieldError> errors) {
        this.status = status;
        this.slug = Objects.requireNonNull(slug, "slug");
        this.title = Objects.requireNonNull(title, "title");
        this.detail = detail;
        this.errors = List.copyOf(errors);
    }

    public static Problem invalidToken() {
        return new Problem(401, "invalid-token", "Invalid access token",
                "The access token is missing, malformed, expired or revoked.");
    }

    public static Problem unauthenticated() {
        return new Problem(401, "unauthenticated", "Authentication required", "This resource requires an access token.");
    }

    public static Problem invalidRequest(String detail) {
        return new Problem(400, "invalid-request", "Invalid request", detail);
    }

    public static Problem forbidden(String detail) {
        return new Problem(403, "forbidden", "Forbidden", detail);
    }

    /**
     * {@code 403}: credentials (or a request for a protected resource) over plain HTTP from other
     * than loopback. Not a {@code 401}: a challenge would invite the client to send its token over
     * the same insecure channel, and a token it already sent must be treated as exposed.
     */
    public static Problem httpsRequired() {
        return new Problem(403, "https-required", "HTTPS required",
                "Credentials must be sent over HTTPS. This request came over plain HTTP: treat any token or password it"
                        + " carried as exposed.");
    }

    public int status() {
        return status;
    }

    public String type() {
        return TYPE_PREFIX + slug;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The JSON body. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", type());
        node.put("title", title);
        node.put("status", status);
        if (detail != null) {
            node.put("detail", detail);
        }
        if (!errors.isEmpty()) {
            ArrayNode array = node.putArray("errors");
            for (FieldError e : errors) {
                array.addObject().put("field", e.field()).put("message", e.message());
            }
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Problem{" + status + " " + type() + "}";
    }
}
