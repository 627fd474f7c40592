/**
 * Gatehouse's token layer: signing keys and where they come from (files, a remote JWK Set), issuing
 * and verifying access tokens, the verified-token cache, and the security events that key sources
 * and the onboarding service report. Everything a service that only verifies tokens needs, on
 * java-jwt and Jackson alone: it logs through {@link java.lang.System.Logger}.
 */
module dev.gatehouse.token {
    requires transitive com.auth0.jwt;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    exports dev.gatehouse.token;
    exports dev.gatehouse.token.events;
    exports dev.gatehouse.token.keys;
    // JWK encoding helpers for the key table's command line, and the lifecycle state the services
    // share: not API
    exports dev.gatehouse.token.internal to dev.gatehouse.auth, dev.gatehouse.jdbc;
}
