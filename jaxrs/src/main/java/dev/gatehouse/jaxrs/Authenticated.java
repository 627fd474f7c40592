package dev.gatehouse.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The resource method (or every method of the resource class) needs an authenticated caller,
 * whatever their roles. Without a valid token: {@code 401} with the RFC 6750 challenge.
 * Use {@code @RolesAllowed} when a role is needed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Authenticated {
}
