/**
 * Grizzly-specific glue for applications that run Jersey on Grizzly's HTTP server, where there is
 * no servlet API: {@link dev.gatehouse.jaxrs.grizzly.PeerAddressHandler} tells Gatehouse the
 * client's address, and {@link dev.gatehouse.jaxrs.grizzly.IgnoreUpgradeAddOn} stops a request
 * with an {@code Upgrade} header from holding a worker thread. Only this package needs Grizzly on
 * the class path.
 */
package dev.gatehouse.jaxrs.grizzly;
