/**
 * The Gatehouse JAX-RS feature: the onboarding endpoints, the JWK Set and discovery documents,
 * token authentication and {@code @RolesAllowed}; and, for applications on Grizzly, the glue in
 * {@code dev.gatehouse.jaxrs.grizzly}.
 */
module dev.gatehouse.jaxrs {
    requires transitive dev.gatehouse.auth;
    requires transitive jakarta.ws.rs;
    requires dev.gatehouse.jdbc;
    requires jakarta.annotation;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires static org.glassfish.grizzly;
    requires static org.glassfish.grizzly.http;
    requires static org.glassfish.grizzly.http.server;

    exports dev.gatehouse.jaxrs;
    exports dev.gatehouse.jaxrs.grizzly;
    // Jersey creates the endpoints, filters and mappers reflectively; they are not API
    opens dev.gatehouse.jaxrs.internal;
}
