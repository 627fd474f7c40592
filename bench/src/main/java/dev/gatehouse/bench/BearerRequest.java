package dev.gatehouse.bench;

import dev.gatehouse.web.RequestAuthenticator;

import java.util.List;

/** A {@code GET} carrying one bearer token, as a container adapter would present it. */
final class BearerRequest implements RequestAuthenticator.HttpRequestView {
    private final List<String> authorization;

    BearerRequest(String token) {
        this.authorization = List.of("Bearer " + token);
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public List<String> headers(String name) {
        return "Authorization".equalsIgnoreCase(name) ? authorization : List.of();
    }

    @Override
    public String ownOrigin() {
        return "https://api.example.com";
    }

    /** Over HTTPS, from a remote client: the transport check passes as it does in production. */
    @Override
    public boolean isSecure() {
        return true;
    }

    @Override
    public String peerAddress() {
        return "203.0.113.7";
    }
}
