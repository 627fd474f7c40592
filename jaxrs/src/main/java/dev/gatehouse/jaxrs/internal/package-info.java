/** Implementation details of the Gatehouse JAX-RS module; not API. */
package dev.gatehouse.jaxrs.internal;
