/**
 * What every web adapter of Gatehouse shares, without a servlet or JAX-RS API: authenticating a
 * request (token location, verification, CSRF, transport security), RFC 6750 challenges and
 * RFC 9457 problem bodies.
 */
module dev.gatehouse.web {
    requires transitive dev.gatehouse.token;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;

    exports dev.gatehouse.web;
}
