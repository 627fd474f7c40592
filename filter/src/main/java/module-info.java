/**
 * The Gatehouse servlet filter: verifies bearer or cookie access tokens and fills in the request's
 * security context. Needs only {@code dev.gatehouse.token} and {@code dev.gatehouse.web}.
 */
module dev.gatehouse.filter {
    requires transitive dev.gatehouse.web;
    requires transitive jakarta.servlet;
    requires static jakarta.security.auth.message;

    exports dev.gatehouse.filter;
}
