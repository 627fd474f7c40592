/**
 * Gatehouse's onboarding service: registration, login, refresh-token rotation, logout, roles,
 * password hashing and policy, throttling and the revocation cache, over the store contracts of
 * {@code dev.gatehouse.auth.store}.
 */
module dev.gatehouse.auth {
    requires transitive dev.gatehouse.token;
    requires transitive dev.gatehouse.web;
    requires com.github.benmanes.caffeine;
    requires jbcrypt;
    requires org.slf4j;

    exports dev.gatehouse.auth;
    exports dev.gatehouse.auth.store;
}
